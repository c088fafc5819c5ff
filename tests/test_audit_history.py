"""The audit trail in the UI: who, when (Europe/Stockholm), before and after, and the source of each change."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import ChangeSource
from goals import services
from goals.models import ReportingOccasion
from goals.periods import Period, PeriodType
from indicators.models import IndicatorValue
from indicators.services import save_value
from tests.entry_data import breakdown, goal_chain

Q = PeriodType.QUARTER


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


def _save(user, indicator, number, version, source=ChangeSource.FORM, gender=""):
    return save_value(
        user=user,
        indicator=indicator,
        period=Period(2023, PeriodType(Q), 3),
        breakdown=breakdown(gender),
        value=None if number is None else Decimal(number),
        expected_version=version,
        source=source,
    )


def test_value_history_shows_each_change(client, board_an, occasion, controller_an, admin_user):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = _save(controller_an, indicator, 3196, 0).value
    _save(admin_user, indicator, 3327, 1, source=ChangeSource.IMPORT)
    client.force_login(controller_an)
    response = client.get(reverse("indicators:value_history", args=[value.pk]))
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [(line.user, line.before, line.after, line.source) for line in lines] == [
        ("admin", "3\xa0196", "3\xa0327", "Import"),
        ("controller_an", "–", "3\xa0196", "Formulär"),
    ]
    html = response.content.decode()
    # Issue 12: Europe/Stockholm like every other page, not UTC.
    assert "UTC" not in html
    newest = value.history.first().history_date.astimezone(ZoneInfo("Europe/Stockholm"))
    assert newest.strftime("%Y-%m-%d %H:%M:%S") in html
    assert reverse("indicators:entry_page", args=["AN", occasion.year, occasion.kind]) in html


def test_deleted_value_keeps_its_history(client, board_an, occasion, controller_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = _save(controller_an, indicator, 10, 0).value
    _save(controller_an, indicator, None, 1)
    assert not IndicatorValue.objects.filter(pk=value.pk).exists()
    client.force_login(controller_an)
    response = client.get(reverse("indicators:value_history", args=[value.pk]))
    assert response.status_code == 200
    assert response.context["lines"][0].change == "Borttaget"
    assert "borttaget" in response.content.decode()
    assert "(Borttaget av controller_an, " in response.content.decode()


def test_finer_figure_shows_exactly_in_before_and_after(client, board_an, occasion, controller_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = _save(controller_an, indicator, "9.5", 0).value
    _save(controller_an, indicator, "10", 1)
    client.force_login(controller_an)
    lines = client.get(reverse("indicators:value_history", args=[value.pk])).context["lines"]
    assert [(line.before, line.after) for line in lines] == [("9,5", "10"), ("–", "9,5")]


def test_comment_edit_shows_old_and_new_text():
    from indicators.views_history import text_change

    assert text_change("Analys", "Gammal", "Ny") == "Analys: ”Gammal” → ”Ny”"
    assert text_change("Analys", "Samma", "Samma ") == ""


def test_value_history_is_404_for_other_boards(
    client, board_an, occasion, controller_an, controller_other, outsider
):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = _save(controller_an, indicator, 10, 0).value
    for user in (controller_other, outsider):
        client.force_login(user)
        assert client.get(reverse("indicators:value_history", args=[value.pk])).status_code == 404
    client.force_login(controller_an)
    assert (
        client.get(reverse("indicators:value_history", args=[value.pk + 1000])).status_code == 404
    )


def test_history_link_on_the_entry_page(client, board_an, occasion, controller_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = _save(controller_an, indicator, 10, 0).value
    client.force_login(controller_an)
    page = client.get(reverse("indicators:entry_page", args=["AN", 2023, "k3"])).content.decode()
    assert reverse("indicators:value_history", args=[value.pk]) in page


def test_occasion_log_lists_values_assessments_and_transitions(
    client, board_an, controller_an, secretary_an, admin_user
):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR)[0]
    save_value(
        user=controller_an,
        indicator=indicator,
        period=Period(2023, PeriodType.YEAR, 1),
        breakdown=breakdown(),
        value=Decimal(5),
        expected_version=0,
    )
    services.save_assessment(
        user=controller_an,
        occasion=occasion,
        board_goal=indicator.board_goal,
        level="delvis",
        suggested_level="uppnatt",
        expected_version=0,
    )
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    services.reopen_occasion(user=admin_user, occasion=occasion, reason="Rättelse av K4")
    client.force_login(controller_an)
    response = client.get(reverse("indicators:entry_occasion_log", args=["AN", 2023, "helar"]))
    assert response.status_code == 200
    subjects = [line.subject for line in response.context["lines"]]
    assert any(subject.startswith("Indikator 1.1, Totalt, 2023") for subject in subjects)
    assert "Bedömning: Nämndmål 1" in subjects
    assert subjects.count("Tillfällets status") == 3
    html = response.content.decode()
    assert "Rättelse av K4" in html and "Förslag: Uppnått" in html


def test_occasion_log_query_count_is_flat(client, board_an, controller_an):
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    client.force_login(controller_an)
    url = reverse("indicators:entry_occasion_log", args=["AN", 2023, "k3"])

    def fill(count):
        for indicator in goal_chain(board_an, goals=1, indicators_per_goal=count):
            for gender in ("", "K", "M"):
                _save(controller_an, indicator, 1, 0, gender=gender)

    fill(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    fill(8)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["lines"]) == 30
    assert len(large) == len(small)


def test_occasion_log_shows_old_and_new_analysis_text(client, board_an, controller_an):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR)[0]
    for version, text in enumerate(["Första analysen", "Andra analysen"]):
        services.save_assessment(
            user=controller_an,
            occasion=occasion,
            board_goal=indicator.board_goal,
            level="uppnatt",
            analysis=text,
            expected_version=version,
        )
    client.force_login(controller_an)
    response = client.get(reverse("indicators:entry_occasion_log", args=["AN", 2023, "helar"]))
    html = response.content.decode()
    assert "Analys: ”Första analysen” → ”Andra analysen”" in html


def test_value_history_shows_footnote_edits_with_the_text(
    client, board_an, occasion, controller_an
):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    common = {
        "user": controller_an,
        "indicator": indicator,
        "period": Period(2023, PeriodType.QUARTER, 3),
        "breakdown": breakdown(),
        "value": Decimal(5),
    }
    value = save_value(**common, footnote="Preliminärt", expected_version=0).value
    value.refresh_from_db()
    save_value(**common, footnote="Slutligt", expected_version=value.version)
    client.force_login(controller_an)
    html = client.get(reverse("indicators:value_history", args=[value.pk])).content.decode()
    assert "Fotnot: ”(tom)” → ”Preliminärt”" in html
    assert "Fotnot: ”Preliminärt” → ”Slutligt”" in html
