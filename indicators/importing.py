"""Excel template and import of outcomes for one board and occasion.

The template has one row per indicator, period and breakdown due at the occasion, with the
target and last year's value for reference and the version each value had when the file was
made. The import checks the file itself first (an .xlsx zip of reasonable size that unpacks to
a reasonable size, no macros), then every cell (no formulas, Swedish numbers, I.U. with a
reason, the right board and occasion, nobody changed the value since the template was made),
and reports each error by sheet, row and column. Only a file without any error is written,
in one transaction, through the same service as the entry page.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.audit import ChangeSource
from goals.models import OccasionLockedError, ReportingOccasion
from goals.periods import OccasionKind, PeriodType
from goals.users import user_label
from indicators.entry import EntryField, EntrySheet, entry_sheet
from indicators.formatting import exact_decimals
from indicators.models import MissingReason
from indicators.parsing import is_missing_text, parse_value_for_unit
from indicators.services import (
    NUMBER_ON_TEXT,
    TEXT_MAX_LENGTH,
    TEXT_TOO_LONG,
    ValueConflict,
    save_value,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SHEET = "Utfall"
INFO_SHEET = "Information"
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_ROWS = 20000

NOT_XLSX = "Filen är inte en Excelfil i formatet .xlsx. Spara den som Excel-arbetsbok (.xlsx)."
MACROS = "Filen innehåller makron. Spara den som en vanlig Excel-arbetsbok (.xlsx) utan makron."
TOO_LARGE = "Filen är för stor ({size} kB). Största tillåtna storlek är {limit} kB."
UNPACKS_TOO_LARGE = "Filen packas upp till en orimlig storlek och läses inte in."
UNREADABLE = "Filen kunde inte läsas som en Excelfil."
NO_SHEET = "Bladet ”{sheet}” saknas. Använd mallen som laddas ner från sidan."
WRONG_OCCASION = (
    "Filen gäller {found}, inte {expected} ({differences}). "
    "Ladda ner mallen för rätt nämnd och tillfälle."
)
LOCKED = "{lock} Inget lästes in."
FORMULA = "Cellen innehåller en formel. Skriv in värdet i stället för en formel."
UNKNOWN_ROW = (
    "Raden hör inte till mallen för det här tillfället (indikator, uppdelning eller period saknas)."
)
DUPLICATE_ROW = "Raden finns redan längre upp i filen."
BAD_VERSION = "Versionskolumnen har ändrats. Ladda ner en ny mall."
UNKNOWN_REASON = "Okänt skäl till I.U. Välj ett av skälen i listan."
REASON_REQUIRED = "Ange skäl till I.U. i kolumnen Skäl till I.U."
VALUE_AND_REASON = "Ange antingen ett utfall eller ett skäl till I.U., inte båda."
COMPUTED = "Indikatorn beräknas och kan inte läsas in. Lämna cellen tom."
CONFLICT = (
    "Värdet har ändrats sedan mallen laddades ner: {detail} Ladda ner en ny mall "
    "eller ändra på sidan."
)
NOTHING_WRITTEN = "Inget lästes in. Rätta felen i filen och läs in den igen."

COLUMNS = [
    ("indicator_id", "Indikator-id"),
    ("breakdown_id", "Uppdelning-id"),
    ("period_type", "Periodtyp"),
    ("period_number", "Period"),
    ("version", "Version"),
    ("name", "Indikator"),
    ("breakdown", "Uppdelning"),
    ("period_label", "Avser"),
    ("target", "Målvärde"),
    ("last_year", "Samma period föregående år"),
    ("value", "Utfall"),
    ("missing_reason", "Skäl till I.U."),
    ("comment", "Kommentar"),
    ("footnote", "Fotnot"),
]
COLUMN = {key: index + 1 for index, (key, _) in enumerate(COLUMNS)}
HEADER_ROW = 1
REASON_BY_LABEL = {label.lower(): value for value, label in MissingReason.choices}
REASON_BY_VALUE = {value.lower(): value for value in MissingReason.values}


class ImportRefused(ValidationError):
    """The file as a whole is refused (not xlsx, too large, macros, locked occasion)."""


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Blad {self.sheet}, rad {self.row}, kolumn {self.column}: {self.message}"


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(cell: Cell | MergedCell, value: str) -> None:
    """Write text as text: openpyxl would turn a leading = into a formula."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith("="):
        cell.quotePrefix = True  # else Excel reads it as a formula once the cell is edited


