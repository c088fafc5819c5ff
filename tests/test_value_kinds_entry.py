"""Value kinds on the entry path: a text outcome through the service, the field, "Spara alla";
"Ska inte öka" in the suggestion; activities with deadlines as written, by due quarter."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.periods import Period, PeriodType
from indicators.entry import entry_sheet
from indicators.models import IndicatorValue
from indicators.services import (
    NUMBER_ON_TEXT,
    TEXT_AND_OTHER,
    TEXT_ON_NUMERIC,
    save_value,
)
from tests.entry_data import field_post
from tests.test_value_kinds_data import SHARED_NOTE, TEXT_OUTCOME, build_plan, full_year, total

pytestmark = pytest.mark.django_db

YEAR = Period(2022, PeriodType.YEAR, 1)


@pytest.fixture
def plan(board_an):
    return build_plan(board_an)


def key(indicator) -> str:
    return f"v{indicator.pk}-{total().pk}-ar-1"


def page(client, occasion) -> str:
    url = reverse("indicators:entry_page", args=[occasion.board.code, 2022, "helar"])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def save_url(occasion, name="entry_save_value") -> str:
    return reverse(f"indicators:{name}", args=[occasion.board.code, 2022, "helar"])


def post_field(indicator, value, *, version=0, **extra) -> dict:
    """The POST of the indicator's year total (entry_data.field_post, for the year)."""
    return field_post(indicator, value, period_type="ar", period_number=1, version=version, **extra)


def stored(indicator, year=2022):
    return IndicatorValue.objects.filter(indicator=indicator, year=year).first()


# -- the service -----------------------------------------------------------------------------
def test_save_value_stores_a_text_with_version_and_history(plan, controller_an):
    value = plan.text_value
    result = save_value(
        user=controller_an,
        indicator=plan.qualitative,
        period=YEAR,
        breakdown=total(),
        value=None,
        text="  Tydligt bättre bemötande.  ",
        expected_version=value.version,
    )
    value.refresh_from_db()
    assert result.value is not None and result.changed
    assert value.text == "Tydligt bättre bemötande."
    assert value.value is None and value.missing_reason == ""
    assert value.version == 2
    latest = value.history.order_by("-history_date").first()
    assert latest.text == "Tydligt bättre bemötande." and latest.history_user == controller_an


def test_a_stale_version_of_a_text_is_a_conflict_and_writes_nothing(plan, controller_an):
    with pytest.raises(ValidationError) as refused:
        save_value(
            user=controller_an,
            indicator=plan.qualitative,
            period=YEAR,
            breakdown=total(),
            value=None,
            text="Ny text",
            expected_version=0,
        )
    assert "Ny text" in refused.value.messages[0]
    assert stored(plan.qualitative).text == TEXT_OUTCOME


@pytest.mark.parametrize(
    ("which", "number", "text", "reason", "message"),
    [
        ("not_increase", None, "Ökade något", "", TEXT_ON_NUMERIC),
        ("qualitative", Decimal(3), "", "", NUMBER_ON_TEXT),
        ("qualitative", None, "Text", "annat", TEXT_AND_OTHER),
    ],
)
def test_the_service_refuses_mixed_kinds_in_swedish(
    plan, controller_an, which, number, text, reason, message
):
    indicator = getattr(plan, which)
    before = list(IndicatorValue.objects.values_list("pk", "value", "text", "version"))
    with pytest.raises(ValidationError) as refused:
        save_value(
            user=controller_an,
            indicator=indicator,
            period=YEAR,
            breakdown=total(),
            value=number,
            text=text,
            missing_reason=reason,
            is_missing=bool(reason),
            expected_version=stored(indicator).version,
        )
    assert refused.value.messages == [message]
    assert list(IndicatorValue.objects.values_list("pk", "value", "text", "version")) == before


