"""The report page and its downloads: who may see them, what they show, how many queries."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reports.renderers.xlsx import XLSX_CONTENT_TYPE
from reports.report import build_report
from tests.test_report_fixtures import add_goal_with_indicators, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:report", args=["AN", 2022])
WORKBOOK = reverse("reports:report_xlsx", args=["AN", 2022])
TABLE = reverse("reports:report_table_xlsx", args=["AN", 2022, "driftsammandrag"])


def login(client, user):
    client.force_login(user)
    return client


def test_urls_are_the_documented_ones():
    assert PAGE == "/namnd/AN/2022/verksamhetsberattelse/"
    assert WORKBOOK == "/namnd/AN/2022/verksamhetsberattelse.xlsx"
    assert TABLE == "/namnd/AN/2022/verksamhetsberattelse/driftsammandrag.xlsx"


@pytest.mark.parametrize("persona", ["admin_user", "controller_an", "secretary_an", "manager_an"])
def test_the_boards_people_see_and_download_the_report(client, mini_an, persona, request):  # noqa: F811
    login(client, request.getfixturevalue(persona))
    page = client.get(PAGE)
    assert page.status_code == 200
    for url in (WORKBOOK, TABLE):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX_CONTENT_TYPE
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("persona", ["controller_other", "outsider"])
def test_everyone_else_gets_404(client, mini_an, persona, request):  # noqa: F811
    login(client, request.getfixturevalue(persona))
    for url in (PAGE, WORKBOOK, TABLE):
        assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, mini_an):  # noqa: F811
    for url in (PAGE, WORKBOOK, TABLE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


def test_unknown_board_table_or_year_is_404(client, mini_an, admin_user):  # noqa: F811
    login(client, admin_user)
    assert client.get(reverse("reports:report", args=["XX", 2022])).status_code == 404
    assert (
        client.get(reverse("reports:report_table_xlsx", args=["AN", 2022, "nope"])).status_code
        == 404
    )
    assert client.get(reverse("reports:report", args=["AN", 2010])).status_code == 404


def test_page_shows_every_table_with_figures_marks_and_links(client, mini_an, secretary_an):  # noqa: F811
    login(client, secretary_an)
    html = client.get(PAGE).content.decode()
    report = build_report(mini_an.board, 2022)
    for table in report.tables:
        assert f'href="/namnd/AN/2022/verksamhetsberattelse/{table.key}.xlsx"' in html
        assert table.title in html
    assert 'href="/namnd/AN/2022/verksamhetsberattelse.xlsx"' in html
    # Swedish figures, italics for breakdown rows, merged goal cells, footnotes with anchors.
    assert "303\xa0504" in html and "5\xa0249" in html
    assert '<tr class="breakdown">' in html
    assert "<em>\nAntal hushåll i Linköping" in html.replace("<br>", "\n")
    assert 'rowspan="4"' in html
    assert 'href="#fotnot-1"' in html and 'id="fotnot-1"' in html
    assert "AMC: 96,4 AMF: 85,7" in html
    # User text is escaped, never markup.
    assert "=SUM(A1) ska stå som text" in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_page_escapes_user_text(client, mini_an, admin_user):  # noqa: F811
    from goals.models import GoalAssessment, ReportingOccasion

    ReportingOccasion.objects.filter(pk=mini_an.occasion.pk).update(state="oppen")
    assessment = GoalAssessment.objects.get(board_goal=mini_an.goals["styrning"])
    assessment.analysis = "<b>fet</b> & <script>alert(1)</script>"
    assessment.save()
    login(client, admin_user)
    html = client.get(PAGE).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_downloads_hold_the_whole_report_or_one_table(client, mini_an, controller_an):  # noqa: F811
    login(client, controller_an)
    whole = load_workbook(io.BytesIO(client.get(WORKBOOK).content))
    assert len(whole.sheetnames) == 8
    one = client.get(TABLE)
    assert (
        'filename="verksamhetsberattelse-AN-2022-driftsammandrag.xlsx"'
        in one["Content-Disposition"]
    )
    assert load_workbook(io.BytesIO(one.content)).sheetnames == ["Resultat 2022"]
    group = client.get(reverse("reports:report_table_xlsx", args=["AN", 2022, "namndindikatorer"]))
    assert load_workbook(io.BytesIO(group.content)).sheetnames == ["Nämndindikatorer"]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _cold_and_warm(client, url):
    """Queries of a request that builds the report, and of the next one, which reuses it."""
    cache.clear()
    return _count(client, url), _count(client, url)


def test_query_count_does_not_grow_with_goals_and_indicators(client, mini_an, admin_user):  # noqa: F811
    login(client, admin_user)
    before = {url: _cold_and_warm(client, url) for url in (PAGE, WORKBOOK, TABLE)}
    add_goal_with_indicators(mini_an.board, 12)
    after = {url: _cold_and_warm(client, url) for url in (PAGE, WORKBOOK, TABLE)}
    assert after == before
    assert "Extra indikator 11" in client.get(PAGE).content.decode()


def test_a_built_report_is_reused_until_the_data_changes(client, mini_an, admin_user):  # noqa: F811
    login(client, admin_user)
    cold, warm = _cold_and_warm(client, PAGE)
    assert warm <= cold - 15  # the second request reads no goals, indicators or budget
    # The first download renders the file from the built report (the token is read once for
    # both); the next ones send the same file.
    assert _count(client, WORKBOOK) == warm
    assert _count(client, WORKBOOK) == warm
    add_goal_with_indicators(mini_an.board, 1)
    assert _count(client, PAGE) == cold  # any committed change makes the next one build anew
    assert "Extra indikator 0" in client.get(PAGE).content.decode()


def test_fragment_without_download_links_for_stored_reports(mini_an):  # noqa: F811
    from reports.renderers.html import report_context
    from reports.report import report_from_json, report_to_json

    stored = report_from_json(report_to_json(build_report(mini_an.board, 2022)))
    html = report_context(stored, downloads=False)["body"]
    assert "303\xa0504" in html and "AMC: 96,4 AMF: 85,7" in html
    assert ".xlsx" not in html
    assert ".xlsx" in report_context(stored)["body"]