def _number_format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def occasion_label(occasion: ReportingOccasion) -> str:
    return f"{occasion.board.code} {occasion.get_kind_display()} {occasion.year}"


def wrong_occasion_message(found: tuple, occasion: ReportingOccasion) -> str:
    """Name what differs (board, year, kind) from the file's own codes, never its free text."""
    board, year, kind = (str(item or "").strip() for item in found)
    kinds = dict(OccasionKind.choices)
    expected = (occasion.board.code, str(occasion.year), occasion.kind)
    labels = ("nämnd", "år", "tillfälle")
    shown_found = (board or "?", year or "?", kinds.get(kind, kind or "?"))
    shown_expected = (expected[0], expected[1], occasion.get_kind_display())
    differences = [
        f"{label} {mine} i filen, {theirs} här"
        for label, got, want, mine, theirs in zip(
            labels, (board, year, kind), expected, shown_found, shown_expected, strict=True
        )
        if got != want
    ]
    return WRONG_OCCASION.format(
        found=f"{shown_found[0]} {shown_found[2]} {shown_found[1]}",
        expected=occasion_label(occasion),
        differences="; ".join(differences),
    )


def build_template(occasion: ReportingOccasion, sheet: EntrySheet | None = None) -> bytes:
    """The pre-filled workbook for an occasion: one row per indicator, period and breakdown."""
    sheet = sheet or entry_sheet(occasion)
    workbook = Workbook()
    ws = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    ws.title = SHEET
    bold = Font(bold=True)
    for key, header in COLUMNS:
        cell = ws.cell(row=HEADER_ROW, column=COLUMN[key])
        _text(cell, header)
        cell.font = bold
    input_fill = PatternFill("solid", start_color="FFF7D6")
    row_number = HEADER_ROW
    for entry in sheet.all_fields():
        if entry.is_computed:
            continue
        row_number += 1
        for cell in _template_row(ws, row_number, entry):
            cell.fill = input_fill
            cell.protection = Protection(locked=False)
    _finish_template_sheet(ws, last_row=row_number)
    _template_info(workbook.create_sheet(INFO_SHEET), occasion)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template_row(ws: Worksheet, row_number: int, entry: EntryField) -> list[Cell | MergedCell]:
    """One field's row: its keys (hidden), what it is, last year, and the input cells."""
    decimals = entry.indicator.decimals
    ws.cell(row=row_number, column=COLUMN["indicator_id"], value=entry.indicator.pk)
    ws.cell(row=row_number, column=COLUMN["breakdown_id"], value=entry.breakdown.pk)
    _text(ws.cell(row=row_number, column=COLUMN["period_type"]), str(entry.period.type.value))
    ws.cell(row=row_number, column=COLUMN["period_number"], value=entry.period.number)
    ws.cell(row=row_number, column=COLUMN["version"], value=entry.version)
    _text(ws.cell(row=row_number, column=COLUMN["name"]), entry.indicator.name)
    _text(ws.cell(row=row_number, column=COLUMN["breakdown"]), entry.breakdown.label)
    _text(ws.cell(row=row_number, column=COLUMN["period_label"]), entry.period.label)
    _text(ws.cell(row=row_number, column=COLUMN["target"]), entry.target_text)
    last = entry.last_year
    last_cell = ws.cell(row=row_number, column=COLUMN["last_year"])
    if last is not None and last.value is not None:
        last_cell.value = float(last.value)
        last_cell.number_format = _number_format(decimals)
    elif last is not None:
        _text(last_cell, last.text or "I.U.")  # a text outcome, or a stored I.U.
    value_cell = ws.cell(row=row_number, column=COLUMN["value"])
    stored = entry.value
    shown_decimals = decimals
    if entry.is_text:
        # A qualitative indicator: the outcome in words, as text (never a formula).
        value_cell.number_format = "@"
        if stored is not None and stored.text:
            _text(value_cell, stored.text)
    else:
        if stored is not None and stored.value is not None:
            value_cell.value = float(stored.value)
            # Exactly the stored figure: a rounded cell would be read back and overwrite it.
            shown_decimals = exact_decimals(stored.value, decimals)
        value_cell.number_format = _number_format(shown_decimals)
    reason_cell = ws.cell(row=row_number, column=COLUMN["missing_reason"])
    if stored is not None and stored.missing_reason:
        _text(reason_cell, stored.get_missing_reason_display())
    comment_cell = ws.cell(row=row_number, column=COLUMN["comment"])
    if stored is not None and stored.comment:
        _text(comment_cell, stored.comment)
    footnote_cell = ws.cell(row=row_number, column=COLUMN["footnote"])
    if entry.footnote_text:
        _text(footnote_cell, entry.footnote_text)
    return [value_cell, reason_cell, comment_cell, footnote_cell]


