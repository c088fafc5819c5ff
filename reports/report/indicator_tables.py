"""Volymutveckling, Personal and the nämndindikator tables, from indicator values.

An indicator gives one line per kön: the total (or the indicator itself) first, then italic
*Kvinnor* and *Män* lines when values are split by kön, then its sub-indicators the same way.
A year's value is a number when there is one; a split by organisational unit or free category
becomes one text cell as the report prints it ("UAF: 2,5 SOF: 6,9",
"7,6% (total, inkl BEA-anst) 5,2% (enbart HÖK-anst)"); a qualitative indicator's text outcome
is printed as written; a stored I.U. is "I.U."; no stored value is "–" (or "-" in the five-year
tables, as in the seed), never I.U. A footnote shared by several values is printed once, with
one number that each of them carries.
"""

from __future__ import annotations

from collections.abc import Callable

from goals.models import AssessmentLevel, BoardGoal
from indicators.formatting import NBSP, NOT_GIVEN, format_number, format_target, round_half_up
from indicators.models import Breakdown, Indicator, Target
from indicators.selectors import Cell as ValueCell
from reports.report.data import (
    INDICATOR_YEARS,
    STAFF_YEARS,
    VOLUME_YEARS,
    IndicatorData,
    ReportData,
)
from reports.report.model import (
    Cell,
    Column,
    FootnoteNumbering,
    Part,
    ReportTable,
    Row,
    RowKind,
)

NO_VALUE_SHORT = "-"  # what the five-year tables print for a year without data
NOT_ASSESSED = "Ej bedömt"
GENDER_LABELS = dict(Breakdown.Gender.choices)


def value_suffix(indicator: Indicator) -> str:
    """ "%" after a share, unless the name already says the unit ("Andel …, %")."""
    if indicator.unit != Indicator.Unit.PERCENT:
        return ""
    names = [indicator.name]
    parent = getattr(indicator, "parent", None) if indicator.parent_id else None
    if parent is not None:
        names.append(parent.name)
    return "" if any("%" in name for name in names) else "%"


def target_suffix(indicator: Indicator) -> str:
    return f"{NBSP}%" if indicator.unit == Indicator.Unit.PERCENT else ""


def _gender(cell: ValueCell) -> str:
    return cell.breakdown.gender if cell.breakdown is not None else ""


def _is_plain(cell: ValueCell) -> bool:
    breakdown = cell.breakdown
    return breakdown is None or (breakdown.org_unit_id is None and not breakdown.category)


