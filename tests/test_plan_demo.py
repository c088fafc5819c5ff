"""One demo database, two documents: read as of the AN internbudget 2022's decision it gives the
figures seed 000 printed, read today those of the verksamhetsberättelse 2022 (seed 001).

Every figure of fixtures/linkoping/internbudget_2022.toml is checked both ways; the history the
loaders write has the dates the fixture and demo/loaders/history.py say; loading twice changes
nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from demo.loaders import plans as plan_loader
from demo.loaders.base import parse_number
from demo.loaders.history import moment, value_day
from demo.loaders.indicators import breakdown_parts, parse_target, specs
from demo.management.commands.load_demo import load_all
from goals.models import Board, BoardPlan, PlanKind
from goals.periods import PeriodType
from goals.selectors import plan_cutoff
from indicators import yearrule
from indicators.models import Breakdown, Footnote, Indicator, IndicatorValue, Target
from indicators.parsing import is_missing_text
from indicators.selectors import indicators_for_board, load_series

pytestmark = pytest.mark.django_db

FIXTURE = plan_loader.read(plan_loader.FILE)
CUTOFF_DAY = datetime.date(2021, 10, 20)


def today_cell(key: str, year: int, spec: dict[str, Any]) -> dict[str, Any] | None:
    """Today's year value of the indicator file entry (indicators.toml, volume_staff.toml…)."""
    wanted = breakdown_parts(spec)
    for entry in specs():
        if entry["key"] != key:
            continue
        for cell in entry.get("values", []):
            if cell["year"] == year and breakdown_parts(cell) == wanted and "q" not in cell:
                return cell
    return None


def today_target(key: str, year: int, spec: dict[str, Any]) -> dict[str, Any]:
    wanted = breakdown_parts(spec)
    [entry] = [entry for entry in specs() if entry["key"] == key]
    [cell] = [c for c in entry["targets"] if c["year"] == year and breakdown_parts(c) == wanted]
    return cell


def assert_figure(cell, text: str | None, what: str) -> None:
    """The reader's cell holds the figure as a data file writes it (None: no cell at all)."""
    if text is None:
        assert cell is None, f"{what}: {cell}"
        return
    assert cell is not None, f"{what}: no cell, expected {text}"
    if is_missing_text(text):
        assert cell.value is None, f"{what}: {cell.value}, expected I.U."
    else:
        assert cell.value == parse_number(text)[0], f"{what}: {cell.value}, expected {text}"


@pytest.fixture
def an(demo_data):
    return Board.objects.get(code="AN")


@pytest.fixture
def cutoff(an):
    return plan_cutoff(an, 2022, PlanKind.INTERNBUDGET)


@pytest.fixture
def by_key(an):
    return plan_loader.indicators_by_key()


def read_both(by_key, keys, years, cutoff):
    indicators = [by_key[key] for key in sorted(set(keys))]
    then = load_series(indicators, years, as_of=cutoff)
    now = load_series(indicators, years)
    return then, now


def code(spec: dict[str, Any]) -> str:
    return Breakdown.make_code(*breakdown_parts(spec))


# ---- the plans ----


def test_the_plans_are_decided_after_kf_and_the_august_interim_report(an):
    internbudget = BoardPlan.objects.get(board=an, year=2022, kind=PlanKind.INTERNBUDGET)
    assert internbudget.decided_on == CUTOFF_DAY
    assert internbudget.decision == "Arbetsmarknadsnämnden"
    # After KF's decision on the 2022 budget (28 September 2021, seed 000).
    assert internbudget.decided_on > datetime.date(2021, 9, 28)
    plan = BoardPlan.objects.get(board=an, year=2022, kind=PlanKind.VERKSAMHETSPLAN)
    assert (plan.decided_on, plan.decision) == (datetime.date(2021, 12, 15), "Förvaltningschefen")
    cutoff = plan_cutoff(an, 2022, PlanKind.INTERNBUDGET)
    assert timezone.localtime(cutoff).date() == CUTOFF_DAY


# ---- every figure of the fixture, as of the cut-off and today ----


def test_the_2021_column_is_the_year_to_date_of_the_periods_then(by_key, cutoff):
    entries = FIXTURE["periods"]
    then, now = read_both(by_key, [e["key"] for e in entries], [2021], cutoff)
    for spec in entries:
        indicator = by_key[spec["key"]]
        what = f"{spec['key']} {code(spec)}"
        cell_then = then[indicator.pk].cells(2021).get(code(spec))
        assert_figure(cell_then, spec["seed000"], f"{what} as of the internbudget")
        assert cell_then.is_derived and cell_then.to_date, what
        today = today_cell(spec["key"], 2021, spec)
        if "deleted" in spec:
            assert today is None, what
        assert_figure(
            now[indicator.pk].cells(2021).get(code(spec)),
            today["v"] if today else None,
            f"{what} today",
        )


