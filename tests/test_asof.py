"""The as-of reader: load_series(as_of=…) gives the values and targets as their history stood at
a moment, and for the moment's year a year-to-date value from the periods reported by then
(indicators.yearrule.derive_year_to_date)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.periods import PeriodType
from indicators import computed, yearrule
from indicators.computed import ComputedValue
from indicators.models import Footnote, Indicator, IndicatorValue, MissingReason, Target
from indicators.selectors import TOTAL, load_series
from tests import dashboard_builders as b
from tests.entry_data import breakdown

STHLM = ZoneInfo("Europe/Stockholm")
A = Indicator.Aggregation
M, Q, T, Y = PeriodType.MONTH, PeriodType.QUARTER, PeriodType.TERTIAL, PeriodType.YEAR
WOMEN = "k=K|e=|c="
MEN = "k=M|e=|c="


def at(month: int, day: int = 1, year: int = 2022, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=STHLM)


def saved(obj, when: datetime):
    """Save through the model's save(), its history row dated `when`."""
    obj._history_date = when
    obj.save()
    return obj


def deleted(obj, when: datetime) -> None:
    obj._history_date = when
    obj.delete()


def value_at(ind, when, number, *, year=2022, period_type=Y, period_number=1, gender=""):
    return saved(
        IndicatorValue(
            indicator=ind,
            year=year,
            period_type=period_type,
            period_number=period_number,
            breakdown=breakdown(gender),
            value=None if number is None else Decimal(str(number)),
            missing_reason=MissingReason.TOO_SMALL if number is None else "",
        ),
        when,
    )


def revised(value: IndicatorValue, when: datetime, number) -> IndicatorValue:
    value.value = Decimal(str(number))
    return saved(value, when)


@pytest.fixture
def goal(board_an):
    area = b.area("Medborgare", 1)
    return b.board_goal(board_an, b.council_goal(area, "KF-mål"), "Nämndmål 1")


@pytest.fixture
def yearly(board_an, goal):
    """A yearly indicator: 2022 total 100 on 10 Jan, revised to 120 on 10 Mar; Kvinnor 40 from
    10 Jan, deleted 1 Apr; Män 60 from 10 Jan, moved to 2021 on 1 May. A target 80 from 10 Jan,
    90 from 10 Mar, with a footnote from 1 Feb ("Gammal"), edited 1 Mar ("Ny")."""
    ind = b.indicator(board_an, goal, "Antal besök")
    total = value_at(ind, at(1, 10), 100)
    note = saved(Footnote(value=total, text="Preliminärt"), at(2, 1))
    note.text = "Slutligt"
    saved(note, at(3, 1))
    revised(total, at(3, 10), 120)
    women = value_at(ind, at(1, 10), 40, gender="K")
    deleted(women, at(4, 1))
    men = value_at(ind, at(1, 10), 60, gender="M")
    men.year = 2021
    saved(men, at(5, 1))
    target = saved(
        Target(indicator=ind, year=2022, breakdown=breakdown(), kind=Target.Kind.VALUE, value=80),
        at(1, 10),
    )
    target_note = saved(Footnote(target=target, text="Gammal"), at(2, 1))
    target.value = Decimal(90)
    saved(target, at(3, 10))
    target_note.text = "Ny"
    saved(target_note, at(3, 1))
    return ind


def read(ind, when, years=(2021, 2022)):
    return load_series([ind], years, as_of=when)[ind.pk]


# --- Values and targets as they stood ---------------------------------------------------------


def test_nothing_before_creation(yearly):
    series = read(yearly, at(1, 5))
    assert series.values == {} and series.targets == {}


def test_the_earlier_figure_before_the_revision_and_the_later_after(yearly):
    assert read(yearly, at(2, 15)).total(2022).value == Decimal(100)
    assert read(yearly, at(3, 9)).total(2022).value == Decimal(100)
    assert read(yearly, at(3, 11)).total(2022).value == Decimal(120)
    # The moment is inclusive: a row dated exactly at it stands.
    assert read(yearly, at(3, 10)).total(2022).value == Decimal(120)


