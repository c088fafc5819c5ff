"""Pages built through reports.freshness.cached: reused while the data stands, rebuilt after.

For every cached page: the second request reads far less than the first (it only checks the
data token), the query counts of both stay fixed, and a change to the data shows at once on
the next request — the cache must never show a figure the database no longer holds.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Board, ReportingOccasion
from indicators.models import Indicator
from tests.entry_data import field_post, goal_chain
from tests.test_dashboard_overview import row_of
from tests.test_report_fixtures import mini_an  # noqa: F401

pytestmark = pytest.mark.django_db


def _get(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def _pages(mini) -> dict[str, str]:
    indicator = mini.indicators["survey"]
    return {
        "dashboard": reverse("reports:board_dashboard", args=["AN", 2022]),
        "economy": reverse("reports:board_economy", args=["AN", 2022]),
        "overview": reverse("reports:municipality_overview") + "?ar=2022",
        "goal_tree": reverse("reports:goal_tree", args=["AN", 2022]),
        "indicator": reverse("reports:indicator_detail", args=[indicator.pk]),
        "report": reverse("reports:report", args=["AN", 2022]),
    }


@pytest.mark.parametrize(
    "page", ["dashboard", "economy", "overview", "goal_tree", "indicator", "report"]
)
def test_a_warm_page_reads_only_the_token_and_the_users_access(
    client,
    mini_an,  # noqa: F811
    admin_user,
    page,
):
    client.force_login(admin_user)
    url = _pages(mini_an)[page]
    cache.clear()
    cold, cold_html = _get(client, url)
    warm, warm_html = _get(client, url)
    assert warm < cold
    assert warm <= 12, f"{page}: {warm} frågor för en sida ur cachen"
    assert _get(client, url)[0] == warm
    # The same page, apart from the CSRF token and the nonce of each response.
    assert len(warm_html) == pytest.approx(len(cold_html), abs=200)


# The templates that draw a page's every table row, card or tree node; a warm page shows them
# as the HTML its build drew once (reports.renderers.html.row_html says why that matters).
BODY_TEMPLATES = {
    "dashboard": "reports/dashboard_board_goals.html",
    "overview": "reports/dashboard_overview_boards.html",
    "goal_tree": "reports/goal_tree_body.html",
    "report": "reports/_report_body.html",
    "verksamhetsplan": "reports/_report_body.html",
    "internbudget": "reports/_report_body.html",
}


@pytest.mark.parametrize("page", list(BODY_TEMPLATES))
def test_a_warm_page_shows_its_body_as_built_without_drawing_it_again(
    client,
    mini_an,  # noqa: F811
    admin_user,
    page,
):
    client.force_login(admin_user)
    pages = _pages(mini_an) | {
        "verksamhetsplan": reverse("reports:verksamhetsplan", args=["AN", 2022]),
        "internbudget": reverse("reports:internbudget", args=["AN", 2022]),
    }
    url = pages[page]
    cache.clear()
    cold = client.get(url)
    warm = client.get(url)
    assert cold.status_code == warm.status_code == 200
    drawn_cold = {template.name for template in cold.templates}
    drawn_warm = {template.name for template in warm.templates}
    assert BODY_TEMPLATES[page] in drawn_cold
    assert BODY_TEMPLATES[page] not in drawn_warm
    assert "reports/report_table.html" not in drawn_warm
    # ...and the body shown is the one built: the same page but for the CSRF token and nonce.
    assert len(warm.content) == pytest.approx(len(cold.content), abs=200)


@pytest.mark.parametrize("page", ["dashboard", "goal_tree", "indicator", "report"])
def test_a_renamed_indicator_shows_on_the_next_request(client, mini_an, admin_user, page):  # noqa: F811
    client.force_login(admin_user)
    url = _pages(mini_an)[page]
    indicator = mini_an.indicators["survey"]
    before = _get(client, url)[1]
    assert indicator.name in before
    Indicator.objects.filter(pk=indicator.pk).update(name="Helt nytt indikatornamn")
    after = _get(client, url)[1]
    assert "Helt nytt indikatornamn" in after
    if page != "indicator":  # the indicator page's definition history keeps the old name
        assert indicator.name not in after


@pytest.mark.parametrize("page", ["overview", "economy", "report"])
def test_a_renamed_board_shows_on_the_next_request(client, mini_an, admin_user, page):  # noqa: F811
    client.force_login(admin_user)
    url = _pages(mini_an)[page]
    assert "Arbetsmarknadsnämnden" in _get(client, url)[1]
    Board.objects.filter(pk=mini_an.board.pk).update(name="Nämnden för arbete och lärande")
    assert "Nämnden för arbete och lärande" in _get(client, url)[1]


def test_copies_are_kept_apart_by_board_year_and_filter(client, mini_an, admin_user):  # noqa: F811
    client.force_login(admin_user)
    area = mini_an.goals["styrning"].council_goal.goal_area
    whole = _get(client, reverse("reports:board_dashboard", args=["AN", 2022]))[1]
    filtered = _get(
        client, reverse("reports:board_dashboard", args=["AN", 2022]) + f"?malomrade={area.pk}"
    )[1]
    assert filtered != whole
    earlier = _get(client, reverse("reports:goal_tree", args=["AN", 2021]))[1]
    assert "2021" in earlier
    assert earlier != _get(client, reverse("reports:goal_tree", args=["AN", 2022]))[1]


def test_a_cached_page_still_refuses_other_boards(client, mini_an, admin_user, controller_other):  # noqa: F811
    client.force_login(admin_user)
    for url in _pages(mini_an).values():
        _get(client, url)  # now cached
    client.force_login(controller_other)
    pages = _pages(mini_an)
    for name in ("dashboard", "economy", "goal_tree", "indicator", "report"):
        assert client.get(pages[name]).status_code == 404, name
    assert "Arbetsmarknadsnämnden" not in client.get(pages["overview"]).content.decode()


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_a_save_in_one_board_leaves_the_other_boards_pages_in_use(
    client,
    mini_an,  # noqa: F811
    admin_user,
    board_other,
    controller_other,
):
    """A controller of BIN saves a figure through the entry page: AN's report page, dashboard
    and .xlsx stay built (the next request runs only the warm path's queries), BIN's pages and
    the overview of every board are built again and show the new figure."""
    indicator = goal_chain(board_other, goals=1, indicators_per_goal=1)[0]
    ReportingOccasion.objects.create(board=board_other, year=2022, kind="k3")
    client.force_login(admin_user)
    an = {
        "report": reverse("reports:report", args=["AN", 2022]),
        "dashboard": reverse("reports:board_dashboard", args=["AN", 2022]),
        "xlsx": reverse("reports:report_xlsx", args=["AN", 2022]),
        "report-2021": reverse("reports:report", args=["AN", 2021]),
    }
    changed = {
        "bin-dashboard": reverse("reports:board_dashboard", args=["BIN", 2022]),
        "bin-report": reverse("reports:report", args=["BIN", 2022]),
        "overview": reverse("reports:municipality_overview") + "?ar=2022",
    }
    cache.clear()
    warm = {}
    for name, url in {**an, **changed}.items():
        _count(client, url)
        warm[name] = _count(client, url)
    assert "3\xa0327" not in client.get(changed["bin-dashboard"]).content.decode()

    entry = Client()
    entry.force_login(controller_other)
    response = entry.post(
        reverse("indicators:entry_save_value", args=["BIN", 2022, "k3"]),
        field_post(indicator),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()[:500]

    for name, url in an.items():
        assert _count(client, url) == warm[name], f"{name} byggdes om efter en ändring i BIN"
    for name, url in changed.items():
        assert _count(client, url) > warm[name], f"{name} visade en kopia från före ändringen"
        assert _count(client, url) == warm[name]  # and is kept again
    assert "3\xa0327" in client.get(changed["bin-dashboard"]).content.decode()


def test_a_save_in_a_later_year_leaves_the_earlier_report_in_use(client, mini_an, admin_user):  # noqa: F811
    """The report of 2021 shows nothing of 2022; the report of 2022 shows 2021's outcomes."""
    client.force_login(admin_user)
    earlier = reverse("reports:report", args=["AN", 2021])
    later = reverse("reports:report", args=["AN", 2022])
    cache.clear()
    warm = {}
    for url in (earlier, later):
        _count(client, url)
        warm[url] = _count(client, url)
    indicator = mini_an.indicators["survey"]

    def comment(year: int, text: str) -> None:  # raw SQL: the approved year is locked to the ORM
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE indicators_indicatorvalue SET comment = %s WHERE indicator_id = %s "
                "AND year = %s",
                [text, indicator.pk, year],
            )

    comment(2022, "Ny kommentar")
    assert _count(client, earlier) == warm[earlier]
    assert _count(client, later) > warm[later]
    comment(2021, "Äldre")
    assert _count(client, earlier) > warm[earlier]
    assert _count(client, later) > warm[later]


