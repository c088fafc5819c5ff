"""Read paths for indicators: which indicators a board follows up in a year, and their values.

Every function here runs a fixed number of queries whatever the number of indicators,
goals or years, so pages built on them keep a flat query count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from goals.models import Board, OrganisationUnit
from goals.periods import PeriodType
from indicators import history, prefetched, yearrule
from indicators.computed import computed_values
from indicators.formatting import format_outcome
from indicators.models import Breakdown, Footnote, Indicator, IndicatorValue, MissingReason, Target

TOTAL = "total"


@dataclass
class Cell:
    """One value as a reader sees it: stored or computed, a number, a text or I.U.

    A Cell exists only where a value is stored (or computed, or derived): no Cell is "not yet
    given". `footnote_ids` runs beside `footnotes`: the Footnote row of each text (None for a
    note that is no row, as the year rule's), so a note shared by several values
    (`Footnote.shared_values`) is known to be one note.
    """

    value: Decimal | None
    decimals: int
    missing_reason: str = ""
    missing_label: str = ""
    footnotes: list[str] = field(default_factory=list)
    breakdown: Breakdown | None = None
    comment: str = ""
    is_computed: bool = False
    value_id: int | None = None
    # A year value not entered but derived from all its periods by the indicator's year rule
    # (indicators.yearrule); its footnotes carry the note that says so. Read as of a moment
    # (load_series(as_of=…)), the moment's year may instead be derived from the periods
    # reported so far: then `to_date` says up to which ("t.o.m. augusti") and no note is added.
    is_derived: bool = False
    outcome_text: str = ""  # a qualitative indicator's outcome in words
    footnote_ids: list[int | None] = field(default_factory=list)
    to_date: str = ""  # a year-to-date cell's last period used ("t.o.m. kvartal 2"), else ""

    def __post_init__(self) -> None:
        if len(self.footnote_ids) != len(self.footnotes):
            self.footnote_ids = [None] * len(self.footnotes)

    @property
    def is_missing(self) -> bool:
        """I.U.: stored, with neither a number nor a text."""
        return self.value is None and not self.outcome_text

    @property
    def is_text(self) -> bool:
        return self.value is None and bool(self.outcome_text)

    @property
    def notes(self) -> list[tuple[int | None, str]]:
        """(footnote id, text) of each footnote, in order."""
        return list(zip(self.footnote_ids, self.footnotes, strict=True))

    @property
    def text(self) -> str:
        return self.shown("")

    def shown(self, unit: str) -> str:
        """As `text`, with "%" after a share's number."""
        return format_outcome(
            self.value, self.decimals, stored=True, text=self.outcome_text, unit=unit
        )

    @property
    def breakdown_code(self) -> str:
        return self.breakdown.code if self.breakdown is not None else TOTAL


@dataclass
class IndicatorSeries:
    """An indicator with its values and targets for some years, keyed by year then breakdown code."""

    indicator: Indicator
    values: dict[tuple[int, str, int], dict[str, Cell]] = field(default_factory=dict)
    targets: dict[int, dict[str, Target]] = field(default_factory=dict)

    def cells(
        self, year: int, period_type: str = PeriodType.YEAR, number: int = 1
    ) -> dict[str, Cell]:
        return self.values.get((year, period_type, number), {})

    def total(self, year: int, period_type: str = PeriodType.YEAR, number: int = 1) -> Cell | None:
        return self.cells(year, period_type, number).get(TOTAL)

    def target(self, year: int, breakdown_code: str = TOTAL) -> Target | None:
        return self.targets.get(year, {}).get(breakdown_code)

    def row_cells(
        self, year: int, gender: str = "", period_type: str = PeriodType.YEAR, number: int = 1
    ) -> list[Cell]:
        """The cells printed in one report row: the plain value, or the unit/category split.

        Gender "" is the indicator's own row; "K"/"M" its Kvinnor/Män rows. A row shows its
        single cell if there is one, else every unit or category split in display order
        (`UAF: 2,5 SOF: 6,9`).
        """
        cells = [
            cell
            for cell in self.cells(year, period_type, number).values()
            if (cell.breakdown.gender if cell.breakdown is not None else "") == gender
        ]
        plain = [
            cell
            for cell in cells
            if cell.breakdown is None
            or (cell.breakdown.org_unit_id is None and not cell.breakdown.category)
        ]
        if plain:
            return plain[:1]
        # Every cell left has a breakdown: those without one were plain.
        return sorted(
            cells,
            key=lambda cell: (
                (cell.breakdown.order, cell.breakdown.code) if cell.breakdown else (0, "")
            ),
        )

    def row_text(
        self, year: int, gender: str = "", period_type: str = PeriodType.YEAR, number: int = 1
    ) -> str:
        cells = self.row_cells(year, gender, period_type, number)
        if not cells:
            return ""
        if len(cells) == 1 and (
            cells[0].breakdown is None
            or not (cells[0].breakdown.org_unit_id or cells[0].breakdown.category)
        ):
            return cells[0].text
        return " ".join(split_label(cell) for cell in cells)

    def genders(self) -> list[str]:
        """The gender rows ("K", "M") this indicator has values for, in report order."""
        present = {
            cell.breakdown.gender
            for cells in self.values.values()
            for cell in cells.values()
            if cell.breakdown is not None and cell.breakdown.gender
        }
        return [gender for gender in ("K", "M") if gender in present]

    def years_with_values(self) -> list[int]:
        return sorted(
            {
                year
                for (year, period_type, _), cells in self.values.items()
                if cells and period_type == PeriodType.YEAR
            }
        )