def test_a_deleted_value_is_there_before_its_deletion_and_not_after(yearly):
    assert read(yearly, at(3, 31)).cells(2022)[WOMEN].value == Decimal(40)
    assert WOMEN not in read(yearly, at(4, 2)).cells(2022)


def test_a_value_whose_period_changed_is_read_with_the_fields_it_had(yearly):
    before = read(yearly, at(4, 30))
    assert before.cells(2022)[MEN].value == Decimal(60) and before.cells(2021) == {}
    after = read(yearly, at(5, 2))
    assert MEN not in after.cells(2022) and after.cells(2021)[MEN].value == Decimal(60)


def test_value_footnotes_as_they_stood(yearly):
    assert read(yearly, at(1, 20)).total(2022).footnotes == []
    assert read(yearly, at(2, 15)).total(2022).footnotes == ["Preliminärt"]
    cell = read(yearly, at(3, 15)).total(2022)
    assert cell.footnotes == ["Slutligt"]
    assert cell.footnote_ids == [Footnote.objects.get(value__indicator=yearly).pk]
    assert cell.value_id == IndicatorValue.objects.get(indicator=yearly, year=2022).pk


def test_targets_as_they_stood_offer_what_reports_read(yearly):
    early = read(yearly, at(1, 20)).target(2022)
    assert early.kind == Target.Kind.VALUE and early.value == Decimal(80)
    assert early.shown_decimals == 0 and early.display == "80"
    assert early.indicator is yearly and early.breakdown.code == TOTAL
    assert list(early.footnotes.all()) == []
    mid = read(yearly, at(2, 15)).target(2022)
    assert mid.value == Decimal(80) and [n.text for n in mid.footnotes.all()] == ["Gammal"]
    late = read(yearly, at(3, 15)).target(2022)
    assert late.value == Decimal(90) and [n.text for n in late.footnotes.all()] == ["Ny"]
    assert late.is_met_by(Decimal(120)) is True


def test_as_of_none_is_today(yearly):
    today = load_series([yearly], [2021, 2022])[yearly.pk]
    assert today.total(2022).value == Decimal(120)
    assert WOMEN not in today.cells(2022) and today.cells(2021)[MEN].value == Decimal(60)
    assert today.total(2022).footnotes == ["Slutligt"]
    assert today.target(2022).value == Decimal(90)
    # A moment after every change reads the same as today.
    later = read(yearly, at(12, 1, year=2030))

    def shape(series):
        return {
            key: {code: (c.value, c.footnotes, c.value_id) for code, c in cells.items()}
            for key, cells in series.values.items()
        }

    assert shape(later) == shape(today)
    assert later.target(2022).value == today.target(2022).value


# --- Year to date ------------------------------------------------------------------------------


def periodic(board_an, goal, name, frequency, aggregation, figures, *, year=2022):
    """Period n reported on the first day after it ends (None: I.U.)."""
    ind = b.indicator(board_an, goal, name, frequency=frequency, aggregation=aggregation)
    months = PeriodType(frequency).months
    for number, figure in enumerate(figures, start=1):
        end = number * months
        when = at(end + 1, 1, year=year) if end < 12 else at(1, 1, year=year + 1)
        value_at(ind, when, figure, year=year, period_type=frequency, period_number=number)
    return ind


def test_flow_monthly_is_the_sum_so_far(board_an, goal):
    ind = periodic(board_an, goal, "Besök", M, A.FLOW, [10, 20, 30, 40, 50, 60, 70, 80, 90])
    cell = read(ind, at(9, 15)).total(2022)  # August reported on 1 Sep, September not yet
    assert cell.value == Decimal(360) and cell.is_derived and cell.to_date == "t.o.m. augusti"
    assert cell.footnotes == []
    assert read(ind, at(3, 15)).total(2022).value == Decimal(30)
    assert read(ind, at(1, 15)).total(2022) is None  # nothing reported yet


def test_stock_quarterly_is_the_latest_period(board_an, goal):
    ind = periodic(board_an, goal, "Platser", Q, A.STOCK, [3327, 3196, 3050, 2917])
    cell = read(ind, at(8, 1)).total(2022)
    assert cell.value == Decimal(3196) and cell.to_date == "t.o.m. kvartal 2"
    # Once every quarter is in (next year), the year value is the ordinary derived one.
    full = load_series([ind], [2022], as_of=at(1, 2, year=2023))[ind.pk].total(2022)
    assert full.value == Decimal(2917) and full.to_date == ""
    assert full.footnotes == [yearrule.derived_note(ind)]


