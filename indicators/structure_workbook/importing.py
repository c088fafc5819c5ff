"""Read a structure workbook back in: every cell checked, everything written or nothing.

The file is checked as a file first (a plain .xlsx, see `indicators.importing.check_file`),
then every sheet and cell: the board and year, the headers, ids, references between sheets,
Swedish numbers, choices by their Swedish words. Every error is collected with its sheet, row
and column. Only a file without errors is written, in one transaction; a dry run does the same
work and rolls it back, so it reports exactly what an import would change. Rows the file does
not name are left as they are (the workbook adds and changes; it removes nothing).

Formulas are refused, never evaluated: a text beginning with "=" is stored as the text it is.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl import load_workbook

from core.audit import ChangeSource, change_source, current_source
from goals import structure_services as goal_services
from goals.access import Action, can
from goals.deadlines import due_quarter
from goals.integrity import activity_link_errors, duplicate_title_warnings
from goals.models import (
    Activity,
    Board,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    OccasionLockedError,
    OrganisationUnit,
    ReportingOccasion,
    StrategicAssignment,
    StructureCorrection,
)
from goals.periods import Period, PeriodType
from indicators import structure_services as indicator_services
from indicators.importing import CellError, ImportRefused, cell_number, check_file
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    Target,
)
from indicators.parsing import is_missing_text
from indicators.services import check_value_input
from indicators.structure_workbook import sheets
from indicators.structure_workbook.state import (
    Entry,
    Record,
    State,
    Triple,
    load_state,
    natural_key,
    number_of,
    triple_of,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FILENAME = "arbetsbok.xlsx"
UNREADABLE = "Filen kunde inte läsas som en Excelfil."
MISSING_SHEET = (
    "Bladet ”{sheet}” saknas. Utgå från arbetsboken som laddas ner för nämnden och året."
)
UNKNOWN_SHEET = "Bladet ”{sheet}” hör inte till arbetsboken. Bladen heter: {sheets}."
NO_BOARD = "Bladet Nämnd och år anger ingen nämnd och inget år på rad 2."
UNKNOWN_BOARD = "Nämnden ”{code}” finns inte."
WRONG_BOARD = "Filen gäller nämnden {found}, inte {expected}. Ladda ner arbetsboken för rätt nämnd."
WRONG_YEAR = "Filen gäller år {found}, inte {expected}."
BOARD_NOT_VALID = "Nämnden {code} finns inte år {year}."
NO_RIGHT = "Du saknar behörighet att ändra strukturen för {board}."
APPROVED_YEAR = (
    "{occasion} är godkänt, så strukturen för {year} ändras från en arbetsbok bara som en "
    "rättelse: ange en motivering (varför det godkända året ändras), så sparas den med ändringarna."
)
CORRECTION_LABEL = "Arbetsbok {code} {year}"
CORRECTION_LINE = "{kind}: {count} nya eller ändrade rader"
NOTHING_WRITTEN = "Inget lästes in. Rätta felen i filen och läs in den igen."
HEADER = "Rubriken ska vara ”{header}”."
FORMULA = "Cellen innehåller en formel. Skriv in värdet i stället för en formel."
REQUIRED = "Fyll i {header}."
NOT_INTEGER = "Skriv ett heltal."
NOT_YES_NO = "Skriv Ja eller Nej."
UNKNOWN_CHOICE = "Okänt värde ”{value}”. Skriv något av: {choices}."
BAD_ID = "Id ska se ut som {prefix}-1."
DUPLICATE_ID = "Id {id} finns redan på rad {row}."
DUPLICATE_ROW = "Raden finns redan på rad {row}."
UNKNOWN_REF = "{id} finns inte på bladet {sheet}."
NOT_TEXT = "Cellen ska innehålla text."
UNKNOWN_COUNCIL_GOAL = "Det finns inget KF-mål ”{title}” som gäller {year}."
AMBIGUOUS_COUNCIL_GOAL = "Flera KF-mål heter ”{title}” {year}."
UNKNOWN_UNIT = "Det finns ingen förvaltning eller enhet med kortnamnet ”{code}”."
UNKNOWN_BREAKDOWN = (
    "Okänd uppdelning ”{label}”. Skriv t.ex. Totalt, Kvinnor, Män eller Kvinnor, UAF."
)
UNKNOWN_GOAL_AREA = "Det finns inget målområde ”{name}”."
GOAL_INDICATOR_NEEDS_GOAL = (
    "En nämndindikator ska följa upp ett nämndmål (eller vara delindikator)."
)
DECIMALS_RANGE = "Högst fyra decimaler kan visas (0–4)."
OWN_PARENT = "En indikator kan inte vara delindikator till sig själv."
TARGET_YEAR = "Målvärden i arbetsboken gäller år {year}."
TARGET_NEEDS_VALUE = "Ett målvärde av typen {kind} behöver ett värde."
TARGET_NEEDS_OPERATOR = "En gräns behöver en jämförelse (≥, >, ≤ eller <)."
TARGET_NEEDS_TREND = "Ett riktningsmål behöver en riktning, t.ex. Ska öka eller Ska inte öka."
TARGET_NEEDS_TEXT = "Ett textmål behöver en text."
VALUE_YEAR = "Utfall i arbetsboken gäller år {year} och, för en ny indikator, de två åren före."
VALUE_NOTHING = "Ange ett värde, en text eller I.U. med skäl."
VALUE_AND_TEXT = "Ange antingen ett värde eller en text, inte båda."
REASON_REQUIRED = "Ange skäl till I.U. i kolumnen Skäl till I.U."
REASON_WITHOUT_IU = "Skäl till I.U. anges bara när Värde är I.U."
TEXT_ON_NUMBER = "Indikatorn redovisas med tal; ett textutfall passar bara enheten Text."
NUMBER_ON_TEXT = "Indikatorn är kvalitativ (enhet Text): skriv utfallet i kolumnen Text."
BAD_REF = "Skriv NM-1, IND-3, IND-3 mål {year} Totalt eller IND-3 utfall {year} Kvinnor."
SEVERAL_OWNERS = "En fotnot hör till ett nämndmål, en indikator, ett målvärde eller ett eller flera utfall – inte flera olika."
UNKNOWN_TARGET = "Målvärdet {ref} finns inte på bladet Målvärden."
UNKNOWN_VALUE = "Utfallet {ref} finns inte på bladet Utfall."
ACTIVITY_SERVES_NOTHING = (
    "Aktiviteten ska höra till ett nämndmål, ett uppdrag, ett styrdokument eller ett målområde."
)
BAD_QUARTER = "Skriv kvartalet 1, 2, 3 eller 4, Löpande för inget kvartal, eller lämna tomt."
CONSTRAINT_REFUSED = (
    "Databasen godtog inte raderna på bladet (en regel för målvärden, utfall eller "
    "uppdelningar bröts). Kontrollera bladet."
)
BASE_YEAR_AFTER = "Basåret kan inte ligga efter målåret."
FOOTNOTE_FOR_EVERY_YEAR = (
    "Fotnoten gäller alla år, och {owner} gällde redan före {year}: en ändring här skulle "
    "ändra de tidigare årens rapporter. Skriv en ny fotnot för {year} i stället (en ny rad "
    "med året ifyllt)."
)
COMMON_ASSIGNMENT = (
    "Ett kommungemensamt uppdrag gäller alla nämnder och ändras inte från en nämnds arbetsbok."
)


@dataclass
class KindCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    board_code: str = ""
    year: int = 0
    dry_run: bool = False
    counts: dict[str, KindCount] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    written: bool = False
    # Soft findings after the import (a duplicate title): shown, never refused.
    warnings: list[str] = field(default_factory=list)
    # StructureCorrection rows recorded for approved years (an import with a reason).
    corrections: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return sum(count.created + count.updated for count in self.counts.values())

    def errors_by_sheet(self) -> dict[str, list[CellError]]:
        grouped: dict[str, list[CellError]] = {}
        for error in self.errors:
            grouped.setdefault(error.sheet, []).append(error)
        return grouped

    @property
    def labelled_counts(self) -> list[tuple[str, KindCount]]:
        return [
            (sheets.KIND_LABELS[kind].capitalize(), count) for kind, count in self.counts.items()
        ]

    def summary_lines(self) -> list[str]:
        return [
            f"{sheets.KIND_LABELS[kind]}: {count.created} nya, {count.updated} ändrade, "
            f"{count.unchanged} oförändrade"
            for kind, count in self.counts.items()
        ]


@dataclass
class Row:
    number: int
    record: Record


class _Rollback(Exception):
    """Leave the transaction without writing: a dry run, or an error found while writing."""


# --- reading cells ----------------------------------------------------------------------------


class _CellProblem(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise _CellProblem(NOT_TEXT)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else str(raw).replace(".", ",")
    if isinstance(raw, str):
        return raw.strip()
    raise _CellProblem(NOT_TEXT)


def _integer(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise _CellProblem(NOT_INTEGER)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
        return int(raw.strip())
    raise _CellProblem(NOT_INTEGER)


def _number(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, int | float | str) or isinstance(raw, bool):
        raise _CellProblem("Skriv ett tal.")
    try:
        return number_of(cell_number(raw))  # as the entry workbook reads a number cell
    except ValidationError as error:
        raise _CellProblem(error.messages[0]) from None


def _choice(column: sheets.Column, raw: Any) -> str:
    text = _text(raw)
    if not text:
        return ""
    lowered = text.lower()
    for value, label in column.choices:
        if lowered in (value.lower(), label.lower()):
            return value
    for alias, value in column.aliases:
        if lowered == alias:
            return value
    labels = ", ".join(label for _, label in column.choices if label)
    raise _CellProblem(UNKNOWN_CHOICE.format(value=text, choices=labels))


def _bool(raw: Any) -> bool:
    if raw is None or raw is False:
        return False
    if raw is True:
        return True
    text = _text(raw).lower()
    if text in ("", "nej", "n"):
        return False
    if text in ("ja", "j", "x"):
        return True
    raise _CellProblem(NOT_YES_NO)


def _id(column: sheets.Column, raw: Any) -> str:
    text = _text(raw)
    if not text:
        return ""
    if not re.fullmatch(rf"{column.prefix}-\S+", text, flags=re.IGNORECASE):
        raise _CellProblem(BAD_ID.format(prefix=column.prefix))
    return column.prefix + text[len(column.prefix) :]


def read_cell(column: sheets.Column, raw: Any) -> Any:
    kind = column.kind
    if kind == sheets.INT:
        return _integer(raw)
    if kind == sheets.NUMBER:
        return _number(raw)
    if kind == sheets.BOOL:
        return _bool(raw)
    if kind == sheets.CHOICE:
        return _choice(column, raw)
    if kind in (sheets.ID, sheets.REF):
        return _id(column, raw)
    if kind == sheets.REFS:
        parts = [part for part in re.split(r"[;\n]", _text(raw)) if part.strip()]
        return tuple(sorted({_id(column, part.strip()) for part in parts}, key=natural_key))
    return _text(raw)


# --- the import ------------------------------------------------------------------------------


@dataclass
class _Context:
    board: Board
    year: int
    user: User | None
    state: State
    result: ImportResult
    reason: str = ""
    source: ChangeSource = ChangeSource.IMPORT
    # The approved occasion of the year (an import with a reason corrects it).
    approved: ReportingOccasion | None = None
    # A service split a row (or moved what hangs on it): the stored objects are read again.
    split: bool = False
    # Rows written in bulk (not through a service) per kind: one correction names them.
    bulk_written: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # id → stored or created object, per kind, as the writes go on.
    objects: dict[str, dict[Any, Any]] = field(default_factory=dict)
    _units: set[str] | None = None

    @property
    def unit_codes(self) -> set[str]:
        """The codes of the förvaltningar and enheter, read once."""
        if self._units is None:
            self._units = set(OrganisationUnit.objects.values_list("code", flat=True))
        return self._units

    def error(self, sheet: sheets.Sheet, row: int, column: str, message: str) -> None:
        header = sheet.column[column].header if column in sheet.column else column
        self.result.errors.append(CellError(sheet.title, row, header, message))

    def count(self, kind: str) -> KindCount:
        return self.result.counts.setdefault(kind, KindCount())


def import_structure(
    *,
    data: bytes,
    user: User | None,
    dry_run: bool,
    expected_board: Board | None = None,
    expected_year: int | None = None,
    source: ChangeSource = ChangeSource.IMPORT,
    reason: str = "",
    filename: str = FILENAME,
) -> ImportResult:
    """Read the workbook and write the board-year's structure, all or nothing.

    `filename` is the uploaded or given file's name: a .xlsm or a .csv is refused by name too.

    Raises ImportRefused for a file that is refused as a whole (not an .xlsx, a sheet missing
    or unknown, another board or year than expected, no right, a changed approved year without
    a `reason`); cell errors are in the result, and then nothing is written. `user` None is the
    command line.

    A changed row that exists is changed by the structure services as of the file's year
    (`goals.structure_services`, `indicators.structure_services`): a row valid before the year
    is split, so earlier years keep what they had, and a change reaching an approved year needs
    the `reason` and is recorded as a StructureCorrection. New rows of the many kinds are
    created in bulk with the same checks (full_clean, the activity link rule).
    """
    check_file(data, filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise ImportRefused(UNREADABLE, code="unreadable") from None
    try:
        raw_sheets = _read_sheets(workbook)
    except (ValueError, TypeError):
        raise ImportRefused(UNREADABLE, code="unreadable") from None
    finally:
        workbook.close()
    board, year = _board_and_year(raw_sheets[sheets.BOARD_SHEET.title])
    if expected_board is not None and board.pk != expected_board.pk:
        raise ImportRefused(
            WRONG_BOARD.format(found=board.code, expected=expected_board.code), code="board"
        )
    if expected_year is not None and year != expected_year:
        raise ImportRefused(WRONG_YEAR.format(found=year, expected=expected_year), code="year")
    if not board.is_valid_in(year):
        raise ImportRefused(BOARD_NOT_VALID.format(code=board.code, year=year), code="year")
    if user is not None and not can(user, Action.ADMINISTER, board):
        raise ImportRefused(NO_RIGHT.format(board=board), code="no_right")
    result = ImportResult(board_code=board.code, year=year, dry_run=dry_run)
    ctx = _Context(
        board=board,
        year=year,
        user=user,
        state=load_state(board, year),
        result=result,
        reason=reason.strip(),
        source=source,
    )
    for sheet in sheets.SHEETS[1:]:
        ctx.count(sheet.key)
        ctx.rows[sheet.key] = _parse_sheet(ctx, sheet, raw_sheets[sheet.title])
    if result.errors:
        return result
    _match_ids(ctx)
    _check_references(ctx)
    if result.errors:
        return result
    if _has_changes(ctx):
        approved = (
            ReportingOccasion.objects.approved()
            .filter(board=board, year=year)
            .select_related("board")
            .first()
        )
        if approved is not None and not ctx.reason:
            raise ImportRefused(APPROVED_YEAR.format(occasion=approved, year=year), code="approved")
        ctx.approved = approved
    last_correction = (
        StructureCorrection.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if ctx.reason
        else 0
    )
    try:
        with change_source(source), transaction.atomic():
            _write_all(ctx)
            if not result.errors:
                _record_bulk_correction(ctx)
                result.warnings = duplicate_title_warnings(board=board, year=year)
                if ctx.reason:
                    result.corrections = StructureCorrection.objects.filter(
                        pk__gt=last_correction
                    ).count()
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        return result
    except OccasionLockedError as error:
        raise ImportRefused(error.messages[0], code="locked") from None
    result.written = True
    return result


def _read_sheets(workbook: Any) -> dict[str, list[tuple[int, list[Any]]]]:
    """Every sheet's rows as (row number, raw cells); a formula cell becomes a _Formula."""
    expected = [sheet.title for sheet in sheets.SHEETS]
    for name in workbook.sheetnames:
        if name not in expected:
            raise ImportRefused(
                UNKNOWN_SHEET.format(sheet=name, sheets=", ".join(expected)), code="sheet"
            )
    for title in expected:
        if title not in workbook.sheetnames:
            raise ImportRefused(MISSING_SHEET.format(sheet=title), code="sheet")
    out: dict[str, list[tuple[int, list[Any]]]] = {}
    for title in expected:
        rows = []
        for number, cells in enumerate(workbook[title].iter_rows(), start=1):
            values = [
                _Formula() if getattr(cell, "data_type", None) == "f" else cell.value
                for cell in cells
            ]
            if any(value is not None and value != "" for value in values):
                rows.append((number, values))
        out[title] = rows
    return out


