"""The report model: every table of the verksamhetsberättelse as plain data.

Builders (reports.report.*) fill these dataclasses from the database once; renderers
(reports.renderers.html, reports.renderers.xlsx) turn the same objects into a web page and a
workbook, and report_to_json() stores them for the archive. Nothing here touches the database.

A cell keeps its number as a number (Decimal or int) with a display format; only cells that
are text in the printed report too (I.U., unit splits like "UAF: 2,5 SOF: 6,9", names, assessment
texts) hold strings. Footnote marks are numbers, assigned by FootnoteNumbering in the order the
cells are built, which is the order they appear in the report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from indicators.formatting import format_number

NUMBER_FORMATS = ("int", "dec1", "dec2", "dec3", "dec4")
TEXT = "text"


def number_format_for(decimals: int) -> str:
    """The Cell.format name of a number shown with `decimals` decimals."""
    return "int" if decimals <= 0 else f"dec{min(decimals, 4)}"


class RowKind(StrEnum):
    HEADER = "header"  # column headings inside the body (a repeated or second header line)
    DATA = "data"  # an ordinary line: an indicator, a budget line, a goal
    BREAKDOWN = "breakdown"  # italic line under its parent: Kvinnor, Män, a sub-indicator
    SUM = "sum"  # bold line: Summa nettokostnader, Summa investeringar
    SECTION = "section"  # a heading line inside the table: "Verksamhet", "Målområde Ekonomi"


@dataclass
class Part:
    """A run of text inside a cell, with its own italics and footnote marks."""

    text: str
    italic: bool = False
    marks: list[int] = field(default_factory=list)


@dataclass
class Cell:
    """One cell: a number with a format, a text, or a composite text made of parts.

    `format` is "int", "dec1" … "dec4" for numbers and "text" otherwise. `suffix` is a literal
    unit printed after a number ("%", " %"); it is part of the number format, never of the value.
    `rowspan` > 1 marks the top cell of a vertical merge; the cells it covers are `covered`.
    """

    value: Decimal | int | str | None = None
    format: str = TEXT
    suffix: str = ""
    parts: list[Part] | None = None
    marks: list[int] = field(default_factory=list)
    bold: bool = False
    italic: bool = False
    rowspan: int = 1
    colspan: int = 1
    covered: bool = False

    @property
    def is_number(self) -> bool:
        return self.format != TEXT and self.value is not None and not isinstance(self.value, str)

    @property
    def decimals(self) -> int:
        return 0 if self.format in (TEXT, "int") else int(self.format[3:])

    @property
    def text(self) -> str:
        """The cell as the report prints it, without footnote marks."""
        if self.parts is not None:
            return "".join(part.text for part in self.parts)
        if self.is_number and isinstance(self.value, Decimal | int):  # a number is one of those
            return format_number(self.value, self.decimals) + self.suffix
        return "" if self.value is None else str(self.value)

    def display_parts(self) -> list[Part]:
        """Parts to render: the explicit ones, or the formatted value with the cell's marks."""
        if self.parts is not None:
            return self.parts
        return [Part(self.text, italic=False, marks=self.marks)]

    @property
    def all_marks(self) -> list[int]:
        if self.parts is not None:
            return [mark for part in self.parts for mark in part.marks] + self.marks
        return list(self.marks)

    @classmethod
    def number(
        cls, value: Decimal | int | None, decimals: int = 0, *, suffix: str = "", **kwargs: Any
    ) -> Cell:
        if value is None:
            return cls(None, **kwargs)
        return cls(value, format=number_format_for(decimals), suffix=suffix, **kwargs)

    @classmethod
    def covered_cell(cls) -> Cell:
        return cls(covered=True)


@dataclass
class Column:
    key: str
    label: str
    numeric: bool = False
    group: str = ""  # a heading over several columns ("Varav årets investeringar")
    width: int | None = None  # suggested width in characters; computed when None
    wrap: bool = False  # long texts: wrap inside a fixed width


@dataclass
class ColumnGroup:
    """One cell of a table's group header: `label` over `span` columns from `start` (0-based)."""

    label: str
    start: int
    span: int


@dataclass
class Row:
    kind: RowKind
    cells: list[Cell]


@dataclass
class Footnote:
    number: int
    text: str


@dataclass
class ReportTable:
    """One table of the report, e.g. the driftsammandrag or one nämndindikator table.

    Tables that belong together (the nämndindikator tables of every KF goal, the two
    tables of strategic assignments) share a `sheet`: one worksheet and one download.
    """

    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    sheet: str = ""
    sheet_title: str = ""

    def __post_init__(self) -> None:
        self.sheet = self.sheet or self.key
        self.sheet_title = self.sheet_title or self.title

    @property
    def has_groups(self) -> bool:
        return any(column.group for column in self.columns)

    def column_groups(self) -> list[ColumnGroup]:
        """The header row above the column labels: neighbouring columns with the same group
        share one cell; a column without a group gets an empty cell of its own."""
        groups: list[ColumnGroup] = []
        for index, column in enumerate(self.columns):
            last = groups[-1] if groups else None
            if column.group and last is not None and last.label == column.group:
                last.span += 1
            else:
                groups.append(ColumnGroup(column.group, index, 1))
        return groups

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(key)


@dataclass
class Sheet:
    key: str
    title: str
    tables: list[ReportTable]