def test_average_tertial_is_the_mean_so_far(board_an, goal):
    ind = periodic(board_an, goal, "Sjukfrånvaro", T, A.AVERAGE, [5, 6, 9])
    cell = read(ind, at(10, 1)).total(2022)
    assert cell.value == Decimal("5.5") and cell.to_date == "t.o.m. tertial 2"


def test_an_iu_among_the_periods_gives_no_flow_or_average(board_an, goal):
    flow = periodic(board_an, goal, "Ärenden", Q, A.FLOW, [10, None, 30])
    average = periodic(board_an, goal, "Snitt", M, A.AVERAGE, [1, None, 3])
    assert read(flow, at(10, 15)).total(2022) is None
    assert read(average, at(4, 15)).total(2022) is None
    # Before the I.U. period was reported, the year so far stood.
    assert read(flow, at(5, 1)).total(2022).value == Decimal(10)


def test_a_stock_whose_latest_period_is_iu_is_iu(board_an, goal):
    ind = periodic(board_an, goal, "Köer", Q, A.STOCK, [12, None])
    cell = read(ind, at(8, 1)).total(2022)
    assert cell.is_missing and cell.is_derived and cell.to_date == "t.o.m. kvartal 2"
    assert read(ind, at(5, 1)).total(2022).value == Decimal(12)


def test_an_entered_year_value_stands_and_other_years_are_not_to_date(board_an, goal):
    ind = periodic(board_an, goal, "Besök", Q, A.FLOW, [1, 2])
    periodic_2021 = [(n, 10 * n) for n in (1, 2)]
    for number, figure in periodic_2021:
        value_at(ind, at(1, 2), figure, year=2021, period_type=Q, period_number=number)
    value_at(ind, at(7, 15), 99)  # an entered 2022 year value
    series = read(ind, at(8, 1))
    assert series.total(2022).value == Decimal(99) and not series.total(2022).is_derived
    assert series.total(2021) is None  # an earlier incomplete year is not year-to-date
    assert read(ind, at(7, 10)).total(2022).value == Decimal(3)