class IndicatorRows:
    """Builds the lines of indicators for a set of year columns, marking footnotes in order.

    A line is the name, the outcome of each of `years`, then the målvärde of each of
    `target_years` (`with_target` alone: the target of the data's year, as the
    verksamhetsberättelse prints it). `split_targets` prints targets stored per unit or
    category as one text ("SOF: 105 UAF: 61"), as the plans do; `no_target` is what a line's
    own target cell shows when the year has none.
    """

    def __init__(
        self,
        data: IndicatorData,
        numbering: FootnoteNumbering,
        table: ReportTable,
        years: list[int],
        *,
        with_target: bool = False,
        no_value: str,
        target_years: list[int] | None = None,
        split_targets: bool = False,
        no_target: str = "",
    ) -> None:
        self.data = data
        self.numbering = numbering
        self.table = table
        self.years = years
        if target_years is None:
            target_years = [data.year] if with_target else []
        self.target_years = target_years
        self.no_value = no_value
        self.split_targets = split_targets
        self.no_target = no_target

    # -- ordering -------------------------------------------------------------------------
    def _breakdown_key(self, indicator: Indicator, breakdown: Breakdown | None) -> tuple:
        if breakdown is None:
            return (-1, -1, "")
        declared = self.data.breakdown_order.get(indicator.pk, {})
        return (
            declared.get(breakdown.pk, 10_000 + breakdown.order),
            breakdown.order,
            breakdown.code,
        )

    def genders(self, indicator: Indicator) -> list[str]:
        """'' (the indicator's own line) then the kön lines in the indicator's breakdown order."""
        series = self.data.series[indicator.pk]
        first_seen: dict[str, tuple] = {}
        for year in self.years:
            for cell in series.cells(year).values():
                gender = _gender(cell)
                key = self._breakdown_key(indicator, cell.breakdown)
                if gender not in first_seen or key < first_seen[gender]:
                    first_seen[gender] = key
        for gender in self.data.declared_genders.get(indicator.pk, ()):
            first_seen.setdefault(gender, (20_000,))
        first_seen.pop("", None)
        return ["", *sorted(first_seen, key=lambda gender: (first_seen[gender], gender))]

    def has_values(self, indicator: Indicator) -> bool:
        series = self.data.series[indicator.pk]
        return any(series.cells(year) for year in self.years)

    # -- cells ----------------------------------------------------------------------------
    def name_cell(self, indicator: Indicator, gender: str, *, italic: bool) -> Cell:
        if gender:
            return Cell(parts=[Part(GENDER_LABELS.get(gender, gender), italic=True)])
        texts = [
            note.text
            for note in indicator.footnotes.all()
            if note.year is None or note.year == self.data.year
        ]
        marks = self.numbering.marks(self.table, texts)
        parts = [Part(indicator.name, italic=italic, marks=marks)]
        if indicator.source.strip():
            # As seed 001 prints it: "… antal månader ¹⁹ (Källa: Treserva)".
            parts.append(Part(f" (Källa: {indicator.source.strip()})", italic=italic))
        return Cell(parts=parts)

    def _number_text(self, cell: ValueCell, suffix: str) -> str:
        """The number with the report's suffix; a text outcome or I.U. as `Cell.text` has it."""
        if cell.value is None:
            return cell.text
        return format_number(cell.value, cell.decimals) + suffix

    def value_cell(self, indicator: Indicator, gender: str, year: int, *, fill: bool) -> Cell:
        cells = [
            cell
            for cell in self.data.series[indicator.pk].cells(year).values()
            if _gender(cell) == gender
        ]
        if not cells:
            return Cell(self.no_value) if fill else Cell()
        cells.sort(key=lambda cell: self._breakdown_key(indicator, cell.breakdown))
        suffix = value_suffix(indicator)
        plain = [cell for cell in cells if _is_plain(cell)]
        splits = [cell for cell in cells if not _is_plain(cell)]
        if not splits:
            cell = plain[0]
            marks = self.numbering.note_marks(self.table, cell.notes)
            if cell.value is None:
                return Cell(cell.text, marks=marks)  # the text outcome, or I.U.
            value = round_half_up(cell.value, cell.decimals)
            return Cell.number(value, cell.decimals, suffix=suffix, marks=marks)
        # Several values in one cell: a text as in the printed report.
        parts: list[Part] = []
        for cell in [*plain, *splits]:
            breakdown = cell.breakdown
            text = self._number_text(cell, suffix)
            if breakdown is not None and breakdown.org_unit is not None:
                text = f"{breakdown.org_unit.code}: {text}"
            if breakdown is not None and breakdown.category:
                text = f"{text} ({breakdown.category})"
            if parts:
                text = " " + text
            parts.append(Part(text, marks=self.numbering.note_marks(self.table, cell.notes)))
        return Cell(parts=parts)

    def target_cell(
        self, indicator: Indicator, gender: str, year: int | None = None, *, fill: bool = False
    ) -> Cell:
        year = self.data.year if year is None else year
        code = Breakdown.make_code(gender=gender)
        target: Target | None = self.data.series[indicator.pk].target(year, code)
        if target is None and self.split_targets:
            splits = self._split_targets(indicator, gender, year)
            if splits:
                return self._split_target_cell(indicator, splits)
        if target is None:
            return Cell(self.no_target) if fill and self.no_target else Cell()
        marks = self.numbering.marks(self.table, [note.text for note in target.footnotes.all()])
        if target.kind == Target.Kind.VALUE and target.value is not None:
            decimals = target.shown_decimals
            return Cell.number(
                round_half_up(target.value, decimals),
                decimals,
                suffix=target_suffix(indicator),
                marks=marks,
            )
        return Cell(format_target(target), marks=marks)

    def _split_targets(self, indicator: Indicator, gender: str, year: int) -> list[Target]:
        targets = [
            target
            for target in self.data.series[indicator.pk].targets.get(year, {}).values()
            if target.breakdown.gender == gender
        ]
        return sorted(targets, key=lambda target: self._breakdown_key(indicator, target.breakdown))

    def _split_target_cell(self, indicator: Indicator, targets: list[Target]) -> Cell:
        """Targets per unit or category in one text cell, as the plans print them."""
        parts: list[Part] = []
        for target in targets:
            if target.kind == Target.Kind.VALUE and target.value is not None:
                text = format_number(
                    round_half_up(target.value, target.shown_decimals), target.shown_decimals
                )
            else:
                text = format_target(target)
            breakdown = target.breakdown
            if breakdown.org_unit is not None:
                text = f"{breakdown.org_unit.code}: {text}"
            if breakdown.category:
                text = f"{text} ({breakdown.category})"
            if parts:
                text = " " + text
            marks = self.numbering.marks(self.table, [note.text for note in target.footnotes.all()])
            parts.append(Part(text, marks=marks))
        return Cell(parts=parts)

    # -- rows -----------------------------------------------------------------------------
    def rows(self, indicator: Indicator, *, depth: int = 0) -> list[Row]:
        rows: list[Row] = []
        children = self.data.children.get(indicator.pk, [])
        # A parent whose numbers are in its sub-indicators shows an empty line, not I.U.
        fill = not children or self.has_values(indicator)
        for gender in self.genders(indicator):
            italic = depth > 0 or bool(gender)
            cells = [self.name_cell(indicator, gender, italic=italic)]
            for year in self.years:
                cells.append(self.value_cell(indicator, gender, year, fill=fill and not gender))
            for year in self.target_years:
                cells.append(self.target_cell(indicator, gender, year, fill=fill and not gender))
            kind = RowKind.BREAKDOWN if italic else RowKind.DATA
            for cell in cells[1:]:
                cell.italic = italic
            rows.append(Row(kind, cells))
        for child in children:
            rows.extend(self.rows(child, depth=depth + 1))
        return rows


