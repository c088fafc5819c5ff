"""Document outlines (Dokumentmallar): the defaults follow seed 001, an administrator adjusts
them without code, and every document follows the outline it has."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.models import DocumentKind
from reports.models import OutlineItem
from reports.outline import (
    OutlineLine,
    default_lines,
    outline_for,
    outline_lines,
    table_choices,
)
from reports.outline_services import (
    CHANGED_MEANWHILE,
    TABLE_UNKNOWN,
    OutlineInvalid,
    outline_digest,
    save_outline,
)
from reports.report import build_report
from reports.report.model import OutlineKind
from reports.report.plans import build_plan

pytestmark = pytest.mark.django_db

# Seed 001's table of contents ("Innehåll"), without dots and page numbers. "Intäkter" and
# "Kostnader" head two charts only; the document has no charts, so those headings are not in
# the outline (CHART_ONLY).
SEED_001_CONTENTS = [
    "Förvaltningschefens/nämndansvarig tjänstepersons bedömning och analys",
    "Analys av verksamhetens resultat, ekonomi och personal",
    "Händelser av väsentlig betydelse",
    "Ekonomi, belopp i tkr",
    "Förväntad utveckling",
    "Ekonomi",
    "Nämndens verksamheter, nettokostnader bokslut 2022 jämfört med bokslut 2021",
    "Nämndens intäkter och kostnader 2022 jämfört med 2021",
    "Intäkter",
    "Kostnader",
    "Ekonomiska tabeller",
    "Resultat 2022",
    "Investeringar",
    "Uppföljning av mål och inriktning",
    "Målredovisning",
    "Strategiska utvecklingsuppdrag",
    "Uppföljning av nämndens verksamhet",
    "Planer och program",
    "Upphandlingsplan",
    "Internkontroll",
    "Personal- och kompetensförsörjningsplan",
    "Objektsplan (IT-styrning)",
    "Volymtal, personalstatistik och nämndindikatorer",
    "Volymutveckling",
    "Personal",
    "Nämndindikatorer",
]
CHART_ONLY = {"Intäkter", "Kostnader"}


def headings(entries) -> list[str]:
    return [entry.title for entry in entries if entry.kind == OutlineKind.HEADING]


def test_the_default_verksamhetsberattelse_follows_seed_001s_contents():
    titles = headings(outline_for("verksamhetsberattelse", 2022))
    # "Nämndens uppdrag" comes before the contents page in the seed.
    assert titles[0] == "Nämndens uppdrag"
    assert titles[1:] == [title for title in SEED_001_CONTENTS if title not in CHART_ONLY]


def test_headings_fill_in_the_year():
    titles = headings(outline_for("verksamhetsberattelse", 2023))
    assert "Resultat 2023" in titles
    assert "Nämndens intäkter och kostnader 2023 jämfört med 2022" in titles


@pytest.mark.parametrize("document", [kind.value for kind in DocumentKind])
def test_every_default_table_is_offered_and_narrative_keys_are_unique(document):
    lines = default_lines(document)
    tables = [line.key for line in lines if line.kind == OutlineKind.TABLE]
    assert tables and set(tables) <= set(table_choices(document))
    keys = [line.key for line in lines if line.kind == OutlineKind.NARRATIVE]
    assert len(keys) == len(set(keys))


def test_every_table_offered_is_one_the_documents_make(demo_data):
    """The Dokumentmallar page offers only keys a built report has (a table or a sheet)."""
    reports = {
        "verksamhetsberattelse": build_report(demo_data, 2022),
        "internbudget": build_plan(demo_data, 2022, "internbudget"),
        "verksamhetsplan": build_plan(demo_data, 2022, "verksamhetsplan"),
    }
    for document, report in reports.items():
        offered = set(table_choices(document))
        made = set(report.download_keys)
        # Tables a board without nämnduppdrag or prioritised styrdokument does not get.
        assert offered - made <= {"uppdrag-namnduppdrag", "styrdokument"}, document
        # Every table the report makes can be placed, singly or through its sheet.
        assert all(table.key in offered or table.sheet in offered for table in report.tables)
        assert report.unplaced_tables() == [], document


def _post_rows(lines, *, digest, extra=()):
    data = {
        "rad-TOTAL_FORMS": str(len(lines) + len(extra)),
        "rad-INITIAL_FORMS": str(len(lines)),
        "rad-MIN_NUM_FORMS": "0",
        "rad-MAX_NUM_FORMS": "1000",
        "digest": digest,
    }
    for index, row in enumerate([*lines, *extra]):
        for field, value in row.items():
            data[f"rad-{index}-{field}"] = value
    return data


def _rows(document):
    rows = []
    for position, line in enumerate(outline_lines(document), start=1):
        rows.append(
            {
                "ORDER": str(position),
                "kind": line.kind.value,
                "level": str(line.level),
                "title": line.title,
                "key": line.key if line.kind == OutlineKind.NARRATIVE else "",
                "table": line.key if line.kind == OutlineKind.TABLE else "",
            }
        )
    return rows


def test_an_administrator_moves_renames_adds_and_removes_and_the_report_follows(
    client, admin_user, board_an
):
    client.force_login(admin_user)
    url = reverse("reports:outline_edit", args=["verksamhetsplan"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Standardmallen" in page.content.decode()
    rows = _rows("verksamhetsplan")
    rows[0]["title"] = "Inledning {year}"
    rows[-2]["DELETE"] = "on"  # the heading "Övriga uppdrag och projekt"
    rows[2]["ORDER"] = "99"  # the heading "Nämndmål och aktiviteter" moves last
    new = {"ORDER": "2", "kind": "text", "level": "1", "title": "Förord", "key": "forord"}
    response = client.post(
        url, _post_rows(rows, digest=outline_digest(outline_lines("verksamhetsplan")), extra=[new])
    )
    assert response.status_code == 302
    saved = outline_lines("verksamhetsplan")
    assert saved[0].title == "Inledning {year}"
    assert [line.key for line in saved if line.kind == OutlineKind.NARRATIVE] == [
        "inledning",
        "forord",
    ]
    assert saved[-1].title == "Nämndmål och aktiviteter"
    assert "Övriga uppdrag och projekt" not in [line.title for line in saved]
    entries = build_plan(board_an, 2022, "verksamhetsplan").outline
    assert entries[0].title == "Inledning 2022"
    assert entries[-1].title == "Nämndmål och aktiviteter"
    # The history says who changed the template.
    assert OutlineItem.history.filter(history_user=admin_user).exists()
    # The default applies again after a reset.
    assert (
        client.post(reverse("reports:outline_reset", args=["verksamhetsplan"])).status_code == 302
    )
    assert outline_lines("verksamhetsplan") == list(default_lines("verksamhetsplan"))


def test_a_wrong_row_is_refused_at_its_row_and_nothing_is_stored(client, admin_user):
    client.force_login(admin_user)
    url = reverse("reports:outline_edit", args=["internbudget"])
    rows = _rows("internbudget")
    rows[2]["title"] = "Sammanfattning {år}"
    rows[5]["table"] = "ingen-sadan-tabell"
    response = client.post(
        url, _post_rows(rows, digest=outline_digest(outline_lines("internbudget")))
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Välj ett giltigt alternativ" in body  # the table select refuses an unknown key
    assert not OutlineItem.objects.exists()
    rows[5]["table"] = "driftsammandrag"  # now twice in the outline
    response = client.post(
        url, _post_rows(rows, digest=outline_digest(outline_lines("internbudget")))
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rubriken kan bara fylla i {year}" in body
    assert "Tabellen finns redan längre upp i mallen." in body
    assert "Sammanfattning {år}" in body  # what the user typed is still there
    assert not OutlineItem.objects.exists()


def test_the_service_refuses_a_table_the_document_does_not_make(admin_user):
    """Another path than the form (a script) meets the same rule."""
    lines = [*default_lines("delar1"), OutlineLine(OutlineKind.TABLE, key="driftsammandrag")]
    with pytest.raises(OutlineInvalid) as refused:
        save_outline(
            user=admin_user,
            document="delar1",
            lines=lines,
            expected_digest=outline_digest(outline_lines("delar1")),
        )
    assert refused.value.row_errors == {len(lines) - 1: TABLE_UNKNOWN}
    assert not OutlineItem.objects.exists()


def test_a_save_after_someone_elses_is_refused_and_keeps_the_typed_rows(client, admin_user):
    client.force_login(admin_user)
    url = reverse("reports:outline_edit", args=["delar2"])
    stale = outline_digest(outline_lines("delar2"))
    first = _rows("delar2")
    first[0]["title"] = "Bedömning"
    assert client.post(url, _post_rows(first, digest=stale)).status_code == 302
    second = _rows("delar2")
    second[0]["title"] = "Min rubrik"
    response = client.post(url, _post_rows(second, digest=stale))
    assert response.status_code == 409
    body = response.content.decode()
    assert CHANGED_MEANWHILE.split(".")[0] in body
    assert "Min rubrik" in body
    assert outline_lines("delar2")[0].title == "Bedömning"


def test_only_an_administrator_of_every_board_reaches_the_templates(
    client, controller_an, outsider, board_an
):
    from goals.models import BoardRole, Role
    from tests.conftest import make_user

    board_admin = make_user("admin-an", Role.ADMINISTRATOR, board_an)
    assert BoardRole.objects.filter(user=board_admin).exists()
    for user in (controller_an, outsider, board_admin):
        client.force_login(user)
        assert client.get(reverse("reports:outline_index")).status_code == 404
        response = client.post(reverse("reports:outline_reset", args=["internbudget"]))
        assert response.status_code == 404


def test_the_pages_query_count_does_not_grow_with_the_outline(
    client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    url = reverse("reports:outline_edit", args=["verksamhetsberattelse"])
    client.get(url)  # session and caches warm
    with django_assert_max_num_queries(8) as short:
        client.get(url)
    lines = list(default_lines("verksamhetsberattelse"))
    OutlineItem.objects.bulk_create(
        OutlineItem(
            document="verksamhetsberattelse",
            position=i,
            item_kind="rubrik",
            level=1,
            title=f"Rubrik {i}",
        )
        for i in range(1, len(lines) * 3)
    )
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(url)