def _finish_template_sheet(ws: Worksheet, *, last_row: int) -> None:
    """The I.U. reason list, column widths, hidden key columns, frozen panes, protection."""
    reasons = DataValidation(
        type="list",
        formula1='"' + ",".join(label for _, label in MissingReason.choices) + '"',
        allow_blank=True,
        errorTitle="Skäl till I.U.",
        error="Välj ett skäl i listan.",
    )
    ws.add_data_validation(reasons)
    if last_row > HEADER_ROW:
        column = get_column_letter(COLUMN["missing_reason"])
        reasons.add(f"{column}{HEADER_ROW + 1}:{column}{last_row}")
    widths = {"name": 60, "breakdown": 18, "period_label": 12, "target": 16, "last_year": 16}
    widths |= {"value": 14, "missing_reason": 36, "comment": 40}
    for key, width in widths.items():
        ws.column_dimensions[get_column_letter(COLUMN[key])].width = width
    for key in ("indicator_id", "breakdown_id", "period_type", "period_number", "version"):
        ws.column_dimensions[get_column_letter(COLUMN[key])].hidden = True
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=COLUMN["name"] + 1).coordinate
    ws.protection.sheet = True  # only the yellow input cells can be changed in Excel


def _template_info(info: Worksheet, occasion: ReportingOccasion) -> None:
    """The second sheet: which occasion the file belongs to and how to fill it in."""
    rows = [
        ("Nämnd", occasion.board.code),
        ("År", str(occasion.year)),
        ("Tillfälle", occasion.kind),
        ("Beskrivning", occasion_label(occasion)),
        (
            "Så fyller du i",
            "Skriv utfall i kolumnen Utfall (t.ex. 3 327 eller 88,9); för en kvalitativ "
            "indikator skriver du resultatet i ord. För I.U.: lämna Utfall tomt och välj skäl. "
            "Tomma rader lämnas orörda.",
        ),
    ]
    for index, (label, value) in enumerate(rows, start=1):
        _text(info.cell(row=index, column=1), label)
        _text(info.cell(row=index, column=2), value)
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 90