class _Formula:
    """A cell that held a formula: refused, never evaluated."""


def _board_and_year(rows: list[tuple[int, list[Any]]]) -> tuple[Board, int]:
    data = [cells for number, cells in rows if number >= sheets.FIRST_ROW]
    if not data or len(data[0]) < 2 or data[0][0] is None or data[0][1] is None:
        raise ImportRefused(NO_BOARD, code="board")
    code_cell, year_cell = data[0][0], data[0][1]
    if isinstance(code_cell, _Formula) or isinstance(year_cell, _Formula):
        raise ImportRefused(f"Blad Nämnd och år, rad 2: {FORMULA}", code="formula")
    code = str(code_cell).strip()
    try:
        year = _integer(year_cell)
    except _CellProblem as problem:
        raise ImportRefused(f"Blad Nämnd och år, rad 2, kolumn År: {problem.message}") from None
    board = Board.objects.filter(code=code).select_related("municipality").first()
    if board is None:
        raise ImportRefused(UNKNOWN_BOARD.format(code=code), code="board")
    if year is None:
        raise ImportRefused(NO_BOARD, code="board")
    return board, year


def _parse_sheet(
    ctx: _Context, sheet: sheets.Sheet, rows: list[tuple[int, list[Any]]]
) -> list[Row]:
    parsed: list[Row] = []
    header = next((cells for number, cells in rows if number == sheets.HEADER_ROW), [])
    for index, column in enumerate(sheet.columns):
        found = header[index] if index < len(header) else None
        if not isinstance(found, str) or found.strip() != column.header:
            ctx.error(sheet, sheets.HEADER_ROW, column.key, HEADER.format(header=column.header))
    if ctx.result.errors and ctx.result.errors[-1].sheet == sheet.title:
        return parsed
    seen: dict[Any, int] = {}
    for number, cells in rows:
        if number <= sheets.HEADER_ROW:
            continue
        record: Record = {}
        ok = True
        for index, column in enumerate(sheet.columns):
            raw = cells[index] if index < len(cells) else None
            if isinstance(raw, _Formula):
                ctx.error(sheet, number, column.key, FORMULA)
                ok = False
                continue
            try:
                if column.key == "breakdown":
                    record[column.key] = _breakdown(ctx, _text(raw))
                elif column.key == "refs":
                    record[column.key] = _refs(ctx, _text(raw))
                elif column.key == "due_quarter":
                    record[column.key] = _quarter(raw)
                elif sheet is sheets.VALUE_SHEET and column.key == "value":
                    record[column.key] = _outcome(raw)
                else:
                    record[column.key] = read_cell(column, raw)
            except _CellProblem as problem:
                ctx.error(sheet, number, column.key, problem.message)
                ok = False
                continue
            if column.key in ("order", "decimals") and record[column.key] is None:
                record[column.key] = 0  # the models' default, so an empty cell reads as stored
            if column.required and record[column.key] in ("", None, ()):
                ctx.error(sheet, number, column.key, REQUIRED.format(header=column.header))
                ok = False
        if not ok:
            continue
        key = _key(sheet, record)
        if key in seen:
            message = (
                DUPLICATE_ID.format(id=key, row=seen[key])
                if sheet.id_prefix
                else DUPLICATE_ROW.format(row=seen[key])
            )
            ctx.error(sheet, number, sheet.columns[0].key, message)
            continue
        seen[key] = number
        parsed.append(Row(number, record))
    return parsed