def split_label(cell: Cell) -> str:
    """`UAF: 2,5` or `7,6 (total, inkl BEA-anst)` for one cell of a unit or category split."""
    breakdown = cell.breakdown
    if breakdown is None:
        return cell.text
    if breakdown.category and breakdown.org_unit_id is None:
        return f"{cell.text} ({breakdown.category})"
    prefix = breakdown.org_unit.code if breakdown.org_unit is not None else breakdown.category
    return f"{prefix}: {cell.text}"


def indicators_for_board(
    board: Board | int,
    year: int,
    *,
    categories: Sequence[str] = (Indicator.Category.GOAL,),
    as_of: datetime.datetime | None = None,
    name_notes: bool = True,
) -> list[Indicator]:
    """The board's indicators valid in `year` (`indicators_for_boards` with one board)."""
    return indicators_for_boards(
        [board], year, categories=categories, as_of=as_of, name_notes=name_notes
    )


def indicators_for_boards(
    boards: Iterable[Board | int],
    year: int,
    *,
    categories: Sequence[str] = (Indicator.Category.GOAL,),
    as_of: datetime.datetime | None = None,
    name_notes: bool = True,
) -> list[Indicator]:
    """The indicators of every board, valid in `year`, with their goal chain joined and name
    footnotes (two queries for any number of boards; one with `name_notes=False`, for a page
    that shows none); each board's in the order of `indicators_for_board`, the boards
    interleaved in that order. `indicator.footnotes.all()` answers without a query.

    With `as_of` (an aware moment), the indicators whose validity (valid_from/valid_to) as their
    history stood then included `year` (indicators.history.standing_at; a subquery, no extra
    query): a plan lists the indicators of its year as they were when it was decided. The rows
    are today's indicators (names, goals and footnotes as stored now).
    """
    board_ids = [board if isinstance(board, int) else board.pk for board in boards]
    if as_of is None:
        chosen = Indicator.objects.valid_in(year)
    else:
        stood = (
            history.standing_at(Indicator, as_of)
            .filter(valid_from__lte=year)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year))
            .values("id")
        )
        chosen = Indicator.objects.filter(pk__in=Subquery(stood))
    indicators = list(
        chosen.filter(board__in=board_ids, category__in=categories)
        .select_related("board_goal__council_goal__goal_area", "parent")
        .order_by(
            "board_goal__council_goal__goal_area__order",
            "board_goal__council_goal__order",
            "board_goal__order",
            "order",
            "pk",
        )
    )
    if name_notes:
        # Not prefetch_related: see indicators.prefetched.
        prefetched.read_and_attach(
            indicators,
            relation="footnotes",
            related=Footnote,
            owner_field="indicator_id",
            order=NOTE_ORDER,
        )
    return indicators


NOTE_ORDER = ("order", "pk")  # the order a list of footnotes is read in