def check_file(data: bytes, filename: str) -> None:
    """Refuse, before any parsing, what is not a plain, reasonably sized .xlsx."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportRefused(
            TOO_LARGE.format(size=(len(data) + 1023) // 1024, limit=limit // 1024), code="size"
        )
    lowered = filename.lower()
    if lowered.endswith((".xlsm", ".xltm", ".xlam")):
        raise ImportRefused(MACROS, code="macros")
    if not lowered.endswith(".xlsx"):
        raise ImportRefused(NOT_XLSX, code="type")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused(NOT_XLSX, code="type")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise ImportRefused(NOT_XLSX, code="type")
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ImportRefused(UNPACKS_TOO_LARGE, code="zip")
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
                raise ImportRefused(UNPACKS_TOO_LARGE, code="zip")
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ImportRefused(MACROS, code="macros")
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if "macroEnabled" in content_types or "vbaProject" in content_types:
                raise ImportRefused(MACROS, code="macros")
    except zipfile.BadZipFile:
        raise ImportRefused(NOT_XLSX, code="type") from None


def cell_number(raw: object, unit: str | None = None) -> Decimal:
    """A number cell (or text typed in one) as a Decimal, through the checks of typed text;
    the structure workbook reads its numbers with it too."""
    if isinstance(raw, bool):
        raise ValidationError("Skriv ett tal.", code="invalid_number")
    if isinstance(raw, int | float):
        try:
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        except InvalidOperation:
            raise ValidationError("Skriv ett tal.", code="invalid_number") from None
        if not number.is_finite():
            raise ValidationError("Skriv ett tal.", code="invalid_number")
        # Through the same checks as typed text: size, decimals, significant digits.
        return parse_value_for_unit(format(number, "f").replace(".", ","), unit=unit)
    return parse_value_for_unit(str(raw), unit=unit)


def _column_name(key: str) -> str:
    return f"{get_column_letter(COLUMN[key])} ({dict(COLUMNS)[key]})"


# (indicator id, breakdown id, period type, period number) of a template row.
_RowKey = tuple[int, int, str, int]
# A row's raw cell value by column key (None where the cell is empty or absent).
_CellOf = Callable[[str], Any]


@dataclass
class _Row:
    number: int
    entry: EntryField
    value: Decimal | None
    missing_reason: str
    comment: str
    version: int
    footnote: str | None = None
    text: str = ""  # a qualitative indicator's outcome in words


def read_and_import(
    *, user: User, occasion: ReportingOccasion, data: bytes, filename: str
) -> ImportResult:
    """Check the file and every cell; write everything in one transaction, or nothing."""
    check_file(data, filename)
    if not occasion.is_open_for_entry:
        raise ImportRefused(
            LOCKED.format(lock=OccasionLockedError(occasion).messages[0]), code="locked"
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise ImportRefused(UNREADABLE, code="unreadable") from None
    try:
        return _import_workbook(workbook, user=user, occasion=occasion)
    except (ValueError, TypeError):
        # openpyxl converts numeric cells while the rows are read; a crafted <v>inf</v> or
        # <v>0x10</v> fails there, before anything is written.
        raise ImportRefused(UNREADABLE, code="unreadable") from None
    finally:
        workbook.close()


def _import_workbook(
    workbook: Workbook, *, user: User, occasion: ReportingOccasion
) -> ImportResult:
    result = ImportResult()
    if SHEET not in workbook.sheetnames:
        raise ImportRefused(NO_SHEET.format(sheet=SHEET), code="sheet")
    _check_info_sheet(workbook, occasion)
    entries = {
        (
            entry.indicator.pk,
            entry.breakdown.pk,
            entry.period.type.value,
            entry.period.number,
        ): entry
        for entry in entry_sheet(occasion).all_fields()
    }
    rows = _read_rows(workbook[SHEET], entries, result)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for row in rows:
                _save_row(row, user=user, result=result)
    except OccasionLockedError as error:
        raise ImportRefused(error.messages[0], code="locked") from None
    except ValidationError:
        result.written = 0
        result.unchanged = 0
        result.warnings = []
    return result


def _check_info_sheet(workbook: Workbook, occasion: ReportingOccasion) -> None:
    """A template of another board, year or occasion is refused as a whole."""
    if INFO_SHEET not in workbook.sheetnames:
        return
    info = {
        str(row[0]).strip(): str(row[1]).strip()
        for row in workbook[INFO_SHEET].iter_rows(min_row=1, max_row=4, values_only=True)
        if row and len(row) >= 2 and row[0] is not None and row[1] is not None
    }
    found = (info.get("Nämnd"), info.get("År"), info.get("Tillfälle"))
    if found != (occasion.board.code, str(occasion.year), occasion.kind):
        raise ImportRefused(wrong_occasion_message(found, occasion), code="occasion")


def _read_rows(
    ws: Worksheet, entries: dict[_RowKey, EntryField], result: ImportResult
) -> list[_Row]:
    """Every non-empty row checked; the errors are collected in `result` at their cells."""
    # A read-only sheet at run time; openpyxl's stubs type a workbook's sheets as Worksheet.
    rows: list[_Row] = []
    seen: set[_RowKey] = set()
    header = next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
    has_footnotes = len(header) >= COLUMN["footnote"] and (
        str(header[COLUMN["footnote"] - 1] or "").strip() == dict(COLUMNS)["footnote"]
    )
    for number, cells in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1), start=HEADER_ROW + 1):
        if number > MAX_ROWS + HEADER_ROW:
            result.errors.append(CellError(SHEET, number, "–", "Filen har för många rader."))
            break
        values = {}
        for cell in cells:
            column = getattr(cell, "column", None)
            if column is None:
                continue
            raw = cell.value
            if cell.data_type == "f" or (isinstance(raw, str) and raw.startswith("=")):
                result.errors.append(CellError(SHEET, number, get_column_letter(column), FORMULA))
                raw = None
            values[column] = raw
        if all(value in (None, "") for value in values.values()):
            continue
        row = _check_row(number, values, entries, seen, result, has_footnotes=has_footnotes)
        if row is not None:
            rows.append(row)
    return rows


def _save_row(row: _Row, *, user: User, result: ImportResult) -> None:
    """One row through save_value; a refusal is put at the row's value cell and re-raised."""
    entry = row.entry
    try:
        outcome = save_value(
            user=user,
            indicator=entry.indicator,
            period=entry.period,
            breakdown=entry.breakdown,
            value=row.value,
            text=row.text,
            missing_reason=row.missing_reason,
            is_missing=bool(row.missing_reason),
            comment=row.comment,
            footnote=row.footnote,
            expected_version=row.version,
            source=ChangeSource.IMPORT,
        )
    except ValueConflict as conflict:
        result.errors.append(
            CellError(
                SHEET,
                row.number,
                _column_name("value"),
                CONFLICT.format(detail=conflict.messages[0]),
            )
        )
        raise
    except OccasionLockedError as error:
        # The row's period is covered by an approved occasion: blame that row's
        # value cell and name the lock, not column A.
        result.errors.append(
            CellError(SHEET, row.number, _column_name("value"), " ".join(error.messages))
        )
        raise ValidationError(error.messages) from None
    except ValidationError as error:
        result.errors.append(
            CellError(SHEET, row.number, _column_name("value"), " ".join(error.messages))
        )
        raise
    if outcome.changed:
        result.written += 1
    else:
        result.unchanged += 1
    result.warnings += [f"Rad {row.number}: {warning}" for warning in outcome.warnings]