def _year_columns(years: list[int]) -> list[Column]:
    return [Column(f"y{year}", str(year), numeric=True, width=12) for year in years]


def _series_table(
    data: IndicatorData,
    numbering: FootnoteNumbering,
    name_column: Column,
    category: str,
    years: list[int],
    *,
    key: str,
    title: str,
) -> ReportTable:
    """A category's indicators over `years` without targets (volymer, personal)."""
    built = ReportTable(key=key, title=title, columns=[name_column, *_year_columns(years)])
    builder = IndicatorRows(
        data, numbering, built, years, with_target=False, no_value=NO_VALUE_SHORT
    )
    for indicator in data.top_level(category):
        built.rows.extend(builder.rows(indicator))
    return built


def build_volume_table(data: ReportData, numbering: FootnoteNumbering) -> ReportTable:
    return _series_table(
        data,
        numbering,
        Column("name", "Basuppdrag (volymmått)", width=60, wrap=True),
        Indicator.Category.VOLUME,
        data.years(VOLUME_YEARS),
        key="volymutveckling",
        title="Volymutveckling",
    )


def build_staff_table(data: ReportData, numbering: FootnoteNumbering) -> ReportTable:
    return _series_table(
        data,
        numbering,
        Column("name", "Personal", width=40, wrap=True),
        Indicator.Category.STAFF,
        data.years(STAFF_YEARS),
        key="personal",
        title="Personal",
    )


def achieved_text(data: ReportData, goal: BoardGoal) -> str:
    assessment = data.assessments.get(goal.pk)
    if assessment is None:
        return NOT_ASSESSED
    return AssessmentLevel(assessment.level).short_label


def goal_parts(
    data: IndicatorData, numbering: FootnoteNumbering, table: ReportTable, goal: BoardGoal
) -> list[Part]:
    marks = numbering.marks(table, data.goal_footnotes.get(goal.pk, []))
    if goal.description:
        return [Part(goal.title), Part("\n" + goal.description, italic=True, marks=marks)]
    return [Part(goal.title, marks=marks)]