def _key(sheet: sheets.Sheet, record: Record) -> Any:
    if sheet.id_prefix:
        return record["id"]
    if sheet is sheets.BREAKDOWN_SHEET:
        return (record["indicator"], (record["gender"], record["org_unit"], record["category"]))
    return (record["indicator"], record["year"], record["breakdown"])


class _IU:
    """The Värde cell said I.U."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _IU)

    def __hash__(self) -> int:
        return 0


def _outcome(raw: Any) -> Decimal | _IU | None:
    if isinstance(raw, str) and is_missing_text(raw):
        return _IU()
    return _number(raw)


def _quarter(raw: Any) -> int | str | None:
    """1–4; None for an empty cell (read from the deadline); "none" for Löpande."""
    text = _text(raw)
    if not text:
        return None
    if text.lower() == sheets.NO_QUARTER.lower():
        return "none"
    match = re.fullmatch(r"(?:Q|K)?([1-4])", text, flags=re.IGNORECASE)
    if match is None:
        raise _CellProblem(BAD_QUARTER)
    return int(match[1])


def _breakdown(ctx: _Context, label: str) -> Triple:
    """ "Kvinnor, UAF" → ("K", "UAF", ""); "Totalt" or empty → the total."""
    if not label or label.lower() == "totalt":
        return ("", "", "")
    parts = [part.strip() for part in label.split(",")]
    genders = {lbl.lower(): value for value, lbl in sheets.GENDER_CHOICES if value}
    gender = ""
    if parts and parts[0].lower() in genders:
        gender = genders[parts.pop(0).lower()]
    org = ""
    if parts and parts[0] in ctx.unit_codes:
        org = parts.pop(0)
    return (gender, org, ", ".join(parts))


_REF = re.compile(
    r"^(?P<id>\S+)(?:\s+(?P<kind>mål|målvärde|utfall)\s+(?P<year>\d{4})(?:\s+(?P<bd>.+))?)?$",
    re.IGNORECASE,
)


def _refs(ctx: _Context, text: str) -> tuple:
    refs: list[tuple] = []
    for part in [part.strip() for part in text.split(";") if part.strip()]:
        match = _REF.match(part)
        if match is None:
            raise _CellProblem(BAD_REF.format(year=ctx.year))
        ident = match["id"].upper()
        if match["kind"] is None:
            if ident.startswith(sheets.GOAL_PREFIX + "-"):
                refs.append(("goal", ident))
            elif ident.startswith(sheets.INDICATOR_PREFIX + "-"):
                refs.append(("indicator", ident))
            else:
                raise _CellProblem(BAD_REF.format(year=ctx.year))
            continue
        if not ident.startswith(sheets.INDICATOR_PREFIX + "-"):
            raise _CellProblem(BAD_REF.format(year=ctx.year))
        kind = "value" if match["kind"].lower() == "utfall" else "target"
        refs.append((kind, ident, int(match["year"]), _breakdown(ctx, match["bd"] or "")))
    kinds = {ref[0] for ref in refs}
    if len(refs) > 1 and kinds != {"value"}:
        raise _CellProblem(SEVERAL_OWNERS)
    head, rest = refs[:1], refs[1:]
    rest.sort(key=lambda ref: (natural_key(ref[1]), ref[2], ref[3]))
    return tuple(head + rest)


# --- matching the file's rows with the stored ones --------------------------------------------

# What names a row besides its id: a file whose ids were numbered by someone else (or before
# rows were added) still finds its rows by these; an id alone finds a renamed row.
NATURAL = {
    "goals": "title",
    "indicators": "name",
    "footnotes": "text",
    "assignments": "text",
    "policies": "title",
    "activities": "title",
}


def _match_ids(ctx: _Context) -> None:
    """Rewrite the file's ids to the stored rows' ids (a new row gets an id of its own)."""
    maps: dict[str, dict[str, str]] = {}
    for kind, name in NATURAL.items():
        stored = ctx.state.kind(kind)
        by_name: dict[str, list[str]] = {}
        for ident, entry in stored.items():
            by_name.setdefault(entry.record[name], []).append(ident)
        claimed: dict[str, str] = {}
        rows = ctx.rows[kind]
        for row in rows:  # the same name first
            found = by_name.get(row.record[name], [])
            if len(found) == 1 and found[0] not in claimed.values():
                claimed[row.record["id"]] = found[0]
        for row in rows:  # then the same id, for a renamed row
            ident = row.record["id"]
            if ident not in claimed and ident in stored and ident not in claimed.values():
                claimed[ident] = ident
        prefix = next(s for s in sheets.SHEETS if s.key == kind).id_prefix
        for number, row in enumerate(rows, start=1):
            ident = row.record["id"]
            if ident not in claimed:
                claimed[ident] = f"{prefix}-ny{number}"
            row.record["id"] = claimed[ident]
        maps[kind] = claimed

    def ref(kind: str, ident: str) -> str:
        return maps[kind].get(ident, ident) if ident else ident

    for row in ctx.rows["indicators"]:
        row.record["goal"] = ref("goals", row.record["goal"])
        row.record["parent"] = ref("indicators", row.record["parent"])
    for kind in ("breakdowns", "targets", "values"):
        for row in ctx.rows[kind]:
            row.record["indicator"] = ref("indicators", row.record["indicator"])
    for row in ctx.rows["footnotes"]:
        refs = [
            (r[0], ref("goals" if r[0] == "goal" else "indicators", r[1]), *r[2:])
            for r in row.record["refs"]
        ]
        refs[1:] = sorted(refs[1:], key=lambda r: (natural_key(r[1]), r[2], r[3]))
        row.record["refs"] = tuple(refs)
    for row in ctx.rows["activities"]:
        rec = row.record
        rec["goals"] = tuple(sorted((ref("goals", g) for g in rec["goals"]), key=natural_key))
        rec["assignment"] = ref("assignments", rec["assignment"])
        rec["policy"] = ref("policies", rec["policy"])


# --- references between sheets ----------------------------------------------------------------


def _ids(ctx: _Context, kind: str) -> set[str]:
    return {row.record["id"] for row in ctx.rows[kind]} | set(ctx.state.kind(kind))


def _check_references(ctx: _Context) -> None:
    goal_ids = _ids(ctx, "goals")
    indicator_ids = _ids(ctx, "indicators")
    assignment_ids = _ids(ctx, "assignments")
    policy_ids = _ids(ctx, "policies")
    units = ctx.unit_codes
    council: dict[str, list[CouncilGoal]] = {}
    for goal in CouncilGoal.objects.valid_in(ctx.year):
        council.setdefault(goal.title, []).append(goal)
    ctx.objects["council"] = council
    for row in ctx.rows["goals"]:
        title = row.record["council_goal"]
        found = council.get(title, [])
        if not found:
            ctx.error(
                sheets.GOAL_SHEET,
                row.number,
                "council_goal",
                UNKNOWN_COUNCIL_GOAL.format(title=title, year=ctx.year),
            )
        elif len(found) > 1:
            ctx.error(
                sheets.GOAL_SHEET,
                row.number,
                "council_goal",
                AMBIGUOUS_COUNCIL_GOAL.format(title=title, year=ctx.year),
            )
    file_indicators = {row.record["id"]: row.record for row in ctx.rows["indicators"]}
    for row in ctx.rows["indicators"]:
        rec = row.record
        if rec["goal"] and rec["goal"] not in goal_ids:
            ctx.error(
                sheets.INDICATOR_SHEET,
                row.number,
                "goal",
                UNKNOWN_REF.format(id=rec["goal"], sheet="Nämndmål"),
            )
        if rec["parent"] and rec["parent"] not in indicator_ids:
            ctx.error(
                sheets.INDICATOR_SHEET,
                row.number,
                "parent",
                UNKNOWN_REF.format(id=rec["parent"], sheet="Indikatorer"),
            )
        if not 0 <= rec["decimals"] <= 4:
            ctx.error(sheets.INDICATOR_SHEET, row.number, "decimals", DECIMALS_RANGE)
        if rec["parent"] == rec["id"]:
            ctx.error(sheets.INDICATOR_SHEET, row.number, "parent", OWN_PARENT)
        if rec["category"] == Indicator.Category.GOAL and not rec["goal"] and not rec["parent"]:
            ctx.error(sheets.INDICATOR_SHEET, row.number, "goal", GOAL_INDICATOR_NEEDS_GOAL)
    for row in ctx.rows["breakdowns"]:
        rec = row.record
        if rec["indicator"] not in indicator_ids:
            ctx.error(
                sheets.BREAKDOWN_SHEET,
                row.number,
                "indicator",
                UNKNOWN_REF.format(id=rec["indicator"], sheet="Indikatorer"),
            )
        if rec["org_unit"] and rec["org_unit"] not in units:
            ctx.error(
                sheets.BREAKDOWN_SHEET,
                row.number,
                "org_unit",
                UNKNOWN_UNIT.format(code=rec["org_unit"]),
            )
    for row in ctx.rows["targets"]:
        rec = row.record
        if rec["indicator"] not in indicator_ids:
            ctx.error(
                sheets.TARGET_SHEET,
                row.number,
                "indicator",
                UNKNOWN_REF.format(id=rec["indicator"], sheet="Indikatorer"),
            )
        if rec["year"] != ctx.year:
            ctx.error(sheets.TARGET_SHEET, row.number, "year", TARGET_YEAR.format(year=ctx.year))
        kind = rec["kind"]
        if kind in (Target.Kind.VALUE, Target.Kind.BOUND) and rec["value"] is None:
            ctx.error(
                sheets.TARGET_SHEET,
                row.number,
                "value",
                TARGET_NEEDS_VALUE.format(kind=Target.Kind(kind).label.lower()),
            )
        if kind == Target.Kind.BOUND and not rec["operator"]:
            ctx.error(sheets.TARGET_SHEET, row.number, "operator", TARGET_NEEDS_OPERATOR)
        if kind == Target.Kind.DIRECTION and not rec["trend"]:
            ctx.error(sheets.TARGET_SHEET, row.number, "trend", TARGET_NEEDS_TREND)
        if rec["base_year"] is not None and rec["base_year"] > rec["year"]:
            ctx.error(sheets.TARGET_SHEET, row.number, "base_year", BASE_YEAR_AFTER)
        if kind == Target.Kind.TEXT and not rec["text"]:
            ctx.error(sheets.TARGET_SHEET, row.number, "text", TARGET_NEEDS_TEXT)
    for row in ctx.rows["values"]:
        rec = row.record
        ident = rec["indicator"]
        if ident not in indicator_ids:
            ctx.error(
                sheets.VALUE_SHEET,
                row.number,
                "indicator",
                UNKNOWN_REF.format(id=ident, sheet="Indikatorer"),
            )
            continue
        if rec["year"] > ctx.year or rec["year"] < ctx.year - 2 - 30:
            ctx.error(sheets.VALUE_SHEET, row.number, "year", VALUE_YEAR.format(year=ctx.year))
        unit = (file_indicators.get(ident) or ctx.state.indicators[ident].record)["unit"]
        value = rec["value"]
        if isinstance(value, _IU):
            if rec["text"]:
                ctx.error(sheets.VALUE_SHEET, row.number, "text", VALUE_AND_TEXT)
            if not rec["missing_reason"]:
                ctx.error(sheets.VALUE_SHEET, row.number, "missing_reason", REASON_REQUIRED)
            continue
        if rec["missing_reason"]:
            ctx.error(sheets.VALUE_SHEET, row.number, "missing_reason", REASON_WITHOUT_IU)
        if value is not None and rec["text"]:
            ctx.error(sheets.VALUE_SHEET, row.number, "text", VALUE_AND_TEXT)
        elif value is None and not rec["text"]:
            ctx.error(sheets.VALUE_SHEET, row.number, "value", VALUE_NOTHING)
        elif rec["text"] and unit != Indicator.Unit.TEXT:
            ctx.error(sheets.VALUE_SHEET, row.number, "text", TEXT_ON_NUMBER)
        elif value is not None and unit == Indicator.Unit.TEXT:
            ctx.error(sheets.VALUE_SHEET, row.number, "value", NUMBER_ON_TEXT)
    target_keys = {_key(sheets.TARGET_SHEET, row.record) for row in ctx.rows["targets"]} | set(
        ctx.state.targets
    )
    value_keys = {_key(sheets.VALUE_SHEET, row.record) for row in ctx.rows["values"]} | set(
        ctx.state.values
    )
    from indicators.structure_workbook.export import ref_text

    for row in ctx.rows["footnotes"]:
        for ref in row.record["refs"]:
            if ref[0] == "goal" and ref[1] not in goal_ids:
                ctx.error(
                    sheets.FOOTNOTE_SHEET,
                    row.number,
                    "refs",
                    UNKNOWN_REF.format(id=ref[1], sheet="Nämndmål"),
                )
            elif ref[0] != "goal" and ref[1] not in indicator_ids:
                ctx.error(
                    sheets.FOOTNOTE_SHEET,
                    row.number,
                    "refs",
                    UNKNOWN_REF.format(id=ref[1], sheet="Indikatorer"),
                )
            elif ref[0] == "target" and tuple(ref[1:]) not in target_keys:
                ctx.error(
                    sheets.FOOTNOTE_SHEET,
                    row.number,
                    "refs",
                    UNKNOWN_TARGET.format(ref=ref_text(ref)),
                )
            elif ref[0] == "value" and tuple(ref[1:]) not in value_keys:
                ctx.error(
                    sheets.FOOTNOTE_SHEET,
                    row.number,
                    "refs",
                    UNKNOWN_VALUE.format(ref=ref_text(ref)),
                )
    areas = {area.name.lower(): area for area in GoalArea.objects.all()}
    ctx.objects["areas"] = areas
    for row in ctx.rows["assignments"]:
        rec = row.record
        stored = ctx.state.assignments.get(rec["id"])
        common = StrategicAssignment.Scope.COMMON
        if (rec["scope"] == common or (stored and stored.obj.scope == common)) and (
            stored is None or stored.record != rec
        ):
            ctx.error(sheets.ASSIGNMENT_SHEET, row.number, "scope", COMMON_ASSIGNMENT)
    for row in ctx.rows["activities"]:
        rec = row.record
        for goal in rec["goals"]:
            if goal not in goal_ids:
                ctx.error(
                    sheets.ACTIVITY_SHEET,
                    row.number,
                    "goals",
                    UNKNOWN_REF.format(id=goal, sheet="Nämndmål"),
                )
        if rec["assignment"] and rec["assignment"] not in assignment_ids:
            ctx.error(
                sheets.ACTIVITY_SHEET,
                row.number,
                "assignment",
                UNKNOWN_REF.format(id=rec["assignment"], sheet="Uppdrag"),
            )
        if rec["policy"] and rec["policy"] not in policy_ids:
            ctx.error(
                sheets.ACTIVITY_SHEET,
                row.number,
                "policy",
                UNKNOWN_REF.format(id=rec["policy"], sheet="Styrdokument"),
            )
        if rec["goal_area"] and rec["goal_area"].lower() not in areas:
            ctx.error(
                sheets.ACTIVITY_SHEET,
                row.number,
                "goal_area",
                UNKNOWN_GOAL_AREA.format(name=rec["goal_area"]),
            )
        if not (rec["goals"] or rec["assignment"] or rec["policy"] or rec["goal_area"]):
            ctx.error(sheets.ACTIVITY_SHEET, row.number, "goals", ACTIVITY_SERVES_NOTHING)
        # The stored form of the quarter: as written, or read from the deadline.
        quarter = rec["due_quarter"]
        rec["due_quarter"] = (
            None
            if quarter == "none"
            else quarter
            if quarter is not None
            else due_quarter(rec["deadline"])
        )
    for row in ctx.rows["values"]:
        value = row.record["value"]
        if isinstance(value, _IU):
            row.record["value"] = None


def _has_changes(ctx: _Context) -> bool:
    for sheet in sheets.SHEETS[1:]:
        stored = ctx.state.kind(sheet.key)
        for row in ctx.rows[sheet.key]:
            entry = stored.get(_key(sheet, row.record))
            if entry is None or entry.record != row.record:
                return True
    return False


# --- writing ----------------------------------------------------------------------------------


def _plan(
    ctx: _Context, kind: str, key_of: Callable[[Record], Any]
) -> tuple[list[tuple[Row, Entry | None]], dict[Any, Any]]:
    """The rows that change (with their stored entry, None for a new row); stored objects by key."""
    stored = ctx.state.kind(kind)
    objects = {key: entry.obj for key, entry in stored.items()}
    changes = []
    count = ctx.count(kind)
    for row in ctx.rows[kind]:
        entry = stored.get(key_of(row.record))
        if entry is not None and entry.record == row.record:
            count.unchanged += 1
            continue
        if entry is None:
            count.created += 1
        else:
            count.updated += 1
        changes.append((row, entry))
    ctx.objects[kind] = objects
    return changes, objects


def _clean_and_save(
    ctx: _Context, sheet: sheets.Sheet, row: Row, obj: models.Model, **save: Any
) -> bool:
    """full_clean() and save with its history; a refusal becomes the row's error."""
    try:
        obj.full_clean()
    except ValidationError as error:
        column = sheet.columns[0].key
        for name, messages in error.message_dict.items():
            if name in sheet.column:
                column = name
            for message in messages:
                ctx.error(sheet, row.number, column, message)
        return False
    obj._history_user = ctx.user  # type: ignore[attr-defined]
    obj.save(**save)
    return True


