"""Downloading archived copies from the occasion's page, the admin's read-only view of them."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals import services
from goals.models import ReportingOccasion
from goals.periods import PeriodType
from reports.archive import ARCHIVE_TAMPERED_EVENT, CHECKSUM_MISMATCH
from reports.models import ArchivedReport
from tests.entry_data import goal_chain

YEAR = 2023


@pytest.fixture
def helar(board_an):
    goal_chain(board_an, goals=1, indicators_per_goal=2, frequency=PeriodType.YEAR)
    return ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="helar")


def approve(occasion, controller, secretary) -> ArchivedReport:
    services.submit_occasion(user=controller, occasion=occasion, confirm_missing=True)
    services.approve_occasion(user=secretary, occasion=occasion)
    return ArchivedReport.objects.filter(occasion=occasion).order_by("-version").first()


@pytest.fixture
def archived(helar, controller_an, secretary_an):
    return approve(helar, controller_an, secretary_an)


def xlsx_url(archive) -> str:
    return f"/arkiv/{archive.pk}/verksamhetsberattelse.xlsx"


def json_url(archive) -> str:
    return f"/arkiv/{archive.pk}/verksamhetsberattelse.json"


def entry_url(occasion) -> str:
    return f"/utfall/{occasion.board.code}/{occasion.year}/{occasion.kind}/"


@pytest.mark.parametrize("persona", ["secretary_an", "controller_an", "manager_an", "admin_user"])
def test_the_boards_users_download_the_stored_bytes(client, archived, persona, request):
    client.force_login(request.getfixturevalue(persona))
    stored = ArchivedReport.objects.get(pk=archived.pk)

    response = client.get(xlsx_url(archived))
    assert response.status_code == 200
    assert response.content == bytes(stored.xlsx)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="verksamhetsberattelse-AN-2023-helar-v1.xlsx"'
    )
    digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"

    response = client.get(json_url(archived))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert hashlib.sha256(response.content).hexdigest() == stored.json_sha256


def test_other_boards_outsiders_and_unknown_ids_get_404(
    client, archived, controller_other, outsider, security_log
):
    for user in (controller_other, outsider):
        client.force_login(user)
        for url in (xlsx_url(archived), json_url(archived)):
            assert client.get(url).status_code == 404
    assert len(security_log.events("access_denied")) == 4
    client.logout()
    assert client.get(xlsx_url(archived)).status_code == 302  # to the login page
    client.force_login(controller_other)
    assert client.get(f"/arkiv/{archived.pk + 1000}/verksamhetsberattelse.xlsx").status_code == 404


def test_downloads_take_only_get(client, archived, secretary_an):
    client.force_login(secretary_an)
    assert client.post(xlsx_url(archived)).status_code == 405
    assert ArchivedReport.objects.count() == 1


def _drop_update_trigger():
    """Only to simulate a copy changed behind the application's back (rolled back after)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER reports_archivedreport_no_update ON reports_archivedreport"
            )
        else:
            cursor.execute("DROP TRIGGER reports_archivedreport_no_update")


def test_a_copy_changed_in_the_database_is_refused_and_logged(
    client, archived, secretary_an, security_log
):
    _drop_update_trigger()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_archivedreport SET json_text = %s WHERE id = %s",
            [archived.json_text.replace("Indikator 1.1", "Indikator 9.9"), archived.pk],
        )
    client.force_login(secretary_an)
    response = client.get(json_url(archived))
    assert response.status_code == 500
    assert response.content.decode() == CHECKSUM_MISMATCH
    assert security_log.events(ARCHIVE_TAMPERED_EVENT)[0]["detail"]["archive_id"] == archived.pk
    assert client.get(xlsx_url(archived)).status_code == 200  # the workbook is intact


# --- the occasion's page --------------------------------------------------------------------


def test_the_occasion_page_lists_the_copies_with_their_sha256(
    client, helar, controller_an, secretary_an, admin_user
):
    client.force_login(controller_an)
    text = client.get(entry_url(helar)).content.decode()
    assert "Arkiverade rapporter" in text and "Ingen arkiverad kopia ännu" in text

    first = approve(helar, controller_an, secretary_an)
    services.reopen_occasion(user=admin_user, occasion=helar, reason="Rättelse")
    second = approve(helar, controller_an, secretary_an)
    text = client.get(entry_url(helar)).content.decode()
    for archive in (second, first):
        assert f'href="{xlsx_url(archive)}"' in text
        assert f'href="{json_url(archive)}"' in text
        assert f"<code>{archive.xlsx_sha256}</code>" in text
        assert f"<code>{archive.json_sha256}</code>" in text
    assert text.index("Version 2") < text.index("Version 1")  # newest first


def test_the_panel_shows_nothing_to_users_who_may_not_export(
    rf, archived, controller_other, manager_an
):
    from django.template import Context, Template

    template = Template("{% load entry_panels %}{% entry_panels occasion %}")

    def rendered(user) -> str:
        request = rf.get("/")
        request.user = user
        return template.render(Context({"request": request, "occasion": archived.occasion}))

    assert rendered(controller_other).strip() == ""
    assert archived.xlsx_sha256 in rendered(manager_an)


def test_the_list_costs_the_same_queries_for_one_or_many_copies(
    client, helar, controller_an, secretary_an, admin_user
):
    approve(helar, controller_an, secretary_an)
    client.force_login(controller_an)
    client.get(entry_url(helar))
    with CaptureQueriesContext(connection) as one:
        assert client.get(entry_url(helar)).status_code == 200
    for _ in range(3):
        services.reopen_occasion(user=admin_user, occasion=helar, reason="Rättelse")
        approve(helar, controller_an, secretary_an)
    with CaptureQueriesContext(connection) as four:
        text = client.get(entry_url(helar)).content.decode()
    assert text.count("<strong>Version ") == 4
    assert len(four) == len(one)
    # The list does not read the stored bytes.
    archive_queries = [q["sql"] for q in four if "reports_archivedreport" in q["sql"]]
    assert len(archive_queries) == 1
    assert '"xlsx",' not in archive_queries[0] and '"json_text"' not in archive_queries[0]


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_shows_copies_read_only(client, archived, admin_user):
    client.force_login(admin_user)
    changelist = client.get("/admin/reports/archivedreport/")
    assert changelist.status_code == 200
    assert archived.xlsx_sha256 in changelist.content.decode()
    change = client.get(f"/admin/reports/archivedreport/{archived.pk}/change/")
    assert change.status_code == 200
    text = change.content.decode()
    assert 'name="_save"' not in text and archived.json_sha256 in text
    assert xlsx_url(archived) in text
    assert client.get("/admin/reports/archivedreport/add/").status_code == 403
    delete_url = f"/admin/reports/archivedreport/{archived.pk}/delete/"
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/reports/archivedreport/{archived.pk}/change/", {"year": "1999"})
    assert response.status_code == 403
    assert ArchivedReport.objects.get(pk=archived.pk).year == YEAR


def test_a_download_reads_the_copy_and_the_users_roles_only(client, archived, secretary_an):
    client.force_login(secretary_an)
    client.get(xlsx_url(archived))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(xlsx_url(archived)).status_code == 200
    ours = [
        q["sql"]
        for q in queries
        if "django_session" not in q["sql"] and "auth_user" not in q["sql"]
    ]
    ours = [sql for sql in ours if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(ours) == 2, ours  # the archive with its board, the user's roles