def _check_row(
    number: int,
    values: dict[int, Any],
    entries: dict[_RowKey, EntryField],
    seen: set[_RowKey],
    result: ImportResult,
    *,
    has_footnotes: bool = False,
) -> _Row | None:
    """One sheet row as a row to save, or None: its errors are added to `result`.

    None also for a row with nothing to write (empty, or what is stored already).
    """

    def get(key: str) -> Any:
        return values.get(COLUMN[key])

    errors_before = len(result.errors)
    entry = _row_entry(number, get, entries, seen, result)
    if entry is None:
        return None
    comment = str(get("comment") or "").strip()
    # An old template without the column leaves footnotes as they are (None).
    footnote = None if not has_footnotes else str(get("footnote") or "").strip()
    try:
        version = int(get("version") or 0)
    except (TypeError, ValueError):
        result.errors.append(CellError(SHEET, number, _column_name("version"), BAD_VERSION))
        version = 0
    value, missing_reason, text = _row_value(number, get, entry, result)
    if len(result.errors) > errors_before:
        return None
    stored = entry.value
    if value is None and not missing_reason and not text:
        # An empty row leaves the stored value (and its comment and footnote) as it is.
        footnote_changed = footnote is not None and footnote != entry.footnote_text
        if stored is None or not ((comment and comment != stored.comment) or footnote_changed):
            return None
        value = stored.value
        missing_reason = stored.missing_reason
        text = stored.text
    if (
        stored is not None
        and stored.value == value
        and stored.missing_reason == missing_reason
        and stored.text == text
        and stored.comment == comment
        and (footnote is None or footnote == entry.footnote_text)
    ):
        return None  # the row says what is stored already: nothing to write, nothing to refuse
    if not _version_holds(number, entry, version, result):
        return None
    return _Row(
        number=number,
        entry=entry,
        value=value,
        missing_reason=missing_reason,
        comment=comment,
        version=version,
        footnote=footnote,
        text=text,
    )