def _write_all(ctx: _Context) -> None:
    _write_goals(ctx)
    if ctx.split and not ctx.result.errors:
        _refresh(ctx)
    _write_indicators(ctx)
    if ctx.result.errors:
        return
    if ctx.split:
        _refresh(ctx)
    _write_breakdowns(ctx)
    _write_targets(ctx)
    _write_values(ctx)
    if ctx.result.errors:
        return
    _write_footnotes(ctx)
    _write_policies_and_assignments(ctx)
    _write_activities(ctx)


def _write_goals(ctx: _Context) -> None:
    changes, objects = _plan(ctx, "goals", lambda rec: rec["id"])
    for row, entry in changes:
        rec = row.record
        fields = {
            "council_goal": ctx.objects["council"][rec["council_goal"]][0],
            "title": rec["title"],
            "description": rec["description"],
            "order": rec["order"] or 0,
        }
        common = {"user": ctx.user, "reason": ctx.reason, "source": ctx.source, **fields}
        if entry is None:
            call = partial(
                goal_services.create_board_goal, board=ctx.board, valid_from=ctx.year, **common
            )
        else:
            call = partial(goal_services.update_board_goal, goal=entry.obj, year=ctx.year, **common)
        saved = _call(ctx, sheets.GOAL_SHEET, row, call)
        if saved is not None:
            if entry is not None and saved.object.pk != entry.obj.pk:
                ctx.split = True
            objects[rec["id"]] = saved.object


