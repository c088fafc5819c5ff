"""The one owner of the structure workbook's sheets and columns (Swedish headers).

Each column has a kind that says how a cell is written and read: text, whole number, yes/no,
a choice shown by its Swedish label, a Swedish number (decimal comma allowed) or a readable id.
The export and the import both use these definitions, so what one writes the other reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from goals.models import StrategicAssignment
from goals.periods import PeriodType
from indicators.models import Breakdown, Indicator, MissingReason, Target

TEXT = "text"
INT = "int"
BOOL = "bool"
CHOICE = "choice"
NUMBER = "number"
ID = "id"
REF = "ref"  # an id of another sheet
REFS = "refs"  # ids separated by ";"

YES = "Ja"
NO = "Nej"
NO_QUARTER = "Löpande"

# Prefixes of the readable ids, per kind.
GOAL_PREFIX = "NM"
INDICATOR_PREFIX = "IND"
FOOTNOTE_PREFIX = "FN"
ASSIGNMENT_PREFIX = "UPP"
POLICY_PREFIX = "SD"
ACTIVITY_PREFIX = "AKT"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label)
    prefix: str = ""  # for ID / REF / REFS
    aliases: tuple[tuple[str, str], ...] = ()  # more spellings that read as a value
    width: int = 18


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple[Column, ...]
    id_prefix: str = ""
    help: str = ""
    column: dict[str, Column] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.column.update({col.key: col for col in self.columns})


def _choices(choices: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in choices)


GENDER_CHOICES = _choices(Breakdown.Gender.choices)

BOARD_SHEET = Sheet(
    "board",
    "Nämnd och år",
    (
        Column("board", "Nämnd", required=True, width=12),
        Column("year", "År", INT, required=True, width=8),
    ),
    help="Nämndens kortnamn och året arbetsboken gäller.",
)

GOAL_SHEET = Sheet(
    "goals",
    "Nämndmål",
    (
        Column("id", "Id", ID, required=True, prefix=GOAL_PREFIX, width=10),
        Column("council_goal", "KF-mål", required=True, width=40),
        Column("title", "Rubrik", required=True, width=40),
        Column("description", "Beskrivning", width=60),
        Column("order", "Ordning", INT, width=10),
    ),
    id_prefix=GOAL_PREFIX,
)

INDICATOR_SHEET = Sheet(
    "indicators",
    "Indikatorer",
    (
        Column("id", "Id", ID, required=True, prefix=INDICATOR_PREFIX, width=10),
        Column("goal", "Nämndmål", REF, prefix=GOAL_PREFIX, width=10),
        Column("parent", "Delindikator till", REF, prefix=INDICATOR_PREFIX, width=12),
        Column("name", "Namn", required=True, width=50),
        Column(
            "category",
            "Kategori",
            CHOICE,
            required=True,
            choices=_choices(Indicator.Category.choices),
        ),
        Column(
            "unit",
            "Enhet",
            CHOICE,
            required=True,
            choices=_choices(Indicator.Unit.choices),
            aliases=(("text", "text"), ("procent", "procent"), ("kr", "kr")),
        ),
        Column("decimals", "Decimaler", INT, width=10),
        Column(
            "direction",
            "Riktning",
            CHOICE,
            required=True,
            choices=_choices(Indicator.Direction.choices),
        ),
        Column("source", "Källa", width=24),
        Column(
            "frequency", "Frekvens", CHOICE, required=True, choices=_choices(PeriodType.choices)
        ),
        Column(
            "aggregation",
            "Årsvärde bildas som",
            CHOICE,
            required=True,
            choices=_choices(Indicator.Aggregation.choices),
            width=28,
        ),
        Column("mandatory", "Obligatorisk", BOOL, width=12),
        Column("order", "Ordning", INT, width=10),
    ),
    id_prefix=INDICATOR_PREFIX,
)

BREAKDOWN_SHEET = Sheet(
    "breakdowns",
    "Uppdelningar",
    (
        Column("indicator", "Indikator", REF, required=True, prefix=INDICATOR_PREFIX, width=10),
        Column("gender", "Kön", CHOICE, choices=GENDER_CHOICES, width=10),
        Column("org_unit", "Enhet", width=12),
        Column("category", "Kategori", width=30),
        Column("order", "Ordning", INT, width=10),
    ),
)

TARGET_SHEET = Sheet(
    "targets",
    "Målvärden",
    (
        Column("indicator", "Indikator", REF, required=True, prefix=INDICATOR_PREFIX, width=10),
        Column("year", "År", INT, required=True, width=8),
        Column("breakdown", "Uppdelning", width=20),
        Column(
            "kind", "Typ", CHOICE, required=True, choices=_choices(Target.Kind.choices), width=12
        ),
        Column(
            "operator", "Jämförelse", CHOICE, choices=_choices(Target.Operator.choices), width=12
        ),
        Column("value", "Värde", NUMBER, width=12),
        Column(
            "trend", "Riktning", CHOICE, choices=_choices(Target.TrendDirection.choices), width=16
        ),
        Column("base_value", "Basvärde", NUMBER, width=12),
        Column("base_year", "Basår", INT, width=8),
        Column("text", "Text", width=40),
    ),
)

VALUE_SHEET = Sheet(
    "values",
    "Utfall",
    (
        Column("indicator", "Indikator", REF, required=True, prefix=INDICATOR_PREFIX, width=10),
        Column("year", "År", INT, required=True, width=8),
        Column("breakdown", "Uppdelning", width=20),
        Column("value", "Värde", NUMBER, width=12),
        Column("text", "Text", width=40),
        Column(
            "missing_reason",
            "Skäl till I.U.",
            CHOICE,
            choices=_choices(MissingReason.choices),
            width=30,
        ),
        Column("comment", "Kommentar", width=40),
    ),
    help="Årsvärden. Skriv I.U. i kolumnen Värde och ange skälet när uppgift saknas.",
)

FOOTNOTE_SHEET = Sheet(
    "footnotes",
    "Fotnoter",
    (
        Column("id", "Id", ID, required=True, prefix=FOOTNOTE_PREFIX, width=10),
        Column("text", "Text", required=True, width=60),
        Column("refs", "Gäller", required=True, width=40),
        Column("year", "År", INT, width=8),
        Column("order", "Ordning", INT, width=10),
    ),
    id_prefix=FOOTNOTE_PREFIX,
    help=(
        "Gäller: NM-1 (nämndmål), IND-3 (indikator), IND-3 mål 2022 Totalt (målvärde) eller "
        "IND-3 utfall 2022 Kvinnor (utfall). Flera utfall åtskilda med ; ger en gemensam fotnot."
    ),
)

ASSIGNMENT_SHEET = Sheet(
    "assignments",
    "Uppdrag",
    (
        Column("id", "Id", ID, required=True, prefix=ASSIGNMENT_PREFIX, width=10),
        Column(
            "scope",
            "Typ",
            CHOICE,
            required=True,
            choices=_choices(StrategicAssignment.Scope.choices),
        ),
        Column("text", "Uppdrag", required=True, width=60),
        Column("note", "Anmärkning", width=30),
        Column("order", "Ordning", INT, width=10),
    ),
    id_prefix=ASSIGNMENT_PREFIX,
)

POLICY_SHEET = Sheet(
    "policies",
    "Styrdokument",
    (
        Column("id", "Id", ID, required=True, prefix=POLICY_PREFIX, width=10),
        Column("title", "Namn", required=True, width=50),
        Column("description", "Beskrivning", width=60),
        Column("order", "Ordning", INT, width=10),
    ),
    id_prefix=POLICY_PREFIX,
)

ACTIVITY_SHEET = Sheet(
    "activities",
    "Aktiviteter",
    (
        Column("id", "Id", ID, required=True, prefix=ACTIVITY_PREFIX, width=10),
        Column("title", "Aktivitet", required=True, width=60),
        Column("goals", "Nämndmål", REFS, prefix=GOAL_PREFIX, width=16),
        Column("assignment", "Uppdrag", REF, prefix=ASSIGNMENT_PREFIX, width=10),
        Column("policy", "Styrdokument", REF, prefix=POLICY_PREFIX, width=12),
        Column("goal_area", "Målområde", width=16),
        Column("deadline", "Klart senast", width=30),
        Column("due_quarter", "Kvartal", width=10),
        Column("order", "Ordning", INT, width=10),
    ),
    id_prefix=ACTIVITY_PREFIX,
    help="Kvartal: 1–4, tomt för att läsa det ur Klart senast, Löpande för inget kvartal.",
)

SHEETS = (
    BOARD_SHEET,
    GOAL_SHEET,
    INDICATOR_SHEET,
    BREAKDOWN_SHEET,
    TARGET_SHEET,
    VALUE_SHEET,
    FOOTNOTE_SHEET,
    ASSIGNMENT_SHEET,
    POLICY_SHEET,
    ACTIVITY_SHEET,
)
HEADER_ROW = 1
FIRST_ROW = 2

# Kind labels for the counts (ImportResult) in Swedish.
KIND_LABELS = {
    "goals": "nämndmål",
    "indicators": "indikatorer",
    "breakdowns": "uppdelningar",
    "targets": "målvärden",
    "values": "utfall",
    "footnotes": "fotnoter",
    "assignments": "uppdrag",
    "policies": "styrdokument",
    "activities": "aktiviteter",
}


def label_of(column: Column, value: str) -> str:
    return dict(column.choices).get(value, value)