# -- the entry page --------------------------------------------------------------------------
def test_a_qualitative_field_is_a_textarea_with_the_stored_text(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    html = page(client, occasion)
    field = key(plan.qualitative)
    assert re.search(rf'<textarea id="{field}-value"[^>]*name="{field}-value"', html)
    assert f">{TEXT_OUTCOME}</textarea>" in html
    numeric = key(plan.not_increase)
    assert re.search(rf'<input id="{numeric}-value"[^>]*inputmode="decimal"', html)
    assert not re.search(rf'<textarea id="{numeric}-value"', html)


def test_the_field_saves_a_text_as_json(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    value = plan.text_value
    response = client.post(
        save_url(occasion),
        post_field(plan.qualitative, "Inga skillnader.", version=value.version),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "saved"
    value.refresh_from_db()
    assert (value.text, value.value, value.version) == ("Inga skillnader.", None, 2)


def test_a_new_text_outcome_and_iu_on_a_qualitative_indicator(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    plan.text_value.delete()
    answer = client.post(
        save_url(occasion), post_field(plan.qualitative, "I.U.", missing_reason="ej_matt")
    )
    assert answer.status_code in (200, 302)
    value = stored(plan.qualitative)
    assert value.is_missing and value.missing_reason == "ej_matt" and value.text == ""


def test_a_text_on_a_numeric_field_is_refused_at_the_field(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    value = stored(plan.not_increase)
    response = client.post(
        save_url(occasion),
        post_field(plan.not_increase, "Ökade något", version=value.version),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 422
    assert response.json()["state"] == "error"
    assert response.json()["messages"][0]["text"]  # the parser's Swedish message
    value.refresh_from_db()
    assert value.value == 95 and value.version == 1


def test_save_all_takes_a_text_and_refuses_all_on_one_bad_number(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    text_key, number_key = key(plan.qualitative), key(plan.not_increase)
    version = stored(plan.not_increase).version

    def grid(number: str) -> dict:
        return {
            "fields": [text_key, number_key],
            f"{text_key}-version": plan.text_value.version,
            f"{text_key}-value": "Något bättre än i fjol.",
            f"{number_key}-version": version,
            f"{number_key}-value": number,
        }

    refused = client.post(save_url(occasion, "entry_save_all"), grid("nittio"))
    assert refused.status_code == 422
    assert stored(plan.qualitative).text == TEXT_OUTCOME  # nothing written
    saved = client.post(
        save_url(occasion, "entry_save_all"), grid("90"), HTTP_ACCEPT="application/json"
    )
    assert saved.status_code == 200, saved.content
    assert stored(plan.qualitative).text == "Något bättre än i fjol."
    assert stored(plan.not_increase).value == 90


def test_a_long_text_is_kept_and_a_too_long_one_refused(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    long_text = "Ord " * 200
    response = client.post(
        save_url(occasion),
        post_field(plan.qualitative, long_text, version=1),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert stored(plan.qualitative).text == long_text.strip()
    too_long = client.post(
        save_url(occasion),
        post_field(plan.qualitative, "x" * 4001, version=2),
        HTTP_ACCEPT="application/json",
    )
    assert too_long.status_code == 422
    assert stored(plan.qualitative).text == long_text.strip()


# -- the suggestion and the reference columns -------------------------------------------------
def test_the_suggestion_judges_not_increase_and_skips_the_text(plan):
    occasion = full_year(plan.goal.board)
    sheet = entry_sheet(occasion)
    goal = next(goal for area in sheet.areas for goal in area.goals if goal.goal == plan.goal)
    lines = "\n".join(goal.suggestion.lines)
    assert "Brukarnas upplevelse av bemötandet: textutfall – räknas inte." in lines
    assert (
        "Antal anmälningar om missförhållanden: 95 mot målvärdet Ska inte öka – uppnått." in lines
    )


def test_not_increase_not_met_when_the_outcome_rose(board_an):
    plan = build_plan(board_an, not_increase_2022=101)
    sheet = entry_sheet(full_year(board_an))
    goal = next(goal for area in sheet.areas for goal in area.goals if goal.goal == plan.goal)
    assert any(line.endswith("Ska inte öka – inte uppnått.") for line in goal.suggestion.lines)


def test_reference_columns_print_dash_for_nothing_and_iu_for_a_stored_iu(plan):
    occasion = full_year(plan.goal.board, 2021)
    sheet = entry_sheet(occasion)
    fields = {entry.indicator.pk: entry for entry in sheet.all_fields()}
    # 2021's field: last year (2020) is a stored I.U. for one, nothing for another.
    assert fields[plan.not_increase.pk].last_year_year_text == "I.U."
    assert fields[plan.not_given.pk].last_year_year_text == "–"


def test_the_baseline_years_are_not_fields_of_the_entry_page(plan):
    sheet = entry_sheet(full_year(plan.goal.board, 2021))
    assert plan.baseline.pk not in {entry.indicator.pk for entry in sheet.all_fields()}
    sheet = entry_sheet(full_year(plan.goal.board, 2022))
    baseline = next(e for e in sheet.all_fields() if e.indicator.pk == plan.baseline.pk)
    assert baseline.last_year_year_text == "47,25\xa0%"


# -- activities ------------------------------------------------------------------------------
def test_activities_show_the_deadline_as_written_sorted_by_quarter(client, plan, controller_an):
    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    html = page(client, occasion)
    titles = ["Trygghetsvandringar", "Utbildning i bemötande", "Ny rutin för anmälningar"]
    positions = [html.index(title) for title in [*titles, "Löpande dialog"]]
    assert positions == sorted(positions)
    assert "(klart senast: Redovisat till KS hösten -18)" in html
    assert "(klart senast: Succesivt avslut Q4)" in html
    assert "Nämndmål: Ett gott bemötande" in html
    assert "Uppdrag: Utred en samlad ingång för anmälningar" in html
    assert "Styrdokument: Program för trygghet" in html
    assert "Målområde: Trygghet" in html


def test_the_value_history_shows_the_text_before_and_after(client, plan, controller_an):
    value = plan.text_value
    save_value(
        user=controller_an,
        indicator=plan.qualitative,
        period=YEAR,
        breakdown=total(),
        value=None,
        text="Tydligt bättre.",
        expected_version=value.version,
    )
    client.force_login(controller_an)
    response = client.get(reverse("indicators:value_history", args=[value.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tydligt bättre." in html
    assert "I.U. (" not in html


def test_a_shared_footnote_is_shown_at_the_value_it_also_applies_to(client, plan, controller_an):
    occasion = full_year(plan.goal.board, 2021)
    client.force_login(controller_an)
    url = reverse("indicators:entry_page", args=[occasion.board.code, 2021, "helar"])
    html = client.get(url).content.decode()
    assert f"Gemensam fotnot (hör till ett annat utfall): {SHARED_NOTE}" in html
    field = f"v{plan.not_increase.pk}-{total().pk}-ar-1"
    assert re.search(rf'id="{field}-footnote"[^>]*value=""', html)  # its own stays empty


def test_the_activity_list_runs_the_same_queries_with_more_activities(client, plan, controller_an):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goals.models import Activity

    occasion = full_year(plan.goal.board)
    client.force_login(controller_an)
    page(client, occasion)  # warm the caches that are not what is counted

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page(client, occasion)
        return len(queries)

    before = count()
    for number in range(5):
        activity = Activity.objects.create(
            board=plan.goal.board,
            year=2022,
            title=f"Fler aktiviteter {number}",
            deadline="Q2",
            due_quarter=2,
            assignment=plan.activities[1].assignment,
            policy_document=plan.activities[2].policy_document,
            goal_area=plan.activities[3].goal_area,
            order=10 + number,
        )
        activity.board_goals.add(plan.goal)
    assert count() == before
    assert "Fler aktiviteter 4" in page(client, occasion)