# Service field names → the workbook's column keys.
SERVICE_FIELDS = {
    "board_goal": "goal",
    "board_goals": "goals",
    "policy_document": "policy",
}


def _call(ctx: _Context, sheet: sheets.Sheet, row: Row, service: Callable[[], Any]) -> Any:
    """Run a structure service for the row; its refusal becomes the row's cell errors."""
    try:
        return service()
    except ValidationError as error:
        found = getattr(error, "error_dict", None) or {"__all__": error.messages}
        for name, problems in found.items():
            column = SERVICE_FIELDS.get(name, name)
            if column not in sheet.column:
                column = sheet.columns[0].key
            for problem in ValidationError(problems).messages:
                ctx.error(sheet, row.number, column, problem)
        return None


def _current(model: Any, obj: Any, year: int) -> Any:
    """The row that is `obj` in `year` now: itself, or the row a split opened from `year`."""
    fresh = model._default_manager.filter(pk=obj.pk).first()
    if fresh is not None and fresh.is_valid_in(year):
        return fresh
    return model._default_manager.filter(predecessor_id=obj.pk, valid_from=year).first() or obj


def _refresh(ctx: _Context) -> None:
    """After a split the year's nämndmål and indicators are other rows, and what hung on the
    old ones (links, targets, values, footnotes) moved: read the stored objects again."""
    year, board = ctx.year, ctx.board
    ranged: tuple[tuple[str, Any], ...] = (("goals", BoardGoal), ("indicators", Indicator))
    for kind, model in ranged:
        fresh = {obj.pk: obj for obj in model.objects.valid_in(year).filter(board=board)}
        successor = {
            obj.predecessor_id: obj
            for obj in fresh.values()
            if obj.predecessor_id and obj.valid_from == year
        }

        def now(obj: Any, fresh: dict = fresh, successor: dict = successor) -> Any:
            return fresh.get(obj.pk) or successor.get(obj.pk) or obj

        for entry in ctx.state.kind(kind).values():
            entry.obj = now(entry.obj)
        for key, obj in ctx.objects.get(kind, {}).items():
            ctx.objects[kind][key] = now(obj)
    indicators = {entry.obj.pk for entry in ctx.state.indicators.values()}
    links = {
        (link.indicator_id, link.breakdown_id): link
        for link in IndicatorBreakdown.objects.valid_in(year).filter(indicator_id__in=indicators)
    }
    for entry in ctx.state.breakdowns.values():
        ind = ctx.state.indicators[entry.record["indicator"]].obj
        entry.obj = links.get((ind.pk, entry.obj.breakdown_id), entry.obj)
    many: tuple[tuple[str, Any], ...] = (
        ("targets", Target),
        ("values", IndicatorValue),
        ("footnotes", Footnote),
    )
    for kind, model in many:
        entries = ctx.state.kind(kind)
        stored = model._base_manager.in_bulk([entry.obj.pk for entry in entries.values()])
        for entry in entries.values():
            entry.obj = stored.get(entry.obj.pk, entry.obj)
    # A footnote for every year stays with the old row; the split copied it to the new one.
    goals = {entry.obj.pk for entry in ctx.state.goals.values()}

    def owner_of(note: Footnote) -> tuple[str, int | None]:
        return (
            ("goal", note.board_goal_id) if note.board_goal_id else ("indicator", note.indicator_id)
        )

    copies = {
        (*owner_of(note), note.text, note.order): note
        for note in Footnote.objects.filter(
            Q(indicator_id__in=indicators) | Q(board_goal_id__in=goals), year=None
        )
    }
    for entry in ctx.state.footnotes.values():
        note = entry.obj
        kind, *rest = entry.record["refs"][0]
        owner = {"goal": ctx.state.goals, "indicator": ctx.state.indicators}.get(kind)
        if note.year is None and owner is not None:
            current = owner[rest[0]].obj
            if (kind, current.pk) != owner_of(note):
                entry.obj = copies.get((kind, current.pk, note.text, note.order), note)
    ctx.split = False