def test_the_moments_year_is_local_time(board_an, goal):
    ind = periodic(board_an, goal, "Besök", Q, A.FLOW, [5], year=2023)
    # 23:30 UTC on 31 December 2023 is already 2024 in Stockholm: 2023 is no longer "to date".
    moment = datetime(2023, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert load_series([ind], [2023], as_of=moment)[ind.pk].total(2023) is None
    earlier = datetime(2023, 12, 31, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert load_series([ind], [2023], as_of=earlier)[ind.pk].total(2023).value == Decimal(5)


def test_without_as_of_no_year_to_date(board_an, goal):
    ind = periodic(board_an, goal, "Besök", M, A.FLOW, [10, 20])
    assert load_series([ind], [2022])[ind.pk].total(2022) is None


# --- Computed indicators -----------------------------------------------------------------------


def test_computed_indicators_keep_earlier_years_and_omit_the_moments(board_an, goal, monkeypatch):
    ind = b.indicator(
        board_an, goal, "Budgetavvikelse", computed=Indicator.Computed.BUDGET_DEVIATION
    )

    def provider(by_kind, years):
        return [
            ComputedValue(i.pk, year, Decimal(year - 2000))
            for i in by_kind[ind.computed]
            for year in years
        ]

    monkeypatch.setattr(computed, "_providers", [provider])
    series = load_series([ind], [2021, 2022, 2023], as_of=at(6, 1))[ind.pk]
    assert series.total(2021).value == Decimal(21) and series.total(2021).is_computed
    assert series.total(2022) is None and series.total(2023) is None
    assert load_series([ind], [2022])[ind.pk].total(2022).value == Decimal(22)


# --- Query count -------------------------------------------------------------------------------


def board_of(board_an, goal, indicators: int, years: list[int]) -> list[Indicator]:
    created = []
    for i in range(indicators):
        frequency, aggregation = [(Y, A.ONCE), (Q, A.FLOW), (M, A.STOCK)][i % 3]
        ind = b.indicator(board_an, goal, f"I{i}", frequency=frequency, aggregation=aggregation)
        for year in years:
            value = value_at(ind, at(1, 2, year=year), i, year=year)
            saved(Footnote(value=value, text=f"Not {i}"), at(1, 3, year=year))
            if frequency != Y:
                value_at(ind, at(2, 1, year=year), 1, year=year, period_type=frequency)
            target = saved(
                Target(indicator=ind, year=year, breakdown=breakdown(), kind="varde", value=1),
                at(1, 2, year=year),
            )
            saved(Footnote(target=target, text="Målnot"), at(1, 3, year=year))
        created.append(ind)
    return created


def count(indicators, years, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        series = load_series(indicators, years, **kwargs)
        for one in series.values():
            for targets in one.targets.values():
                for target in targets.values():
                    list(target.footnotes.all())
    return len(queries)


def test_as_of_adds_a_fixed_number_of_queries(board_an, goal):
    moment = at(6, 1, year=2022)
    small = board_of(board_an, goal, 2, [2022])
    few = count(small, [2022], as_of=moment)
    today = count(small, [2022])
    everything = small + board_of(board_an, goal, 8, [2019, 2020, 2021, 2022])
    many = count(everything, [2019, 2020, 2021, 2022], as_of=moment)
    assert few == many
    assert few <= today + 1
    series = load_series(everything, [2019, 2020, 2021, 2022], as_of=moment)
    assert series[everything[-1].pk].total(2020).footnotes == ["Not 7"]
    assert [n.text for n in series[everything[-1].pk].target(2020).footnotes.all()] == ["Målnot"]


# --- The rule itself ---------------------------------------------------------------------------


def to_date(aggregation, periods, frequency=Q):
    return yearrule.derive_year_to_date(
        aggregation=aggregation, frequency=frequency, periods=periods
    )


def numbers(**periods):
    return {int(k[1:]): None if v is None else Decimal(str(v)) for k, v in periods.items()}


def test_rule_stock_flow_average():
    periods = numbers(p1=4, p2=6, p3=11)
    assert to_date(A.STOCK, periods) == yearrule.YearValue(Decimal(11), to_date="t.o.m. kvartal 3")
    assert to_date(A.FLOW, periods).value == Decimal(21)
    assert to_date(A.AVERAGE, periods).value == Decimal(7)
    assert to_date(A.AVERAGE, numbers(p1=1, p2=0, p3=0), M).value == Decimal("0.3333")


def test_rule_labels():
    assert to_date(A.FLOW, numbers(p1=1), M).to_date == "t.o.m. januari"
    assert to_date(A.FLOW, {n: Decimal(1) for n in range(1, 9)}, M).to_date == "t.o.m. augusti"
    assert to_date(A.FLOW, numbers(p1=1, p2=1), T).to_date == "t.o.m. tertial 2"
    assert to_date(A.FLOW, numbers(p1=1, p2=1), "kvartal").to_date == "t.o.m. kvartal 2"


def test_rule_iu_and_gaps():
    assert to_date(A.FLOW, numbers(p1=1, p2=None, p3=2)).value is None
    result = to_date(A.AVERAGE, numbers(p1=1, p3=2))
    assert (
        result.value is None and result.reason == "Årsvärdet kan inte härledas: kvartal 2 saknas."
    )
    stock_iu = to_date(A.STOCK, numbers(p1=1, p2=None))
    assert stock_iu.value is None and stock_iu.missing and stock_iu.to_date == "t.o.m. kvartal 2"
    # An earlier I.U. does not matter to a stock: its latest period stands.
    assert to_date(A.STOCK, numbers(p1=None, p2=5)).value == Decimal(5)


def test_rule_has_nothing_to_derive():
    assert to_date(A.FLOW, {}).reason == yearrule.REASON_NOTHING_YET
    assert to_date(A.ONCE, numbers(p1=1)).reason == yearrule.REASON_ONCE
    assert to_date(A.FLOW, numbers(p1=1), Y).reason == yearrule.REASON_YEARLY