def _attach_target_notes(targets: list[Target]) -> None:
    """The targets' footnotes in order, as a prefetch leaves them (one query; see
    indicators.prefetched for why not `prefetch_related`)."""
    prefetched.read_and_attach(
        targets, relation="footnotes", related=Footnote, owner_field="target_id", order=NOTE_ORDER
    )


def _footnote_texts(footnotes: Iterable[Footnote], year: int | None = None) -> list[str]:
    return [note.text for note in footnotes if year is None or note.year in (None, year)]


def load_series(
    indicators: Iterable[Indicator],
    years: Iterable[int],
    *,
    period_types: Sequence[str] = (PeriodType.YEAR,),
    sub_year_periods_in: Iterable[int] | None = None,
    fewer_years: tuple[Iterable[int], Iterable[int]] | None = None,
    as_of: datetime.datetime | None = None,
    target_years: Iterable[int] | None = None,
    value_notes: bool = True,
    target_notes: bool = True,
    splits_in: Iterable[int] | None = None,
    notes_of_missing_only: bool = False,
) -> dict[int, IndicatorSeries]:
    """Values (stored and computed) and targets of the indicators for the years, in 4–6 queries.

    With `as_of` (an aware moment), everything is read as it stood then, from the history
    (indicators.history.standing_at): a value or target is the latest history row at or before
    the moment, with the period, breakdown and figures it had; one created later, or deleted by
    then, is absent. Footnotes of values and targets are also as they stood (their history),
    except which values a note is shared with, which is today's (not recorded in history).
    For the year the moment falls in (local time), a derivable periodic indicator with no year
    value then gets a year-to-date cell from the periods reported by then
    (yearrule.derive_year_to_date: `is_derived`, `to_date` "t.o.m. …", no note). Computed
    indicators keep their figures for the years before the moment's year and have none for
    that year and later (the figure did not exist yet; their sources are not read as of).
    It costs one query more than today's read (the sharing of value notes), whatever the
    number of indicators and years.

    `target_years` (of the years) limits the targets read to those years, for a page that
    shows only the year's målvärde beside a longer history; `value_notes=False` and
    `target_notes=False` leave the values' or the targets' footnotes unread (a query fewer
    each) for a page that shows none of them. `splits_in` (years) reads the values of
    breakdowns other than the total only in those years, for a page whose history shows totals;
    `notes_of_missing_only` reads the footnotes only of values with a missing reason, for a page
    that shows notes only as the reason an outcome is missing (not with `as_of`).
    """
    indicators = list(indicators)
    years = sorted(set(years))
    series = {indicator.pk: IndicatorSeries(indicator) for indicator in indicators}
    if not indicators or not years:
        return series
    limited: tuple[list[int], list[int]] | None = None
    if fewer_years is not None:
        limited_ids, limited_years = fewer_years
        limited = (list(limited_ids), list(limited_years))
    sub_years = None if sub_year_periods_in is None else set(sub_year_periods_in)
    by_id = {indicator.pk: indicator for indicator in indicators}
    read = _SeriesRead(
        by_id=by_id,
        years=years,
        period_types=period_types,
        sub_years=sub_years,
        limited=limited,
        as_of=as_of,
        target_years=years if target_years is None else sorted(set(target_years) & set(years)),
        read_value_notes=value_notes,
        read_target_notes=target_notes,
        splits_in=None if splits_in is None else sorted(set(splits_in)),
        notes_of_missing_only=notes_of_missing_only,
    )
    rows, rule_periods = read.value_rows()
    breakdowns: dict[int, Breakdown] = {}
    for row in rows:
        if row[5] not in breakdowns:
            breakdowns[row[5]] = _breakdown_from_row(row[5], *row[11:])
    periods_for_rule = read.place_cells(series, rows, rule_periods, breakdowns)
    to_date_year = None if as_of is None else timezone.localtime(as_of).year
    if periods_for_rule:
        _derive_year_cells(series, by_id, periods_for_rule, breakdowns, to_date_year)
    if PeriodType.YEAR in period_types:
        computed_years = years if to_date_year is None else [y for y in years if y < to_date_year]
        if computed_years:
            _add_computed_cells(series, by_id, indicators, computed_years)
    read.add_targets(series)
    return series