def test_where_all_periods_are_given_they_agree_with_the_year_value(by_key):
    checked = 0
    for spec in FIXTURE["periods"]:
        indicator = by_key[spec["key"]]
        frequency = PeriodType(indicator.frequency)
        if len(spec["values"]) < frequency.periods_per_year or "deleted" in spec:
            continue
        if any(is_missing_text(text) for text in spec["values"]):
            continue  # no year value follows from an I.U. period (yearrule)
        periods = {
            number: None if is_missing_text(text) else parse_number(text)[0]
            for number, text in enumerate(spec["values"], start=1)
        }
        derived = yearrule.derive_for(indicator, periods)
        today = today_cell(spec["key"], 2021, spec)
        assert derived.value is not None, spec
        assert derived.value == parse_number(today["v"])[0], spec
        checked += 1
    assert checked >= 20


def test_the_2021_periods_are_stored_today_unless_removed(by_key):
    for spec in FIXTURE["periods"]:
        indicator = by_key[spec["key"]]
        stored = IndicatorValue.objects.filter(
            indicator=indicator,
            year=2021,
            period_type=indicator.frequency,
            breakdown__code=code(spec),
        )
        assert stored.count() == (0 if "deleted" in spec else len(spec["values"])), spec


def test_earlier_year_values_were_first_entered_as_seed_000_prints_them(by_key, cutoff):
    entries = FIXTURE["earlier"]
    then, now = read_both(by_key, [e["key"] for e in entries], [2020, 2021], cutoff)
    for spec in entries:
        indicator = by_key[spec["key"]]
        year = spec["year"]
        what = f"{spec['key']} {year} {code(spec)}"
        cell_then = then[indicator.pk].cells(year).get(code(spec))
        assert_figure(cell_then, spec["seed000"], f"{what} as of the internbudget")
        assert not cell_then.is_derived, what
        today = today_cell(spec["key"], year, spec)
        if "deleted" in spec:
            assert today is None, what
        else:
            assert today is not None, what
        assert_figure(
            now[indicator.pk].cells(year).get(code(spec)),
            today["v"] if today else None,
            f"{what} today",
        )


def test_changed_targets_stood_as_seed_000_prints_them(by_key, cutoff):
    entries = FIXTURE["target_revisions"]
    then, now = read_both(by_key, [e["key"] for e in entries], [2022, 2023], cutoff)
    fields = ("kind", "operator", "value", "trend", "text")
    for spec in entries:
        indicator = by_key[spec["key"]]
        seed = parse_target(spec["seed000"], indicator.decimals)
        target_then = then[indicator.pk].target(spec["year"], code(spec))
        assert {f: getattr(target_then, f) for f in fields} == {f: seed[f] for f in fields}
        current = parse_target(today_target(spec["key"], spec["year"], spec)["t"], 0)
        target_now = now[indicator.pk].target(spec["year"], code(spec))
        assert {f: getattr(target_now, f) for f in fields} == {f: current[f] for f in fields}
        assert {f: seed[f] for f in fields} != {f: current[f] for f in fields}


def test_the_seed_000_examples_of_the_brief(by_key, cutoff):
    keys = ["hushall_eb", "hushall_langvarigt", "e_ansokningar", "avslut_subvention"]
    keys.append("ehandelstrohet")
    then, now = read_both(by_key, keys, [2020, 2021], cutoff)

    def figure(series, key, year, breakdown="total"):
        return series[by_key[key].pk].cells(year)[breakdown].value

    women, men = Breakdown.make_code("K"), Breakdown.make_code("M")
    assert figure(then, "hushall_eb", 2021) == 3380
    assert figure(now, "hushall_eb", 2021) == 3196
    assert figure(then, "hushall_langvarigt", 2021) == 1577
    assert figure(now, "hushall_langvarigt", 2021) == 1701
    assert figure(then, "e_ansokningar", 2021) == Decimal("37.7")
    assert figure(now, "e_ansokningar", 2021) == Decimal("34.17")
    assert figure(then, "avslut_subvention", 2020) == 43
    assert figure(now, "avslut_subvention", 2020) == 61
    assert figure(then, "avslut_subvention", 2021) == 10
    assert figure(then, "avslut_subvention", 2021, women) == 6
    assert figure(then, "avslut_subvention", 2021, men) == 4
    assert figure(then, "ehandelstrohet", 2020) == 100
    assert figure(now, "ehandelstrohet", 2020) == Decimal("37.6")


def test_targets_seed_000_prints_stood_at_the_cut_off(by_key, cutoff):
    """Every 2022 and 2023 target of AN's goal indicators existed at the decision (those valid in
    2022 today; the two the 2022 structure no longer has are tested below)."""
    indicators = [
        i
        for i in by_key.values()
        if i.board.code == "AN" and i.valid_from <= 2022 and (i.valid_to or 2022) >= 2022
    ]
    then = load_series(indicators, [2022, 2023], as_of=cutoff)
    now = load_series(indicators, [2022, 2023])
    for indicator in indicators:
        for year in (2022, 2023):
            assert set(then[indicator.pk].targets.get(year, {})) == set(
                now[indicator.pk].targets.get(year, {})
            ), (indicator.name, year)