def _indicator_table_columns(years: list[int]) -> list[Column]:
    return [
        Column("goal", "Nämndmål", width=38, wrap=True),
        Column("achieved", "Mål uppnått", width=10),
        Column("indicator", "Nämndindikator", width=50, wrap=True),
        *_year_columns(years),
        Column("target", "Målvärde", numeric=True, width=16, wrap=True),
    ]


def goal_rows(
    data: IndicatorData,
    numbering: FootnoteNumbering,
    table: ReportTable,
    builder: IndicatorRows,
    goal: BoardGoal | None,
    indicators: list[Indicator],
    *,
    achieved: ReportData | None = None,
) -> list[Row]:
    """A nämndmål's lines: the goal (and, given the report's data, "Mål uppnått") spanning its
    indicators' lines; a goal without indicators is one line of its own."""
    lead = [Cell(parts=goal_parts(data, numbering, table, goal)) if goal is not None else Cell()]
    if achieved is not None:
        lead.append(Cell(achieved_text(achieved, goal)) if goal is not None else Cell())
    rows: list[Row] = []
    for indicator in indicators:
        rows.extend(builder.rows(indicator))
    if not rows:
        empty = [Cell() for _ in range(len(table.columns) - len(lead))]
        return [Row(RowKind.DATA, [*lead, *empty])]
    for cell in lead:
        cell.rowspan = len(rows)
    rows[0].cells[:0] = lead
    for row in rows[1:]:
        row.cells[:0] = [Cell.covered_cell() for _ in lead]
    return rows


def build_indicator_tables(
    data: ReportData,
    numbering: FootnoteNumbering,
    *,
    table_notes: Callable[[list[Indicator]], list[str]] | None = None,
) -> list[ReportTable]:
    """One table per kommunövergripande mål with the board's nämndmål and their indicators;
    `table_notes` gives the notes under a table from the indicators it lists (a
    delårsrapport's "Utfall … avser läget t.o.m. …")."""
    years = data.years(INDICATOR_YEARS)
    by_goal: dict[int | None, list[Indicator]] = {}
    for indicator in data.top_level(Indicator.Category.GOAL):
        by_goal.setdefault(indicator.board_goal_id, []).append(indicator)

    tables: list[ReportTable] = []
    shown_goals: set[int] = set()
    for area in data.structure:
        for node in area.council_goals:
            table = ReportTable(
                key=f"namndindikatorer-{len(tables) + 1}",
                title=f"Nämndindikatorer: {node.goal.title}",
                columns=_indicator_table_columns(years),
                headings=[
                    f"Målområde: {area.area.name}",
                    f"Kommunövergripande mål: {node.goal.title}",
                ],
                sheet="namndindikatorer",
                sheet_title="Nämndindikatorer",
            )
            builder = IndicatorRows(
                data, numbering, table, years, with_target=True, no_value=NOT_GIVEN
            )
            for goal in node.board_goals:
                shown_goals.add(goal.pk)
                table.rows.extend(
                    goal_rows(
                        data,
                        numbering,
                        table,
                        builder,
                        goal,
                        by_goal.get(goal.pk, []),
                        achieved=data,
                    )
                )
            if table_notes is not None:
                listed = [i for goal in node.board_goals for i in by_goal.get(goal.pk, [])]
                table.notes.extend(table_notes(listed))
            tables.append(table)

    # Indicators whose nämndmål is not part of the year's structure are still reported.
    leftovers = [
        i for goal_id, items in by_goal.items() if goal_id not in shown_goals for i in items
    ]
    if leftovers:
        table = ReportTable(
            key=f"namndindikatorer-{len(tables) + 1}",
            title="Nämndindikatorer utan nämndmål i årets målstruktur",
            columns=_indicator_table_columns(years),
            sheet="namndindikatorer",
            sheet_title="Nämndindikatorer",
        )
        builder = IndicatorRows(data, numbering, table, years, with_target=True, no_value=NOT_GIVEN)
        table.rows.extend(
            goal_rows(data, numbering, table, builder, None, leftovers, achieved=data)
        )
        if table_notes is not None:
            table.notes.extend(table_notes(leftovers))
        tables.append(table)
    return tables