def _record_bulk_correction(ctx: _Context) -> None:
    """The rows of an approved year written in bulk (not by a service) are named in one
    StructureCorrection with the import's reason; the services recorded their own rows."""
    if ctx.approved is None or not ctx.reason:
        return
    lines = [
        CORRECTION_LINE.format(kind=sheets.KIND_LABELS[kind].capitalize(), count=count)
        for kind, count in ctx.bulk_written.items()
        if count
    ]
    if not lines:
        return
    record = StructureCorrection(
        board=ctx.board,
        year=ctx.year,
        occasion=ctx.approved,
        object_label=CORRECTION_LABEL.format(code=ctx.board.code, year=ctx.year),
        changes="\n".join(lines),
        reason=ctx.reason,
        user=ctx.user,
    )
    record.full_clean()
    record.save()


def _wrote(ctx: _Context, kind: str, count: int) -> None:
    ctx.bulk_written[kind] = ctx.bulk_written.get(kind, 0) + count


def _write_indicators(ctx: _Context) -> None:
    changes, objects = _plan(ctx, "indicators", lambda rec: rec["id"])
    pending = list(changes)
    # Parents before their sub-indicators: a new parent needs its id first.
    while pending:
        waiting = []
        batch: list[tuple[str, Indicator]] = []
        for row, entry in pending:
            parent = row.record["parent"]
            if (
                parent
                and parent not in objects
                and any(r.record["id"] == parent for r, _ in pending)
            ):
                waiting.append((row, entry))
                continue
            _write_indicator(ctx, row, entry, objects, batch)
        if batch and not ctx.result.errors:
            _bulk(ctx, sheets.INDICATOR_SHEET, Indicator, [ind for _, ind in batch])
            _wrote(ctx, "indicators", len(batch))
            objects.update(batch)
        if ctx.result.errors:
            return
        if len(waiting) == len(pending):  # a cycle of parents
            for row, _ in waiting:
                ctx.error(sheets.INDICATOR_SHEET, row.number, "parent", OWN_PARENT)
            return
        pending = waiting


def _write_indicator(
    ctx: _Context, row: Row, entry: Entry | None, objects: dict, batch: list[tuple[str, Indicator]]
) -> None:
    """A changed indicator goes through `update_indicator` as of the file's year (split when it
    began earlier, a correction for an approved year); a new one joins the batch created in
    bulk."""
    rec = row.record
    fields: dict[str, Any] = {
        name: rec[name]
        for name in (
            "name",
            "category",
            "unit",
            "direction",
            "source",
            "frequency",
            "aggregation",
            "mandatory",
        )
    }
    fields["board_goal"] = ctx.objects["goals"].get(rec["goal"]) if rec["goal"] else None
    fields["parent"] = objects.get(rec["parent"]) if rec["parent"] else None
    fields["decimals"] = rec["decimals"] or 0
    fields["order"] = rec["order"] or 0
    if entry is None:
        ind = Indicator(board=ctx.board, valid_from=ctx.year, **fields)
        if _full_clean(ctx, sheets.INDICATOR_SHEET, row, ind, constraints=False):
            batch.append((rec["id"], ind))
        return
    stored = _current(Indicator, entry.obj, ctx.year)  # a parent's split may have split it
    saved = _call(
        ctx,
        sheets.INDICATOR_SHEET,
        row,
        partial(
            indicator_services.update_indicator,
            user=ctx.user,
            indicator=stored,
            year=ctx.year,
            changes=fields,
            reason=ctx.reason,
            source_of_change=ctx.source,
        ),
    )
    if saved is not None:
        if saved.object.pk != entry.obj.pk:
            ctx.split = True
        entry.obj = saved.object
        objects[rec["id"]] = saved.object


def _breakdown_objects(ctx: _Context, triples: set[Triple]) -> dict[Triple, Breakdown]:
    """The breakdown rows by (kön, enhet, kategori), created where missing."""
    known = {triple_of(b): b for b in Breakdown.objects.select_related("org_unit")}
    units = {
        unit.code: unit
        for unit in OrganisationUnit.objects.filter(code__in={t[1] for t in triples if t[1]})
    }
    for triple in triples - set(known):
        gender, org, category = triple
        if org and org not in units:
            continue
        breakdown = Breakdown(
            code=Breakdown.make_code(gender, org, category),
            gender=gender,
            org_unit=units.get(org),
            category=category,
            order=100,
        )
        breakdown.full_clean()
        breakdown.save()
        known[triple] = breakdown
    return known