# ---- the history's dates ----


def history_rows(model, **filters):
    return list(model.history.model.objects.filter(**filters).order_by("history_date"))


def test_history_dates_follow_the_rules(by_key):
    households = by_key["hushall_eb"]
    [row] = history_rows(IndicatorValue, indicator=households, year=2022, period_type="ar")
    assert row.history_date == moment(datetime.date(2023, 2, 15))
    [september] = history_rows(
        IndicatorValue, indicator=households, year=2021, period_type="manad", period_number=9
    )
    assert september.history_date == moment(datetime.date(2021, 10, 10))
    assert value_day(2021, "tertial", 2) == datetime.date(2021, 9, 10)
    # A target of 2022 at the 2021 internbudget, of 2023 at the 2022 internbudget.
    [target_2022] = history_rows(Target, indicator=households, year=2022)
    assert target_2022.history_date == moment(datetime.date(2020, 10, 21))
    [target_2023] = history_rows(Target, indicator=households, year=2023)
    assert target_2023.history_date == moment(CUTOFF_DAY)
    # A value's footnote with its value.
    subsidised = by_key["avslut_subvention"]
    value = IndicatorValue.objects.get(
        indicator=subsidised, year=2022, period_type="ar", breakdown__code="total"
    )
    [note] = history_rows(Footnote, value=value)
    assert note.history_date == moment(datetime.date(2023, 2, 15))


def test_a_revision_is_two_history_rows_and_the_value_stays_todays(by_key):
    subsidised = by_key["avslut_subvention"]
    value = IndicatorValue.objects.get(
        indicator=subsidised, year=2020, period_type="ar", breakdown__code="total"
    )
    assert value.value == 61
    first, later = history_rows(IndicatorValue, id=value.pk)
    assert (first.history_type, first.value, first.history_date) == (
        "+",
        43,
        moment(datetime.date(2021, 2, 15)),
    )
    assert (later.history_type, later.value, later.history_date) == (
        "~",
        61,
        moment(datetime.date(2023, 2, 15)),
    )


def test_a_removed_value_is_an_added_and_a_deleted_history_row(by_key):
    staff = by_key["personal_tillsvidare"]
    assert not IndicatorValue.objects.filter(indicator=staff, breakdown__code__contains="LL-AMS")
    added, deleted = history_rows(
        IndicatorValue, indicator=staff, year=2020, breakdown__code="k=|e=LL-AMS|c="
    )
    assert (added.history_type, added.value, added.history_date) == (
        "+",
        53,
        moment(datetime.date(2021, 2, 15)),
    )
    assert (deleted.history_type, deleted.history_date) == ("-", moment(datetime.date(2022, 2, 15)))


def test_no_history_row_of_the_demo_boards_is_dated_at_load_time():
    loaded_today = timezone.now() - datetime.timedelta(days=1)
    for model in (IndicatorValue, Target):
        late = model.history.model.objects.filter(
            indicator__board__code__in=("AN", "BIN"), history_date__gt=loaded_today
        )
        assert not late.exists(), model
    notes = Footnote.history.model.objects.filter(history_date__gt=loaded_today)
    assert not notes.exists()


# ---- loading twice ----


def test_loading_again_changes_nothing(demo_data):
    def state():
        return {
            model.__name__: sorted(
                model.history.model.objects.values_list(
                    "history_id", "history_date", "history_type"
                )
            )
            for model in (IndicatorValue, Target, Footnote, BoardPlan)
        }

    before = state()
    stats = load_all()
    assert not stats.changed_anything, stats.lines()
    assert state() == before


def test_indicators_seed_000_prints_that_2022_no_longer_has(by_key, cutoff):
    """Extern personalomsättning and Chefsavgångar: open-ended with their 2022/2023 targets at
    the decision, ended to 2021 (targets removed) since (internbudget_2022.toml)."""
    an = by_key["chefsavgangar"].board
    ended = [by_key["extern_personalomsattning"], by_key["chefsavgangar"]]
    categories = [choice.value for choice in Indicator.Category]
    then = set(indicators_for_board(an, 2022, categories=categories, as_of=cutoff))
    now = set(indicators_for_board(an, 2022, categories=categories))
    assert set(ended) <= then - now
    assert now - then == set()
    series = load_series(ended, [2022, 2023], as_of=cutoff)
    targets = [series[ind.pk].targets[year]["total"] for ind in ended for year in (2022, 2023)]
    assert [target.value for target in targets] == [
        Decimal("6.0"),
        Decimal("5.5"),
        Decimal("0.5"),
        Decimal("0.5"),
    ]
    assert all(not s.targets for s in load_series(ended, [2022, 2023]).values())