def test_the_all_boards_workbook_rebuilds_only_the_board_that_changed(
    client,
    mini_an,  # noqa: F811
    admin_user,
    board_other,
):
    """The workbook is rebuilt after a save in any board, from the other boards' reports as
    they are cached (the copies their own pages use): fewer queries than building it cold."""
    indicator = goal_chain(board_other, goals=1, indicators_per_goal=1, value_years=(2022,))[0]
    client.force_login(admin_user)
    url = reverse("reports:report_xlsx_all", args=[2022])
    cache.clear()
    cold = _count(client, url)
    warm = _count(client, url)
    assert warm < cold
    indicator.values.filter(year=2022).update(comment="Ändrad i BIN")
    rebuilt = _count(client, url)
    assert warm < rebuilt < cold
    assert _count(client, url) == warm


def test_the_overview_reads_again_only_the_summary_of_the_board_that_changed(
    client,
    mini_an,  # noqa: F811
    admin_user,
    board_other,
    monkeypatch,
):
    """Each board's row of the overview is kept under the board's own token: after a change in
    BIN the overview is drawn again from AN's kept summary and BIN's read anew."""
    from reports.views import dashboard

    indicator = goal_chain(board_other, goals=1, indicators_per_goal=1, value_years=(2022,))[0]
    read: list[list[str]] = []
    real = dashboard.board_summaries

    def spy(boards, year, **kwargs):
        read.append(sorted(board.code for board in boards))
        return real(boards, year, **kwargs)

    monkeypatch.setattr(dashboard, "board_summaries", spy)
    client.force_login(admin_user)
    url = reverse("reports:municipality_overview") + "?ar=2022"
    cache.clear()
    before = client.get(url).content.decode()
    assert read == [["AN", "BIN"]]  # cold: every board's summary, read together
    client.get(url)
    assert read == [["AN", "BIN"]]
    indicator.values.filter(year=2022).update(value=None, missing_reason="saknas")
    after = client.get(url).content.decode()
    assert read == [["AN", "BIN"], ["BIN"]]
    # BIN's row shows what the database holds now, as a build from nothing shows it; AN's
    # row is the one it was.
    assert row_of(after, "Bildningsnämnden") != row_of(before, "Bildningsnämnden")
    assert row_of(after, mini_an.board.name) == row_of(before, mini_an.board.name)
    cache.clear()
    fresh = client.get(url).content.decode()
    for name in ("Bildningsnämnden", mini_an.board.name):
        assert row_of(fresh, name) == row_of(after, name)