class ReportKind(StrEnum):
    """Which document a Report is: every kind is built as this model and drawn by the same
    renderers. The plan kinds are goals.models.PlanKind's values."""

    VERKSAMHETSBERATTELSE = "verksamhetsberattelse"
    DELAR1 = "delar1"
    DELAR2 = "delar2"
    INTERNBUDGET = "internbudget"
    VERKSAMHETSPLAN = "verksamhetsplan"


REPORT_TITLES = {
    ReportKind.VERKSAMHETSBERATTELSE: "Verksamhetsberättelse {year}",
    ReportKind.DELAR1: "Delårsrapport 1 {year} (30 april)",
    ReportKind.DELAR2: "Delårsrapport 2 {year} (31 augusti)",
    ReportKind.INTERNBUDGET: "Internbudget {year} med plan för {first_plan}–{last_plan}",
    ReportKind.VERKSAMHETSPLAN: "Verksamhetsplan {year}",
}


class OutlineKind(StrEnum):
    HEADING = "rubrik"
    NARRATIVE = "text"
    TABLE = "tabell"


@dataclass
class OutlineEntry:
    """One line of the document's outline (reports.models.OutlineItem, years filled in).

    A heading has a title and a level; a narrative names its text by `key` (its title is the
    section's name on the entry page, not printed); a table names a table or a sheet by `key`.
    """

    kind: OutlineKind
    title: str = ""
    level: int = 1
    key: str = ""


@dataclass
class Report:
    """One document as plain data. `as_of` is the moment its figures stand as of (a plan's
    decision day, or a day someone asked about); None is "as stored now". `subtitle` says
    which state the document shows, e.g. the follow-up occasion of a verksamhetsplan."""

    board_code: str
    board_name: str
    year: int
    generated_at: datetime.datetime
    tables: list[ReportTable] = field(default_factory=list)
    kind: ReportKind = ReportKind.VERKSAMHETSBERATTELSE
    as_of: datetime.datetime | None = None
    subtitle: str = ""
    # The document around the tables: its outline and its narrative texts by section key.
    # Empty outline: the renderers draw the tables alone, in order (the per-table downloads).
    outline: list[OutlineEntry] = field(default_factory=list)
    narratives: dict[str, str] = field(default_factory=dict)
    # What the cover says of the decision, e.g. "Beslutad i Arbetsmarknadsnämnden 2023-02-14 § 12"
    # or "Utkast – ej godkänd".
    status_line: str = ""

    @property
    def title(self) -> str:
        return REPORT_TITLES[self.kind].format(
            year=self.year, first_plan=self.year + 1, last_plan=self.year + 5
        )

    def sheets(self) -> list[Sheet]:
        """The tables grouped by sheet, in report order."""
        sheets: dict[str, Sheet] = {}
        for table in self.tables:
            sheet = sheets.get(table.sheet)
            if sheet is None:
                sheet = sheets[table.sheet] = Sheet(table.sheet, table.sheet_title, [])
            sheet.tables.append(table)
        return list(sheets.values())

    def table(self, key: str) -> ReportTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def select(self, key: str) -> Report:
        """A report with only one sheet's tables or one table (for the per-table download)."""
        tables = [table for table in self.tables if key in (table.key, table.sheet)]
        if not tables:
            raise KeyError(key)
        return Report(
            self.board_code,
            self.board_name,
            self.year,
            self.generated_at,
            tables,
            kind=self.kind,
            as_of=self.as_of,
            subtitle=self.subtitle,
        )

    def tables_for(self, key: str) -> list[ReportTable]:
        """The tables an outline entry names: one table by its key, or every table of a sheet."""
        return [table for table in self.tables if key in (table.key, table.sheet)]

    def unplaced_tables(self) -> list[ReportTable]:
        """Tables that no outline entry names (drawn after the outline, so none is lost)."""
        placed = {
            id(table)
            for entry in self.outline
            if entry.kind == OutlineKind.TABLE
            for table in self.tables_for(entry.key)
        }
        return [table for table in self.tables if id(table) not in placed]

    @property
    def download_keys(self) -> list[str]:
        keys: list[str] = []
        for table in self.tables:
            for key in (table.sheet, table.key):
                if key not in keys:
                    keys.append(key)
        return keys


class FootnoteNumbering:
    """One numbering per report, in order of appearance; each table lists its own notes.

    Builders create cells in reading order (rows top to bottom, cells left to right) and call
    `mark` for every footnote as they go, so the numbers come out as in the printed document.
    The same text attached twice gets two numbers, as in the seed: two footnotes are two rows.
    One footnote row attached to several values (`Footnote.shared_values`) is marked with its
    id (`mark_note`): a table lists it once, and every value it applies to carries that number.
    """

    def __init__(self) -> None:
        self.last = 0
        self.by_note: dict[tuple[str, int], int] = {}  # (table key, footnote id) → number

    def mark(self, table: ReportTable, text: str) -> int:
        self.last += 1
        table.footnotes.append(Footnote(self.last, text))
        return self.last

    def marks(self, table: ReportTable, texts: list[str]) -> list[int]:
        return [self.mark(table, text) for text in texts]

    def mark_note(self, table: ReportTable, note_id: int | None, text: str) -> int:
        """The number of a footnote row in this table: the one it got, else a new one."""
        if note_id is None:
            return self.mark(table, text)
        key = (table.key, note_id)
        if key not in self.by_note:
            self.by_note[key] = self.mark(table, text)
        return self.by_note[key]

    def note_marks(self, table: ReportTable, notes: list[tuple[int | None, str]]) -> list[int]:
        marks: list[int] = []
        for note_id, text in notes:
            number = self.mark_note(table, note_id, text)
            if number not in marks:
                marks.append(number)
        return marks