@dataclass
class _SeriesRead:
    """What load_series reads: the indicators by id, the years and which periods of them."""

    by_id: dict[int, Indicator]
    years: list[int]
    period_types: Sequence[str]
    sub_years: set[int] | None
    # (indicator ids, years): these indicators need only these of the years, e.g. the
    # report's nämndindikatorer show three years where its volume tables show five.
    limited: tuple[list[int], list[int]] | None
    as_of: datetime.datetime | None = None
    target_years: list[int] = field(default_factory=list)  # whose targets are read
    read_value_notes: bool = True  # whether the values' footnotes are read
    read_target_notes: bool = True  # whether the targets' footnotes are read
    splits_in: list[int] | None = None  # the years whose values other than totals are read
    notes_of_missing_only: bool = False  # only the notes of values with a missing reason

    def _source(self, model: type[IndicatorValue] | type[Target]) -> QuerySet:
        """Today's rows of `model`, or with `as_of` its history rows standing at the moment."""
        if self.as_of is None:
            return model.objects.all()
        return history.standing_at(model, self.as_of)

    def _limit(self, queryset):
        if self.limited is None:
            return queryset
        limited_ids, limited_years = self.limited
        return queryset.filter(~Q(indicator__in=limited_ids) | Q(year__in=limited_years))

    def value_rows(self) -> tuple[list[tuple], set[tuple[int, str]]]:
        """The values as plain tuples (one query), and the periods read for the year rule.

        Plain tuples, not model instances: a board page reads thousands of values, and
        building a model, a related breakdown and a footnote queryset per value dominated
        its time.
        """
        wanted = Q(period_type__in=self.period_types)
        if self.sub_years is not None:
            # Yearly values for every year, months/quarters/tertials only for these years: a
            # dashboard's trend needs years, its "latest value" only the current year's periods.
            wanted &= Q(period_type=PeriodType.YEAR) | Q(year__in=sorted(self.sub_years))
        # The year rule needs every period of a periodic indicator's years: read in the same
        # query, used to derive the year values not entered, and kept only where asked for.
        derivable: dict[str, list[int]] = defaultdict(list)
        if PeriodType.YEAR in self.period_types:
            for indicator in self.by_id.values():
                if yearrule.is_derivable(indicator):
                    derivable[PeriodType(indicator.frequency).value].append(indicator.pk)
        for frequency, ids in derivable.items():
            wanted |= Q(indicator__in=ids, period_type=frequency)
        rule_periods = {(pk, frequency) for frequency, ids in derivable.items() for pk in ids}
        values = self._limit(
            self._source(IndicatorValue).filter(indicator__in=list(self.by_id), year__in=self.years)
        ).filter(wanted)
        if self.splits_in is not None:
            # A board dashboard's five-year trend shows totals: the splits (kön, enheter) are
            # only shown for the year's latest period.
            values = values.filter(Q(breakdown__code=TOTAL) | Q(year__in=self.splits_in))
        # Ordered by ids and periods only: the model's default order joins board and nämndmål
        # and compares board names (ICU collation), which took most of a dashboard's query time.
        # "id", not "pk": a history row's pk is its history_id, its value's id is "id".
        values = values.order_by(
            "indicator_id", "year", "period_type", "period_number", "breakdown__order", "id"
        )
        return list(values.values_list("id", *VALUE_ROW_FIELDS[1:])), rule_periods

    def place_cells(
        self,
        series: dict[int, IndicatorSeries],
        rows: list[tuple],
        rule_periods: set[tuple[int, str]],
        breakdowns: dict[int, Breakdown],
    ) -> dict[tuple[int, int, int], dict[int, Decimal | None]]:
        """Each asked-for value as a Cell with its footnotes (one query); the year rule's rows.

        The second answer is (indicator, year, breakdown) → {period number: number or None}.
        """
        if not self.read_value_notes:
            notes_by_value = {}
        elif self.as_of is None:
            notes_by_value = self.value_notes()
        else:
            notes_by_value = history.value_notes_at([row[0] for row in rows], self.as_of)
        missing_labels = dict(MissingReason.choices)
        requested = {PeriodType(period_type).value for period_type in self.period_types}
        sub_years = self.sub_years
        periods_for_rule: dict[tuple[int, int, int], dict[int, Decimal | None]] = defaultdict(dict)
        for pk, indicator_id, year, period_type, number, breakdown_id, value, *rest in rows:
            decimals, missing, comment, outcome_text = rest[:4]
            if (indicator_id, period_type) in rule_periods:
                periods_for_rule[(indicator_id, year, breakdown_id)][number] = value
            if period_type not in requested or (
                sub_years is not None and period_type != PeriodType.YEAR and year not in sub_years
            ):
                continue  # read for the year rule only
            cell = Cell(
                value=value,
                decimals=decimals if decimals is not None else self.by_id[indicator_id].decimals,
                missing_reason=missing,
                missing_label=missing_labels.get(missing, "") if missing else "",
                footnotes=[text for _, text in notes_by_value.get(pk, [])],
                footnote_ids=[note_id for note_id, _ in notes_by_value.get(pk, [])],
                breakdown=breakdowns[breakdown_id],
                comment=comment,
                value_id=pk,
                outcome_text=outcome_text,
            )
            series[indicator_id].values.setdefault((year, period_type, number), {})[
                cell.breakdown_code
            ] = cell
        return periods_for_rule

    def value_notes(self) -> dict[int, list[tuple[int, str]]]:
        """Per value id, its footnotes (id, text) in order, in one query.

        A footnote hangs on one value and may also apply to others (`shared_values`): the join
        to the shared values is read in the same query, so the shared values carry the same
        footnote id and a report prints it once, with one number.
        """
        values = {
            "indicator__in": list(self.by_id),
            "year__in": self.years,
            "period_type__in": self.period_types,
        }
        kept = ~Q(missing_reason="") if self.notes_of_missing_only else Q()
        # Each note's value and shared values are looked up by id (EXISTS): filtering on the
        # joined values' columns made PostgreSQL hash the whole value table (30 ms at size L).
        own = Exists(IndicatorValue.objects.filter(kept, pk=OuterRef("value_id"), **values))
        shared = Exists(IndicatorValue.objects.filter(kept, pk=OuterRef("shared_values"), **values))
        rows = (
            Footnote.objects.filter(own | shared)
            .order_by("order", "pk")
            .values_list("pk", "text", "value_id", "shared_values")
        )
        notes: dict[int, list[tuple[int, str]]] = defaultdict(list)
        seen: set[tuple[int, int]] = set()
        for note_id, text, value_id, shared_id in rows:
            for owner in (value_id, shared_id):
                if owner is not None and (owner, note_id) not in seen:
                    seen.add((owner, note_id))
                    notes[owner].append((note_id, text))
        return notes

    def add_targets(self, series: dict[int, IndicatorSeries]) -> None:
        """The targets of the target years with their footnotes (two queries, one without)."""
        if not self.target_years:
            return
        targets = self._limit(
            self._source(Target).filter(indicator__in=list(self.by_id), year__in=self.target_years)
        ).order_by("indicator_id", "year", "breakdown__order", "id")
        if self.as_of is None:
            # Not the indicator: each target gets the already loaded one below.
            targets = list(targets.select_related("breakdown"))
            if self.read_target_notes:
                _attach_target_notes(targets)
        else:
            rows = list(targets.select_related("breakdown"))
            targets = [history.target_from_row(row) for row in rows]
            for target, row in zip(targets, rows, strict=True):
                target.breakdown = row.breakdown
            if self.read_target_notes:
                history.attach_target_notes_at(targets, self.as_of)
        for target in targets:
            target.indicator = self.by_id[target.indicator_id]  # the already loaded indicator
            series[target.indicator_id].targets.setdefault(target.year, {})[
                target.breakdown.code
            ] = target


