"""The plan pages and downloads (reports.views.plans): URLs, access, the internbudget's moment
(?per=), the verksamhetsplan's follow-up (?tillfalle=), links, caching and query counts.

The builders of the plan documents are other parts' work; these tests check what the views do
with whatever `build_plan` returns. Where a test needs a table, the builder is wrapped so the
document gets one more table that says which moment and occasion it was built for.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from goals.models import Activity, BoardPlan, ReportingOccasion
from goals.periods import INVALID_DAY, PeriodType
from goals.selectors import end_of_day
from indicators.models import IndicatorValue
from reports.renderers.xlsx import XLSX_CONTENT_TYPE
from reports.report import plans as plan_builders
from reports.report.model import Cell, Column, ReportTable, Row, RowKind
from reports.views import plans as views
from tests.entry_data import VALUE_YEARS, breakdown, goal_chain

pytestmark = pytest.mark.django_db

IB_PAGE = reverse("reports:internbudget", args=["AN", 2022])
IB_XLSX = reverse("reports:internbudget_xlsx", args=["AN", 2022])
VP_PAGE = reverse("reports:verksamhetsplan", args=["AN", 2022])
VP_XLSX = reverse("reports:verksamhetsplan_xlsx", args=["AN", 2022])
TEST_TABLE = "testtabell"


def ib_table(key: str = TEST_TABLE) -> str:
    return reverse("reports:internbudget_table_xlsx", args=["AN", 2022, key])


def vp_table(key: str = TEST_TABLE) -> str:
    return reverse("reports:verksamhetsplan_table_xlsx", args=["AN", 2022, key])


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def builds(monkeypatch):
    """build_plan as the views call it, plus a table naming the moment and the occasion; the
    list holds the arguments of every build."""
    calls: list[dict] = []

    def build(board, year, kind, *, as_of=None, occasion=None, now=None):
        calls.append({"kind": kind, "as_of": as_of, "occasion": occasion})
        report = plan_builders.build_plan(board, year, kind, as_of=as_of, occasion=occasion)
        moment = as_of.isoformat() if as_of else "i dag"
        report.tables.append(
            ReportTable(
                key=TEST_TABLE,
                title="Testtabell",
                columns=[Column("text", "Text"), Column("tal", "Tal", numeric=True)],
                rows=[
                    Row(RowKind.DATA, [Cell(f"per {moment}"), Cell.number(Decimal(3327))]),
                    Row(
                        RowKind.DATA,
                        [Cell(f"tillfälle {occasion.kind if occasion else '-'}"), Cell()],
                    ),
                ],
            )
        )
        return report

    monkeypatch.setattr(views, "build_plan", build)
    return calls


def login(client, user):
    client.force_login(user)
    return client


def workbook_texts(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def decide(board, day: datetime.date | None, kind: str = "internbudget") -> BoardPlan:
    return BoardPlan.objects.create(board=board, year=2022, kind=kind, decided_on=day)


# --- URLs, titles, downloads -----------------------------------------------------------------


def test_urls_are_the_documented_ones():
    assert IB_PAGE == "/namnd/AN/2022/internbudget/"
    assert IB_XLSX == "/namnd/AN/2022/internbudget.xlsx"
    assert ib_table("driftbudget") == "/namnd/AN/2022/internbudget/driftbudget.xlsx"
    assert VP_PAGE == "/namnd/AN/2022/verksamhetsplan/"
    assert VP_XLSX == "/namnd/AN/2022/verksamhetsplan.xlsx"
    assert vp_table("aktiviteter") == "/namnd/AN/2022/verksamhetsplan/aktiviteter.xlsx"


def test_the_pages_show_the_titles_of_the_plans(client, controller_an):
    login(client, controller_an)
    internbudget = client.get(IB_PAGE)
    assert internbudget.status_code == 200
    assert "Arbetsmarknadsnämnden: Internbudget 2022 med plan för 2023–2027" in (
        internbudget.content.decode()
    )
    plan = client.get(VP_PAGE)
    assert plan.status_code == 200
    assert "Arbetsmarknadsnämnden: Verksamhetsplan 2022" in plan.content.decode()


def test_a_plan_without_tables_says_so(client, controller_an, monkeypatch):
    def empty(board, year, kind, **arguments):
        report = plan_builders.build_plan(board, year, kind, **arguments)
        report.tables = []
        return report

    monkeypatch.setattr(views, "build_plan", empty)
    login(client, controller_an)
    html = client.get(IB_PAGE).content.decode()
    assert views.NO_TABLES in html
    assert "Ladda ner hela planen" not in html


def test_the_page_lists_its_tables_with_downloads(client, controller_an, builds):
    login(client, controller_an)
    html = client.get(IB_PAGE).content.decode()
    assert f'href="{IB_XLSX}"' in html
    assert f'href="{ib_table()}"' in html
    assert 'id="testtabell"' in html
    assert "3\xa0327" in html  # the renderer's Swedish number


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        (IB_XLSX, "internbudget-AN-2022.xlsx"),
        (VP_XLSX, "verksamhetsplan-AN-2022.xlsx"),
    ],
)
def test_the_whole_workbook_downloads_and_reopens(client, controller_an, builds, url, filename):
    login(client, controller_an)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    workbook = load_workbook(io.BytesIO(response.content))
    numbers = [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float)
    ]
    assert 3327 in numbers  # a number stays a number


def test_one_table_downloads_alone(client, controller_an, builds):
    login(client, controller_an)
    for url, filename in (
        (ib_table(), "internbudget-AN-2022-testtabell.xlsx"),
        (vp_table(), "verksamhetsplan-AN-2022-testtabell.xlsx"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        workbook = load_workbook(io.BytesIO(response.content))
        assert len(workbook.worksheets) == 1


def test_an_unknown_table_is_404_with_a_swedish_message(client, controller_an, builds):
    login(client, controller_an)
    for url in (ib_table("finns-inte"), vp_table("finns-inte")):
        response = client.get(url)
        assert response.status_code == 404
        assert views.NO_SUCH_TABLE in response.content.decode()


def test_the_downloads_take_only_get(client, controller_an):
    login(client, controller_an)
    for url in (IB_PAGE, IB_XLSX, ib_table(), VP_PAGE, VP_XLSX):
        assert client.post(url).status_code == 405


# --- access ----------------------------------------------------------------------------------

ALL_URLS = [IB_PAGE, IB_XLSX, ib_table(), VP_PAGE, VP_XLSX, vp_table()]


@pytest.mark.parametrize("persona", ["admin_user", "controller_an", "secretary_an", "manager_an"])
def test_the_boards_people_see_and_download_the_plans(client, board_an, persona, request, builds):
    login(client, request.getfixturevalue(persona))
    for url in ALL_URLS:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["controller_other", "outsider"])
def test_everyone_else_gets_404(client, board_an, persona, request, builds):
    login(client, request.getfixturevalue(persona))
    for url in ALL_URLS:
        assert client.get(url).status_code == 404, url
    assert builds == []  # nothing was built for them


def test_anonymous_visitors_are_sent_to_login(client, board_an):
    for url in ALL_URLS:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


def test_a_year_the_board_did_not_exist_is_404(client, controller_an, builds):
    login(client, controller_an)
    for name in ("reports:internbudget", "reports:verksamhetsplan_xlsx"):
        assert client.get(reverse(name, args=["AN", 2015])).status_code == 404


# --- the internbudget's moment ---------------------------------------------------------------


def test_a_decided_plan_shows_its_figures_as_of_its_decision(
    client, controller_an, board_an, builds
):
    decide(board_an, datetime.date(2021, 10, 20))
    login(client, controller_an)
    html = client.get(IB_PAGE).content.decode()
    assert "Utfallen visas som de var kända 20 oktober 2021, när planen beslutades" in html
    assert builds[-1]["as_of"] == end_of_day(datetime.date(2021, 10, 20))
    workbook = client.get(IB_XLSX)
    assert f"per {end_of_day(datetime.date(2021, 10, 20)).isoformat()}" in workbook_texts(
        workbook.content
    )


def test_a_plan_without_a_decision_date_shows_todays_figures(
    client, controller_an, board_an, builds
):
    decide(board_an, None)
    login(client, controller_an)
    html = client.get(IB_PAGE).content.decode()
    assert views.AS_OF_UNDECIDED in html
    assert "Planen har inget beslutsdatum: utfallen visas som de är i dag" in html
    assert builds[-1]["as_of"] is None


def test_per_shows_the_plan_as_of_another_day(client, controller_an, board_an, builds):
    decide(board_an, datetime.date(2021, 10, 20))
    login(client, controller_an)
    html = client.get(IB_PAGE + "?per=2022-06-30").content.decode()
    assert "Utfallen visas som de var kända 30 juni 2022." in html
    assert builds[-1]["as_of"] == end_of_day(datetime.date(2022, 6, 30))
    # The downloads on the page are of the same moment.
    assert f'href="{IB_XLSX}?per=2022-06-30"' in html
    assert f'href="{ib_table()}?per=2022-06-30"' in html
    texts = workbook_texts(client.get(IB_XLSX + "?per=2022-06-30").content)
    assert f"per {end_of_day(datetime.date(2022, 6, 30)).isoformat()}" in texts
    response = client.get(ib_table() + "?per=2022-06-30")
    assert response["Content-Disposition"] == (
        'attachment; filename="internbudget-AN-2022-testtabell.xlsx"'
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2021-13-45", INVALID_DAY),
        ("igår", INVALID_DAY),
        ("20/10/2021", INVALID_DAY),
        ("9999-12-31", "har inte varit än"),
        ("2" * 3000, INVALID_DAY),
    ],
)
def test_an_invalid_day_is_a_message_at_the_field_and_the_default_figures(
    client, controller_an, board_an, builds, typed, message
):
    decide(board_an, datetime.date(2021, 10, 20))
    login(client, controller_an)
    response = client.get(IB_PAGE, {"per": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html  # the message is at the date field
    assert "Utfallen visas som de var kända 20 oktober 2021, när planen beslutades" in html
    assert builds[-1]["as_of"] == end_of_day(datetime.date(2021, 10, 20))
    # A download with a bad day is refused with the message, never built for another moment.
    download = client.get(IB_XLSX, {"per": typed})
    assert download.status_code == 400
    assert message in download.content.decode()


def test_the_page_and_its_downloads_build_once_per_data_state(
    client, controller_an, board_an, builds
):
    login(client, controller_an)
    client.get(IB_PAGE)
    client.get(IB_XLSX)
    client.get(ib_table())
    client.get(IB_PAGE)
    assert len(builds) == 1
    client.get(IB_PAGE + "?per=2022-03-31")  # another moment: another document
    assert len(builds) == 2
    decide(board_an, datetime.date(2021, 10, 20))  # the data changed
    client.get(IB_XLSX)
    assert len(builds) == 3
    assert builds[-1]["as_of"] == end_of_day(datetime.date(2021, 10, 20))


# --- the verksamhetsplan's follow-up ---------------------------------------------------------


def test_the_verksamhetsplan_offers_the_years_occasions(client, controller_an, board_an, builds):
    helar = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    d1 = ReportingOccasion.objects.create(board=board_an, year=2022, kind="d1")
    ReportingOccasion.objects.create(board=board_an, year=2021, kind="d2")
    login(client, controller_an)
    html = client.get(VP_PAGE).content.decode()
    assert builds[-1]["occasion"] is None  # the plain plan by default
    assert views.PLAIN_PLAN in html
    assert html.index(f'value="{d1.pk}"') < html.index(f'value="{helar.pk}"')
    assert "Delår 2" not in html  # another year's occasion
    assert "tillfälle -" in html


def test_tillfalle_shows_the_follow_up(client, controller_an, board_an, builds):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="d1")
    login(client, controller_an)
    html = client.get(VP_PAGE, {"tillfalle": occasion.pk}).content.decode()
    assert builds[-1]["occasion"] == occasion
    assert "tillfälle d1" in html
    assert f'href="{VP_XLSX}?tillfalle={occasion.pk}"' in html
    response = client.get(VP_XLSX, {"tillfalle": occasion.pk})
    assert response["Content-Disposition"] == (
        'attachment; filename="verksamhetsplan-AN-2022-uppfoljning-d1.xlsx"'
    )
    assert "tillfälle d1" in workbook_texts(response.content)
    table = client.get(vp_table(), {"tillfalle": occasion.pk})
    assert table["Content-Disposition"] == (
        'attachment; filename="verksamhetsplan-AN-2022-uppfoljning-d1-testtabell.xlsx"'
    )


def test_an_occasion_of_another_board_or_year_is_404(
    client, controller_an, board_an, board_other, builds
):
    other_board = ReportingOccasion.objects.create(board=board_other, year=2022, kind="d1")
    other_year = ReportingOccasion.objects.create(board=board_an, year=2021, kind="d1")
    login(client, controller_an)
    for wanted in (other_board.pk, other_year.pk, 999999, "abc"):
        for url in (VP_PAGE, VP_XLSX, vp_table()):
            response = client.get(url, {"tillfalle": wanted})
            assert response.status_code == 404, (url, wanted)
    assert builds == []


# --- links -----------------------------------------------------------------------------------


def test_the_start_page_links_the_plans_of_each_year(client, controller_an, board_an):
    goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=VALUE_YEARS)
    login(client, controller_an)
    html = client.get(reverse("reports:home")).content.decode()
    for year in VALUE_YEARS:
        assert f'href="{reverse("reports:internbudget", args=["AN", year])}"' in html
        assert f'href="{reverse("reports:verksamhetsplan", args=["AN", year])}"' in html


@pytest.mark.parametrize(
    "name", ["reports:board_dashboard", "reports:board_economy", "reports:report"]
)
def test_the_boards_pages_link_the_plans_of_the_year(client, controller_an, board_an, name):
    goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=VALUE_YEARS)
    login(client, controller_an)
    response = client.get(reverse(name, args=["AN", 2022]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{IB_PAGE}"' in html
    assert f'href="{VP_PAGE}"' in html


def test_the_plan_page_marks_itself_in_the_boards_navigation(client, controller_an):
    login(client, controller_an)
    html = client.get(VP_PAGE).content.decode()
    assert f'<a href="{VP_PAGE}" aria-current="page">' in html
    assert f'<a href="{IB_PAGE}">' in html


# --- query counts ----------------------------------------------------------------------------


def grow(board, year_offset: int) -> None:
    """More goals, indicators (with values in more years), activities and occasions."""
    indicators = goal_chain(
        board, goals=3, indicators_per_goal=3, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    total = breakdown()
    for indicator in indicators:
        for year in range(2010 + year_offset, 2014 + year_offset):
            IndicatorValue.objects.get_or_create(
                indicator=indicator, year=year, breakdown=total, defaults={"value": Decimal(1)}
            )
    for number in range(4):
        activity = Activity.objects.create(
            board=board, year=2022, title=f"Aktivitet {year_offset}.{number}", deadline="Q2"
        )
        activity.board_goals.add(indicators[0].board_goal)


def count(client, url: str, params: dict | None = None) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (IB_PAGE, {}),
        (IB_PAGE, {"per": "2022-06-30"}),
        (IB_PAGE, {"per": "fel"}),
        (IB_XLSX, {}),
        (ib_table(), {}),
        (VP_PAGE, {}),
        (VP_XLSX, {}),
        (vp_table(), {}),
    ],
)
def test_the_query_count_is_flat(client, controller_an, board_an, builds, url, params):
    decide(board_an, datetime.date(2021, 10, 20))
    ReportingOccasion.objects.create(board=board_an, year=2022, kind="d1")
    grow(board_an, 0)
    login(client, controller_an)
    small = count(client, url, params)
    grow(board_an, 5)
    for kind in ("d2", "helar"):
        ReportingOccasion.objects.create(board=board_an, year=2022, kind=kind)
    large = count(client, url, params)
    assert small == large, f"{url}: queries grew from {small} to {large}"


def test_the_follow_up_query_count_is_flat(client, controller_an, board_an, builds):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="d1")
    grow(board_an, 0)
    login(client, controller_an)
    small = count(client, VP_PAGE, {"tillfalle": occasion.pk})
    grow(board_an, 5)
    ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    large = count(client, VP_PAGE, {"tillfalle": occasion.pk})
    assert small == large