def _write_breakdowns(ctx: _Context) -> None:
    triples = {
        (r.record["gender"], r.record["org_unit"], r.record["category"])
        for r in ctx.rows["breakdowns"]
    }
    triples |= {r.record["breakdown"] for r in ctx.rows["targets"]}
    triples |= {r.record["breakdown"] for r in ctx.rows["values"]}
    for row in ctx.rows["footnotes"]:
        triples |= {ref[3] for ref in row.record["refs"] if len(ref) == 4}
    ctx.objects["breakdown_rows"] = _breakdown_objects(ctx, triples)
    new: list[IndicatorBreakdown] = []
    changed: list[IndicatorBreakdown] = []
    changes, _ = _plan(
        ctx,
        "breakdowns",
        lambda rec: (rec["indicator"], (rec["gender"], rec["org_unit"], rec["category"])),
    )
    for row, entry in changes:
        rec = row.record
        triple = (rec["gender"], rec["org_unit"], rec["category"])
        link = (
            entry.obj
            if entry
            else IndicatorBreakdown(
                indicator=ctx.objects["indicators"][rec["indicator"]],
                breakdown=ctx.objects["breakdown_rows"][triple],
                valid_from=ctx.year,
            )
        )
        if entry is not None and link.valid_from < ctx.year:
            # The link of earlier years keeps its order: closed at year-1, a new one from year.
            ends = link.valid_to
            link.valid_to = ctx.year - 1
            if not _clean_and_save(ctx, sheets.BREAKDOWN_SHEET, row, link):
                continue
            link = IndicatorBreakdown(
                indicator_id=link.indicator_id,
                breakdown_id=link.breakdown_id,
                valid_from=ctx.year,
                valid_to=ends,
            )
            entry = None
        link.order = rec["order"] or 0
        if _full_clean(ctx, sheets.BREAKDOWN_SHEET, row, link, constraints=False):
            (changed if entry else new).append(link)
    if not ctx.result.errors:
        _insert(ctx, sheets.BREAKDOWN_SHEET, IndicatorBreakdown.objects.bulk_create, new)
        IndicatorBreakdown.objects.bulk_update(changed, ["order"])
        _wrote(ctx, "breakdowns", len(new) + len(changed))


def _insert(ctx: _Context, sheet: sheets.Sheet, create: Callable[[list], Any], objs: list) -> None:
    """bulk_create; a constraint the database refuses becomes the sheet's error."""
    if not objs:
        return
    try:
        with transaction.atomic():
            create(objs)
    except IntegrityError:
        ctx.error(sheet, sheets.FIRST_ROW, sheet.columns[0].key, CONSTRAINT_REFUSED)


def _bulk(
    ctx: _Context,
    sheet: sheets.Sheet,
    model: Any,
    objs: list,
    *,
    update: list | None = None,
    fields: list[str] | None = None,
) -> None:
    now = timezone.now()
    attrs = {"history_source": current_source()}
    if objs:
        _insert(ctx, sheet, model._default_manager.bulk_create, objs)
        if ctx.result.errors:
            return
        model.history.bulk_history_create(
            objs, default_user=ctx.user, default_date=now, custom_historical_attrs=attrs
        )
    if update:
        model._default_manager.bulk_update(update, fields or [])
        model.history.bulk_history_create(
            update,
            update=True,
            default_user=ctx.user,
            default_date=now,
            custom_historical_attrs=attrs,
        )


def _full_clean(
    ctx: _Context,
    sheet: sheets.Sheet,
    row: Row,
    obj: models.Model,
    exclude: list[str] | None = None,
    *,
    constraints: bool = True,
) -> bool:
    """full_clean(): fields and the model's clean(). The many rows of a board-year (links,
    targets, values) skip the per-row constraint queries: the import has checked their keys
    and kinds itself, and the database still holds the constraints (see _insert)."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=constraints)
    except ValidationError as error:
        column = sheet.columns[0].key
        for name, messages in error.message_dict.items():
            for message in messages:
                ctx.error(sheet, row.number, name if name in sheet.column else column, message)
        return False
    return True


TARGET_FIELDS = ["kind", "operator", "value", "trend", "base_value", "base_year", "text"]


def _write_targets(ctx: _Context) -> None:
    changes, objects = _plan(ctx, "targets", lambda rec: _key(sheets.TARGET_SHEET, rec))
    new: list[Any] = []
    changed: list[Any] = []
    for row, entry in changes:
        rec = row.record
        target = (
            entry.obj
            if entry
            else Target(
                indicator=ctx.objects["indicators"][rec["indicator"]],
                year=rec["year"],
                breakdown=ctx.objects["breakdown_rows"][rec["breakdown"]],
            )
        )
        for name in TARGET_FIELDS:
            setattr(target, name, rec[name])
        if _full_clean(ctx, sheets.TARGET_SHEET, row, target, constraints=False):
            (changed if entry else new).append(target)
            objects[_key(sheets.TARGET_SHEET, rec)] = target
    if not ctx.result.errors:
        _bulk(ctx, sheets.TARGET_SHEET, Target, new, update=changed, fields=TARGET_FIELDS)
        _wrote(ctx, "targets", len(new) + len(changed))


VALUE_FIELDS = ["value", "text", "missing_reason", "comment", "version", "updated_by", "updated_at"]


def _write_values(ctx: _Context) -> None:
    changes, objects = _plan(ctx, "values", lambda rec: _key(sheets.VALUE_SHEET, rec))
    # The breakdowns each indicator reports in the year, as the file leaves them; a baseline
    # year before the indicator's start is reported by the same breakdowns.
    reported: dict[int, set[int]] = {}
    for link in IndicatorBreakdown.objects.valid_in(ctx.year).filter(
        indicator__in=list(ctx.objects["indicators"].values())
    ):
        reported.setdefault(link.indicator_id, set()).add(link.breakdown_id)
    now = timezone.now()
    new: list[Any] = []
    changed: list[Any] = []
    for row, entry in changes:
        rec = row.record
        indicator = ctx.objects["indicators"][rec["indicator"]]
        breakdown = ctx.objects["breakdown_rows"][rec["breakdown"]]
        indicator.remember_reported_breakdowns(rec["year"], reported.get(indicator.pk, ()))
        try:
            check_value_input(
                indicator=indicator,
                period=Period(rec["year"], PeriodType.YEAR, 1),
                breakdown=breakdown,
                value=rec["value"],
                missing_reason=rec["missing_reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                ctx.error(sheets.VALUE_SHEET, row.number, "value", message)
            continue
        value = (
            entry.obj
            if entry
            else IndicatorValue(
                indicator=indicator,
                year=rec["year"],
                period_type=PeriodType.YEAR,
                period_number=1,
                breakdown=breakdown,
                version=0,
            )
        )
        value.value = rec["value"]
        value.text = rec["text"]
        value.missing_reason = rec["missing_reason"]
        value.comment = rec["comment"]
        value.version += 1
        value.updated_by = ctx.user
        value.updated_at = now
        if _full_clean(
            ctx, sheets.VALUE_SHEET, row, value, exclude=["updated_by"], constraints=False
        ):
            (changed if entry else new).append(value)
            objects[_key(sheets.VALUE_SHEET, rec)] = value
    if not ctx.result.errors:
        _bulk(ctx, sheets.VALUE_SHEET, IndicatorValue, new, update=changed, fields=VALUE_FIELDS)
        _wrote(ctx, "values", len(new) + len(changed))


def _write_footnotes(ctx: _Context) -> None:
    changes, _ = _plan(ctx, "footnotes", lambda rec: rec["id"])
    # The values outside the file a stored footnote also applies to stay shared: one read of
    # the changed footnotes' links, not one per footnote.
    ours = {v.pk for v in ctx.objects["values"].values()}
    outside: dict[int, list[int]] = defaultdict(list)
    stored = [entry.obj.pk for _, entry in changes if entry is not None]
    if stored:
        through = Footnote.shared_values.through
        for note_id, value_id in through.objects.filter(footnote_id__in=stored).values_list(
            "footnote_id", "indicatorvalue_id"
        ):
            if value_id not in ours:
                outside[note_id].append(value_id)
    for row, entry in changes:
        rec = row.record
        if entry is not None and _for_earlier_years(ctx, entry):
            _change_footnote_for_every_year(ctx, row, entry)
            continue
        note = entry.obj if entry else Footnote()
        head = rec["refs"][0]
        note.indicator = note.value = note.target = note.board_goal = None
        if head[0] == "goal":
            note.board_goal = ctx.objects["goals"][head[1]]
        elif head[0] == "indicator":
            note.indicator = ctx.objects["indicators"][head[1]]
        elif head[0] == "target":
            note.target = ctx.objects["targets"][tuple(head[1:])]
        else:
            note.value = ctx.objects["values"][tuple(head[1:])]
        note.text = rec["text"]
        note.year = rec["year"]
        note.order = rec["order"] or 0
        if _clean_and_save(ctx, sheets.FOOTNOTE_SHEET, row, note):
            _wrote(ctx, "footnotes", 1)
            shared = [ctx.objects["values"][tuple(ref[1:])] for ref in rec["refs"][1:]]
            note.shared_values.set([v.pk for v in shared] + outside.get(note.pk, []))


def _for_earlier_years(ctx: _Context, entry: Entry) -> bool:
    """A stored footnote for every year of a nämndmål or indicator that began before the file's
    year: changing it in place would change the earlier years' reports."""
    kind, *rest = entry.record["refs"][0]
    if entry.obj.year is not None or kind not in ("goal", "indicator"):
        return False
    owner = ctx.objects["goals" if kind == "goal" else "indicators"][rest[0]]
    return owner.valid_from < ctx.year