VALUE_ROW_FIELDS = (
    "pk",
    "indicator_id",
    "year",
    "period_type",
    "period_number",
    "breakdown_id",
    "value",
    "decimals",
    "missing_reason",
    "comment",
    "text",
    "breakdown__code",
    "breakdown__gender",
    "breakdown__category",
    "breakdown__order",
    "breakdown__org_unit_id",
    "breakdown__org_unit__code",
    "breakdown__org_unit__name",
)


def _add_computed_cells(
    series: dict[int, IndicatorSeries],
    by_id: dict[int, Indicator],
    indicators: list[Indicator],
    years: list[int],
) -> None:
    """The computed indicators' year values, in place of their stored totals."""
    for computed in computed_values(indicators, years):
        indicator = by_id.get(computed.indicator_id)
        if indicator is None:
            continue
        cell = Cell(
            value=computed.value,
            decimals=computed.decimals if computed.decimals is not None else indicator.decimals,
            missing_reason=computed.missing_reason,
            footnotes=list(computed.footnotes),
            is_computed=True,
        )
        key = (computed.year, computed.period_type, computed.period_number)
        cells = series[computed.indicator_id].values.setdefault(key, {})
        # A stored value of a computed indicator only carries footnotes (e.g. "exklusive
        # tilläggsanslag"); the number always comes from the underlying data.
        stored = cells.get(TOTAL)
        if stored is not None:
            cell.footnote_ids = stored.footnote_ids + [None] * len(cell.footnotes)
            cell.footnotes = stored.footnotes + cell.footnotes
        cells[TOTAL] = cell


