"""The entry page: grouped fields with reference figures, per-field save, errors kept at the field."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from goals.models import ReportingOccasion
from goals.periods import PeriodType
from indicators.models import Footnote, Indicator, IndicatorValue
from indicators.parsing import DECIMAL_POINT
from indicators.services import COMPUTED_READ_ONLY, WARN_GENDER_SUM
from tests.entry_data import breakdown, goal_chain, set_value

Q = PeriodType.QUARTER
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


@pytest.fixture
def indicators(board_an):
    items = goal_chain(board_an, goals=2, indicators_per_goal=2)
    first = items[0]
    set_value(first, year=2022, period_type=Q, number=3, value=2917)  # same period last year
    set_value(first, year=2023, period_type=Q, number=2, value=3196)  # previous period
    return items


def page_url(occasion):
    return reverse(
        "indicators:entry_page", args=[occasion.board.code, occasion.year, occasion.kind]
    )


def save_url(occasion):
    return reverse(
        "indicators:entry_save_value", args=[occasion.board.code, occasion.year, occasion.kind]
    )


def post_value(client, occasion, indicator, *, value="", gender="", version=0, **extra):
    data = {
        "indicator": indicator.pk,
        "breakdown": breakdown(gender).pk,
        "period_type": Q,
        "period_number": 3,
        "version": version,
        "value": value,
        "missing_reason": extra.pop("missing_reason", ""),
        "comment": extra.pop("comment", ""),
        "footnote": extra.pop("footnote", ""),
    }
    return client.post(save_url(occasion), data, **HTMX, **extra)


def value_inputs(html: str) -> int:
    """The value inputs of the grid (each named <field key>-value)."""
    return len(re.findall(r'name="v\d+-\d+-[a-z]+-\d+-value"', html))


def stored(indicator, gender=""):
    return IndicatorValue.objects.filter(
        indicator=indicator, year=2023, period_type=Q, period_number=3, breakdown=breakdown(gender)
    ).first()


def test_page_groups_fields_with_reference_figures(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    response = client.get(page_url(occasion))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Medborgare" in html  # målområde
    assert "Nämndmål 1" in html and "Nämndmål 2" in html
    goal_1 = html.index(">Nämndmål 1</h3>")
    indicator = html.index('<span class="ef-indicator">Indikator 1.1')
    assert goal_1 < indicator < html.index(">Nämndmål 2</h3>")
    assert "2\xa0917" in html  # same period last year
    assert "3\xa0196" in html  # previous period
    assert "3\xa0300" in html  # target
    # total, kvinnor and män for each of the four indicators
    assert value_inputs(html) == 12
    assert "Kvinnor" in html and "Män" in html


def test_swedish_number_is_saved_and_reported_at_the_field(
    client, controller_an, occasion, indicators
):
    client.force_login(controller_an)
    response = post_value(client, occasion, indicators[0], value="3 327")
    assert response.status_code == 200
    assert "Sparat" in response.content.decode()
    value = stored(indicators[0])
    assert value.value == Decimal(3327)
    assert value.version == 1
    assert value.updated_by == controller_an
    last = value.history.first()
    assert last.history_user == controller_an
    assert last.history_source == "formular"


def test_invalid_value_is_not_stored_and_shown_back(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    response = post_value(client, occasion, indicators[0], value="12.5")
    html = response.content.decode()
    assert stored(indicators[0]) is None
    assert DECIMAL_POINT.format(suggestion="12,5") in html
    assert 'value="12.5"' in html  # the typed text is kept
    assert 'aria-invalid="true"' in html


def test_invalid_value_does_not_replace_stored_value(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    post_value(client, occasion, indicators[0], value="88,9")
    response = post_value(client, occasion, indicators[0], value="8 8,9", version=1)
    assert stored(indicators[0]).value == Decimal("88.9")
    assert 'value="8 8,9"' in response.content.decode()


def test_missing_needs_a_reason_and_keeps_the_footnote(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    response = post_value(client, occasion, indicators[0], value="I.U.")
    assert "Ange skäl till I.U." in response.content.decode()
    assert stored(indicators[0]) is None
    post_value(
        client,
        occasion,
        indicators[0],
        value="I.U.",
        missing_reason="for_litet_underlag",
        footnote="Svarsfrekvens 7 %",
        comment="Enkäten gjordes inte",
    )
    value = stored(indicators[0])
    assert value.value is None and value.missing_reason == "for_litet_underlag"
    assert value.comment == "Enkäten gjordes inte"
    assert Footnote.objects.get(value=value).text == "Svarsfrekvens 7 %"


def test_stale_version_is_refused_with_the_other_users_value(
    client, controller_an, admin_user, occasion, indicators
):
    client.force_login(controller_an)
    post_value(client, occasion, indicators[0], value="100")  # version 0 → 1
    other = client.__class__()
    other.force_login(admin_user)
    post_value(other, occasion, indicators[0], value="200", version=1)  # → 2
    response = post_value(client, occasion, indicators[0], value="300", version=1)
    html = response.content.decode()
    assert stored(indicators[0]).value == Decimal(200)
    assert "admin sparade 200 här" in html  # who saved what
    assert "Ditt värde 300 sparades inte" in html
    assert 'value="300"' in html  # what this user typed is still in the field


def test_soft_check_warns_but_saves(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    post_value(client, occasion, indicators[0], value="100")
    post_value(client, occasion, indicators[0], value="40", gender="K")
    response = post_value(client, occasion, indicators[0], value="50", gender="M")
    html = response.content.decode()
    assert stored(indicators[0], "M").value == Decimal(50)
    assert WARN_GENDER_SUM.format(women="40", men="50", sum="90", total="100") in html


def test_share_outside_range_warns(client, controller_an, occasion, indicators):
    indicator = indicators[1]
    Indicator.objects.filter(pk=indicator.pk).update(unit=Indicator.Unit.PERCENT)
    client.force_login(controller_an)
    response = post_value(client, occasion, indicator, value="130")
    assert "utanför 0–100" in response.content.decode()
    assert stored(indicator).value == Decimal(130)


def test_far_from_history_warns(client, controller_an, occasion, indicators):
    indicator = indicators[1]
    for year, number in ((2021, 1), (2021, 2), (2022, 1), (2022, 2), (2023, 1)):
        set_value(indicator, year=year, period_type=Q, number=number, value=100 + number)
    client.force_login(controller_an)
    response = post_value(client, occasion, indicator, value="900")
    assert "avviker mycket" in response.content.decode()
    assert stored(indicator).value == Decimal(900)


def test_locked_occasion_refuses_and_page_is_read_only(client, controller_an, occasion, indicators):
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")
    client.force_login(controller_an)
    response = post_value(client, occasion, indicators[0], value="1")
    assert "godkänt och låst" in response.content.decode()
    assert stored(indicators[0]) is None
    page = client.get(page_url(occasion)).content.decode()
    assert 'name="value"' not in page


def test_computed_indicator_is_read_only(client, controller_an, occasion, indicators):
    Indicator.objects.filter(pk=indicators[1].pk).update(computed="budgetavvikelse")
    client.force_login(controller_an)
    response = post_value(client, occasion, indicators[1], value="1")
    assert COMPUTED_READ_ONLY in response.content.decode()
    assert stored(indicators[1]) is None


def test_other_boards_controller_gets_404(client, controller_other, occasion, indicators):
    client.force_login(controller_other)
    assert client.get(page_url(occasion)).status_code == 404
    assert post_value(client, occasion, indicators[0], value="1").status_code == 404
    assert stored(indicators[0]) is None


def test_manager_sees_but_cannot_save(client, manager_an, occasion, indicators):
    client.force_login(manager_an)
    page = client.get(page_url(occasion))
    assert page.status_code == 200
    assert value_inputs(page.content.decode()) == 0
    assert post_value(client, occasion, indicators[0], value="1").status_code == 404


def test_without_javascript_save_redirects_back(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    data = {
        "indicator": indicators[0].pk,
        "breakdown": breakdown().pk,
        "period_type": Q,
        "period_number": 3,
        "version": 0,
        "value": "-4,1",
    }
    response = client.post(save_url(occasion), data)
    # A negative count now warns (issue 12), so the page is shown again with the warning.
    assert response.status_code == 200
    assert "sällan negativt" in response.content.decode()
    assert stored(indicators[0]).value == Decimal("-4.1")
    bad = client.post(save_url(occasion), {**data, "version": 1, "value": "abc"})
    assert bad.status_code == 200
    assert 'value="abc"' in bad.content.decode()


def test_period_not_due_is_404(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    data = {
        "indicator": indicators[0].pk,
        "breakdown": breakdown().pk,
        "period_type": Q,
        "period_number": 2,
        "version": 0,
        "value": "1",
    }
    assert client.post(save_url(occasion), data, **HTMX).status_code == 404


def test_query_count_does_not_grow_with_indicators(client, controller_an, board_an):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="d2")
    first = goal_chain(board_an, goals=1, indicators_per_goal=5, frequency=PeriodType.TERTIAL)
    set_value(first[0], year=2023, period_type=PeriodType.TERTIAL, number=2, value=5)
    client.force_login(controller_an)
    client.get(page_url(occasion))  # warm sessions
    with CaptureQueriesContext(connection) as small:
        assert client.get(page_url(occasion)).status_code == 200
    goal_chain(board_an, goals=3, indicators_per_goal=5, frequency=PeriodType.TERTIAL)
    for indicator in Indicator.objects.exclude(pk=first[0].pk)[:10]:
        set_value(indicator, year=2023, period_type=PeriodType.TERTIAL, number=2, value=5)
    with CaptureQueriesContext(connection) as large:
        response = client.get(page_url(occasion))
    assert value_inputs(response.content.decode()) == 60
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_large_ids_are_not_grouped_in_the_form(client, controller_an, board_an, occasion):
    """With USE_THOUSAND_SEPARATOR an id of 1234 must still post as 1234, not "1 234"."""
    goal = goal_chain(board_an, goals=1, indicators_per_goal=1)[0].board_goal
    indicator = Indicator.objects.create(
        pk=12345,
        board=board_an,
        board_goal=goal,
        name="Stor indikator",
        frequency=Q,
        valid_from=2019,
    )
    client.force_login(controller_an)
    html = client.get(page_url(occasion)).content.decode()
    assert 'name="fields" value="v12345-' in html
    post_value(client, occasion, indicator, value="7")
    assert stored(indicator).value == Decimal(7)


def test_full_year_page_query_count_with_assessments_and_statuses(
    client, controller_an, board_an, municipality
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goals.models import Activity, GoalAssessment, StrategicAssignment

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")

    def grow(goals: int) -> None:
        for indicator in goal_chain(board_an, goals=goals, indicators_per_goal=3):
            set_value(indicator, year=2023, period_type=PeriodType.YEAR, number=1, value=3400)
            GoalAssessment.objects.get_or_create(
                occasion=occasion, board_goal=indicator.board_goal, defaults={"level": "delvis"}
            )
            assignment = StrategicAssignment.objects.create(
                municipality=municipality, scope="kommungemensamt", text="U", valid_from=2023
            )
            assignment.statuses.create(occasion=occasion, status="pagar")
            activity = Activity.objects.create(board=board_an, year=2023, title="A", deadline="Q4")
            activity.board_goals.add(indicator.board_goal)
            activity.statuses.create(occasion=occasion, status="genomfort")

    grow(1)
    client.force_login(controller_an)
    client.get(page_url(occasion))
    with CaptureQueriesContext(connection) as small:
        client.get(page_url(occasion))
    grow(4)
    with CaptureQueriesContext(connection) as large:
        response = client.get(page_url(occasion))
    html = response.content.decode()
    assert html.count('class="assessment') == 5
    assert "Förslag utifrån indikatorerna" in html
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_page_work_per_field_does_not_grow(client, controller_an, occasion, indicators):
    """The per-field work that made a large board's page slow stays out of it.

    The values (with their previous and last year's figures and footnotes) are read as rows, not
    as IndicatorValue instances with a footnote queryset each, and no URL is reversed per field
    (a reverse() costs about 50 µs; the history links share one). Both grew with the fields.
    """
    from unittest import mock

    from django.db.models.signals import post_init
    from django.urls.resolvers import URLResolver

    def page_work():
        built = []

        def count(sender, instance, **kwargs):
            built.append(instance)

        post_init.connect(count, sender=IndicatorValue)
        real = URLResolver._reverse_with_prefix
        try:
            with mock.patch.object(
                URLResolver, "_reverse_with_prefix", autospec=True, side_effect=real
            ) as reversing:
                html = client.get(page_url(occasion)).content.decode()
        finally:
            post_init.disconnect(count, sender=IndicatorValue)
        return len(built), reversing.call_count, html

    goal = indicators[0].board_goal
    client.force_login(controller_an)
    small_built, small_reversed, _ = page_work()
    for number in range(5):
        extra = Indicator.objects.create(
            board=goal.board, board_goal=goal, name=f"Extra {number}", frequency=Q, valid_from=2019
        )
        value = set_value(extra, year=2023, period_type=Q, number=3, value=number + 1)
        Footnote.objects.create(value=value, text=f"Fotnot {number}")
    large_built, large_reversed, html = page_work()
    assert value_inputs(html) == 12 + 5
    assert html.count(">Historik</a>") == 5
    assert reverse("indicators:value_history", args=[value.pk]) in html
    assert f'value="Fotnot {number}"' in html
    assert (small_built, large_built) == (0, 0)
    assert large_reversed == small_reversed