def _row_entry(
    number: int,
    get: _CellOf,
    entries: dict[_RowKey, EntryField],
    seen: set[_RowKey],
    result: ImportResult,
) -> EntryField | None:
    """The entry field the row's hidden keys name, once per file; else an error at column A."""
    try:
        key = (
            int(get("indicator_id")),
            int(get("breakdown_id")),
            str(get("period_type")),
            int(get("period_number")),
        )
    except (TypeError, ValueError):
        key = None
    entry = entries.get(key) if key else None
    if key is None or entry is None or key[2] not in PeriodType.values:
        result.errors.append(CellError(SHEET, number, _column_name("indicator_id"), UNKNOWN_ROW))
        return None
    if key in seen:
        result.errors.append(CellError(SHEET, number, _column_name("indicator_id"), DUPLICATE_ROW))
        return None
    seen.add(key)
    return entry


def _row_value(
    number: int, get: _CellOf, entry: EntryField, result: ImportResult
) -> tuple[Decimal | None, str, str]:
    """The row's number, I.U. reason or (a qualitative indicator's) text; errors go to
    `result` at the cell they were made."""
    raw_value = get("value")
    raw_reason = get("missing_reason")
    value = None
    missing_reason = ""
    text_value = str(raw_value).strip() if raw_value is not None else ""
    if is_missing_text(text_value):
        text_value = ""
        raw_value = None
        if raw_reason in (None, ""):
            result.errors.append(
                CellError(SHEET, number, _column_name("missing_reason"), REASON_REQUIRED)
            )
    if raw_reason not in (None, ""):
        reason_text = str(raw_reason).strip().lower()
        missing_reason = REASON_BY_LABEL.get(reason_text) or REASON_BY_VALUE.get(reason_text, "")
        if not missing_reason:
            result.errors.append(
                CellError(SHEET, number, _column_name("missing_reason"), UNKNOWN_REASON)
            )
    outcome_text = ""
    if raw_value is not None and text_value != "" and entry.is_text:
        if isinstance(raw_value, int | float) and not isinstance(raw_value, bool):
            result.errors.append(CellError(SHEET, number, _column_name("value"), NUMBER_ON_TEXT))
        elif len(text_value) > TEXT_MAX_LENGTH:
            message = TEXT_TOO_LONG.format(limit=TEXT_MAX_LENGTH)
            result.errors.append(CellError(SHEET, number, _column_name("value"), message))
        else:
            outcome_text = text_value
        if outcome_text and missing_reason:
            result.errors.append(CellError(SHEET, number, _column_name("value"), VALUE_AND_REASON))
    elif raw_value is not None and text_value != "":
        try:
            value = cell_number(raw_value, entry.indicator.unit)
        except ValidationError as error:
            result.errors.append(
                CellError(SHEET, number, _column_name("value"), " ".join(error.messages))
            )
    if value is not None and missing_reason:
        result.errors.append(CellError(SHEET, number, _column_name("value"), VALUE_AND_REASON))
    if entry.is_computed and (value is not None or missing_reason):
        result.errors.append(CellError(SHEET, number, _column_name("value"), COMPUTED))
    return value, missing_reason, outcome_text


def _version_holds(number: int, entry: EntryField, version: int, result: ImportResult) -> bool:
    """Whether the stored value is still the one the file was made from; else a conflict."""
    stored = entry.value
    if stored is not None and stored.version != version:
        user = (
            get_user_model().objects.filter(pk=stored.updated_by_id).first()
            if stored.updated_by_id is not None
            else None
        )
        who = user_label(user)
        detail = f"{who} har sparat {entry.shown(stored)}."
        result.errors.append(
            CellError(SHEET, number, _column_name("value"), CONFLICT.format(detail=detail))
        )
        return False
    if stored is None and version != 0:
        result.errors.append(
            CellError(
                SHEET,
                number,
                _column_name("value"),
                CONFLICT.format(detail="värdet har tagits bort."),
            )
        )
        return False
    return True