def _derive_year_cells(
    series: dict[int, IndicatorSeries],
    by_id: dict[int, Indicator],
    periods_for_rule: dict[tuple[int, int, int], dict[int, Decimal | None]],
    breakdowns: dict[int, Breakdown],
    to_date_year: int | None = None,
) -> None:
    """Year cells by the year rule where a breakdown's year value is not entered.

    An entered year value always stands, even where it differs from the derived one. In
    `to_date_year` (an as-of read's year) a year the periods do not yet complete gets the
    year so far (yearrule.derive_year_to_date), marked by `Cell.to_date`.
    """
    year_type = PeriodType.YEAR.value
    for (indicator_id, year, breakdown_id), periods in periods_for_rule.items():
        breakdown = breakdowns[breakdown_id]
        cells = series[indicator_id].values.get((year, year_type, 1), {})
        if breakdown.code in cells:
            continue
        indicator = by_id[indicator_id]
        result = yearrule.derive_for(indicator, periods)
        if not result.derived:
            if year == to_date_year:
                _add_to_date_cell(series, indicator, year, breakdown, periods)
            continue
        series[indicator_id].values.setdefault((year, year_type, 1), {})[breakdown.code] = Cell(
            value=result.value,
            decimals=indicator.decimals,
            footnotes=[yearrule.derived_note(indicator)],
            breakdown=breakdown,
            is_derived=True,
        )


def _add_to_date_cell(
    series: dict[int, IndicatorSeries],
    indicator: Indicator,
    year: int,
    breakdown: Breakdown,
    periods: dict[int, Decimal | None],
) -> None:
    result = yearrule.derive_year_to_date(
        aggregation=indicator.aggregation, frequency=indicator.frequency, periods=periods
    )
    if not (result.derived or result.missing):
        return
    series[indicator.pk].values.setdefault((year, PeriodType.YEAR.value, 1), {})[breakdown.code] = (
        Cell(
            value=result.value,
            decimals=indicator.decimals,
            breakdown=breakdown,
            is_derived=True,
            to_date=result.to_date,
        )
    )


def _breakdown_from_row(
    pk: int,
    code: str,
    gender: str,
    category: str,
    order: int,
    unit_id: int | None,
    unit_code: str | None,
    unit_name: str | None,
) -> Breakdown:
    breakdown = Breakdown(
        pk=pk, code=code, gender=gender, category=category, order=order, org_unit_id=unit_id
    )
    # A unit's code and name are never empty: the join gives all three or none.
    if unit_id is not None and unit_code is not None and unit_name is not None:
        breakdown.org_unit = OrganisationUnit(pk=unit_id, code=unit_code, name=unit_name)
    return breakdown


def group_by_goal(indicators: Iterable[Indicator]) -> dict[int | None, list[Indicator]]:
    """Top-level indicators per nämndmål id, children listed right after their parent."""
    children: dict[int, list[Indicator]] = defaultdict(list)
    top: list[Indicator] = []
    for indicator in indicators:
        if indicator.parent_id is not None:
            children[indicator.parent_id].append(indicator)
        else:
            top.append(indicator)
    grouped: dict[int | None, list[Indicator]] = defaultdict(list)
    for indicator in top:
        indicator.sub_indicators = children.get(indicator.pk, [])
        grouped[indicator.board_goal_id].append(indicator)
    return grouped