def _change_footnote_for_every_year(ctx: _Context, row: Row, entry: Entry) -> None:
    """An indicator's definition (its first footnote for every year) changes through
    `update_indicator` as of the year: the indicator is split and the new row's copy changes.
    Any other change to such a footnote is the row's error."""
    rec, stored = row.record, entry.record
    kind, ident = stored["refs"][0][:2]
    same_place = rec["refs"] == stored["refs"] and (rec["year"], rec["order"]) == (
        stored["year"],
        stored["order"],
    )
    if kind == "indicator" and same_place:
        indicator = _current(Indicator, ctx.objects["indicators"][ident], ctx.year)
        definition = indicator_services.definition_of(indicator)
        if definition is not None and definition.text == entry.obj.text:
            saved = _call(
                ctx,
                sheets.FOOTNOTE_SHEET,
                row,
                partial(
                    indicator_services.update_indicator,
                    user=ctx.user,
                    indicator=indicator,
                    year=ctx.year,
                    changes={},
                    definition=rec["text"],
                    reason=ctx.reason,
                    source_of_change=ctx.source,
                ),
            )
            if saved is not None:
                ctx.objects["indicators"][ident] = saved.object
                ctx.state.indicators[ident].obj = saved.object
            return
    ctx.error(
        sheets.FOOTNOTE_SHEET,
        row.number,
        "text",
        FOOTNOTE_FOR_EVERY_YEAR.format(
            owner="nämndmålet" if kind == "goal" else "indicatorn", year=ctx.year
        ),
    )


def _write_policies_and_assignments(ctx: _Context) -> None:
    call: Callable[[], Any]
    changes, objects = _plan(ctx, "policies", lambda rec: rec["id"])
    for row, entry in changes:
        rec = row.record
        fields = {
            "title": rec["title"],
            "description": rec["description"],
            "order": rec["order"] or 0,
        }
        if entry is None:
            call = partial(
                goal_services.create_policy_document,
                user=ctx.user,
                municipality=ctx.board.municipality,
                valid_from=ctx.year,
                source=ctx.source,
                **fields,
            )
        else:
            call = partial(
                goal_services.update_policy_document,
                user=ctx.user,
                document=entry.obj,
                year=ctx.year,
                reason=ctx.reason,
                source=ctx.source,
                **fields,
            )
        saved = _call(ctx, sheets.POLICY_SHEET, row, call)
        if saved is not None:
            objects[rec["id"]] = saved.object
    changes, objects = _plan(ctx, "assignments", lambda rec: rec["id"])
    for row, entry in changes:
        rec = row.record
        fields = {"text": rec["text"], "note": rec["note"], "order": rec["order"] or 0}
        if entry is None:
            call = partial(
                goal_services.create_assignment,
                user=ctx.user,
                municipality=ctx.board.municipality,
                board=ctx.board,
                scope=rec["scope"],
                valid_from=ctx.year,
                reason=ctx.reason,
                source=ctx.source,
                **fields,
            )
        else:
            call = partial(
                goal_services.update_assignment,
                user=ctx.user,
                assignment=entry.obj,
                year=ctx.year,
                scope=rec["scope"],
                reason=ctx.reason,
                source=ctx.source,
                **fields,
            )
        saved = _call(ctx, sheets.ASSIGNMENT_SHEET, row, call)
        if saved is not None:
            objects[rec["id"]] = saved.object


def _write_activities(ctx: _Context) -> None:
    """A changed activity goes through `update_activity` (its year's correction when approved);
    new ones are created in bulk after the same checks: full_clean and the nämndmål link rule
    (goals.integrity), so a wrong link is the row's error, not the database's."""
    changes, _ = _plan(ctx, "activities", lambda rec: rec["id"])
    ours = {goal.pk for goal in ctx.objects["goals"].values()}
    new: list[tuple[Activity, list[int]]] = []
    for row, entry in changes:
        rec = row.record
        links = {
            "assignment": (
                ctx.objects["assignments"].get(rec["assignment"]) if rec["assignment"] else None
            ),
            "policy_document": (
                ctx.objects["policies"].get(rec["policy"]) if rec["policy"] else None
            ),
            "goal_area": (
                ctx.objects["areas"].get(rec["goal_area"].lower()) if rec["goal_area"] else None
            ),
        }
        goals = [ctx.objects["goals"][g] for g in rec["goals"]]
        if entry is not None:
            kept = list(entry.obj.board_goals.exclude(pk__in=ours))
            _call(
                ctx,
                sheets.ACTIVITY_SHEET,
                row,
                partial(
                    goal_services.update_activity,
                    user=ctx.user,
                    activity=entry.obj,
                    title=rec["title"],
                    board_goals=goals + kept,
                    deadline=rec["deadline"],
                    due_quarter=rec["due_quarter"],
                    read_quarter=False,
                    order=rec["order"] or 0,
                    reason=ctx.reason,
                    source=ctx.source,
                    **links,
                ),
            )
            continue
        act = Activity(
            board=ctx.board,
            year=ctx.year,
            title=rec["title"],
            deadline=rec["deadline"],
            due_quarter=rec["due_quarter"],
            order=rec["order"] or 0,
            **links,
        )
        wrong = activity_link_errors(act, goals)
        for problem in wrong:
            ctx.error(sheets.ACTIVITY_SHEET, row.number, "goals", problem)
        if not wrong and _full_clean(ctx, sheets.ACTIVITY_SHEET, row, act, constraints=False):
            new.append((act, [goal.pk for goal in goals]))
    if new and not ctx.result.errors:
        _create_activities(ctx, new)
        _wrote(ctx, "activities", len(new))


def _create_activities(ctx: _Context, new: list[tuple[Activity, list[int]]]) -> None:
    """The new activities in bulk with their nämndmål, and their history rows with the goals
    (simple-history's m2m history, as a save and set() would write it)."""
    activities = [act for act, _ in new]
    _insert(ctx, sheets.ACTIVITY_SHEET, Activity.objects.bulk_create, activities)
    if ctx.result.errors:
        return
    through = Activity.board_goals.through
    links = through.objects.bulk_create(
        [through(activity_id=act.pk, boardgoal_id=goal) for act, goals in new for goal in goals]
    )
    history = Activity.history.bulk_history_create(
        activities,
        default_user=ctx.user,
        default_date=timezone.now(),
        custom_historical_attrs={"history_source": current_source()},
    )
    history_of = {row.id: row for row in history}
    m2m = Activity.history.model._meta.get_field("historicalactivity_board_goals").related_model
    m2m.objects.bulk_create(
        [
            m2m(
                id=link.pk,
                activity_id=link.activity_id,
                boardgoal_id=link.boardgoal_id,
                history=history_of[link.activity_id],
            )
            for link in links
        ]
    )
