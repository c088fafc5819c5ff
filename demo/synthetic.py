"""A synthetic municipality for growth and load measurements (GitHub issue 7).

`generate_municipality(boards=15, years=10, seed=1)` writes size L: fifteen nämnder (codes S01…S15,
names ending in "(syntetisk)") under the real KF goals, each with about ten nämndmål, six
indicators per nämndmål (K/M or unit splits where they fit, sub-indicators now and then),
quarterly and yearly values for every year (some I.U. with a footnote), targets of every kind,
assessments, strategic assignments, activities, a driftsammandrag of eight lines with budget,
plan, monthly forecasts and bokslut, and three investments. `boards=1, years=3` is size S.

Decisions
---------
* **Deterministic.** Every board draws from its own `random.Random` seeded with (seed, board
  number), and nothing depends on primary keys or the clock, so the same seed writes the same
  rows on SQLite and PostgreSQL (`synthetic_fingerprint` proves it) and board S01 has the same
  structure at size S and size L — only its history is longer at L.
* **Idempotent by replacement.** A run first deletes every synthetic board (and everything that
  hangs on it) and then writes the new set, all in one transaction: running the same command
  twice leaves the same data. A board with a code like S01 whose name does not end in
  "(syntetisk)" is someone's real data: the run refuses instead of deleting it.
* **Fast, not audited.** Rows are written with `bulk_create` in batches, without per-row
  `full_clean()` and without django-simple-history rows (bulk writes skip history). That is
  right for test data that nobody entered; the values the benchmark saves through the entry
  page do get their history. Values are written through a plain queryset: the lock guard's
  per-row check would cost one query per value, and it has nothing to guard, since every
  occasion is still open while the values are written and is approved afterwards.
* **Years.** The history ends at `last_year` (default 2022, the year of the reference report)
  and reaches `years` back. The last year's helår is left open, so the entry page has a real
  occasion to save; all earlier occasions are approved (with their transitions recorded).
  Nämndmål and indicators are valid from the first synthetic year; they hang on the KF goals
  valid in `last_year`, which for Linköping's demo data are valid 2020–2022 only.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.db import models, transaction
from django.db.models import ForeignObjectRel

from budget.models import (
    AmountKind,
    BudgetAmount,
    BudgetLine,
    InvestmentAmount,
    InvestmentProject,
    Scheme,
    Section,
)
from goals.deadlines import due_quarter
from goals.models import (
    Activity,
    ActivityStatus,
    AssessmentLevel,
    AssignmentStatus,
    Board,
    BoardGoal,
    CouncilGoal,
    GoalAssessment,
    Municipality,
    OccasionTransition,
    OrganisationUnit,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.periods import OccasionKind, PeriodType
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    MissingReason,
    Target,
)

DEFAULT_LAST_YEAR = 2022
SYNTHETIC_SUFFIX = " (syntetisk)"
SYNTHETIC_CODE_SQL = r"^S[0-9]{2}$"
MAX_BOARDS = 99
MAX_YEARS = 30
BATCH_SIZE = 2000
M = TypeVar("M", bound=models.Model)

GOALS_PER_BOARD = 10
INDICATORS_PER_GOAL = 6
BUDGET_LINES = 8
INVESTMENTS = 3

BOARDS_OUT_OF_RANGE = "Antalet nämnder måste vara mellan 1 och {max}."
YEARS_OUT_OF_RANGE = "Antalet år måste vara mellan 1 och {max}."
NO_COUNCIL_GOALS = (
    "Det finns inga kommunövergripande mål som gäller {year}. Kör `manage.py load_demo` först "
    "(eller ange ett annat sista år med --last-year)."
)
REAL_BOARD_IN_THE_WAY = (
    "Nämnden {code} ({name}) är inte syntetisk; generatorn tar inte bort riktiga data. "
    "Byt kod på nämnden eller använd en annan databas."
)

BOARD_NAMES = [
    "Äldrenämnden",
    "Omsorgsnämnden",
    "Barn- och ungdomsnämnden",
    "Kultur- och fritidsnämnden",
    "Samhällsbyggnadsnämnden",
    "Miljö- och hälsoskyddsnämnden",
    "Tekniska nämnden",
    "Socialnämnden",
    "Gymnasienämnden",
    "Byggnadsnämnden",
    "Överförmyndarnämnden",
    "Räddningsnämnden",
    "Servicenämnden",
    "Kommunstyrelsen",
    "Valnämnden",
]

GOAL_TEXTS = [
    ("Hög tillgänglighet", "Verksamhetens tjänster är lätta att nå för alla invånare."),
    ("Professionellt bemötande", "Den som möter verksamheten blir väl bemött och informerad."),
    ("Trygg och säker verksamhet", "Brukare och medarbetare känner sig trygga i verksamheten."),
    ("Effektivt resursutnyttjande", "Resurserna används där de gör störst nytta."),
    ("God ekonomisk styrning", "Ekonomi i balans."),
    ("Digitaliseringens möjligheter tas tillvara", "Fler tjänster kan skötas digitalt."),
    ("Goda arbetsplatser", "Varje medarbetare känner arbetsglädje och stolthet."),
    ("Hållbart chef- och ledarskap", "Varje chef leder mot uppsatta mål med mod och engagemang."),
    ("Minskad klimatpåverkan", "Verksamhetens utsläpp av växthusgaser ska minska."),
    ("Fler i egen försörjning", "Fler invånare går från bidrag till arbete eller studier."),
    ("Delaktiga brukare", "Brukarna är delaktiga i planeringen av sina insatser."),
    ("Korta handläggningstider", "Ärenden avgörs snabbt och rättssäkert."),
    ("Hög avtalstrohet", "Inköp följer kommunens inköpspolicy och regler."),
    ("Likvärdig service i hela kommunen", "Service ges på lika villkor i stad och på landsbygd."),
    ("Attraktiva mötesplatser", "Mötesplatserna är välbesökta och upplevs som trygga."),
    ("Stärkt kompetensförsörjning", "Verksamheten attraherar och behåller rätt kompetens."),
    ("Förebyggande arbete", "Insatser sätts in tidigt så att behoven inte växer."),
    ("Jämställd service", "Kvinnor och män får service av samma kvalitet."),
]


@dataclass(frozen=True)
class IndicatorTemplate:
    name: str
    unit: str
    decimals: int
    direction: str
    frequency: str
    aggregation: str
    profile: str  # total, kon, enhet, kon_enhet
    low: float
    high: float
    source: str = ""


def _template(*row: Any) -> IndicatorTemplate:
    """A template from one row of the tables below (their columns differ in type)."""
    return IndicatorTemplate(*row)


U = Indicator.Unit
D = Indicator.Direction
A = Indicator.Aggregation
Q_ = PeriodType.QUARTER
Y_ = PeriodType.YEAR

# name, unit, decimals, better, frequency, year value, breakdowns, plausible range, source
# fmt: off
INDICATOR_TEMPLATES = [_template(*row) for row in [
    ("Antal avslutade ärenden", U.COUNT, 0, D.HIGHER, Q_, A.FLOW, "kon", 200, 4000),
    ("Antal hushåll med försörjningsstöd, utfall i slutet av perioden", U.COUNT, 0, D.LOWER, Q_,
     A.STOCK, "kon", 500, 3500, "Treserva"),
    ("Andel brukare som är nöjda med bemötandet", U.PERCENT, 1, D.HIGHER, Y_, A.ONCE, "kon",
     60, 95, "Brukarenkät"),
    ("Handläggningstid från ansökan till beslut", U.DAYS, 0, D.LOWER, Q_, A.AVERAGE, "enhet", 5, 40),
    ("Andel inköp från avtalade leverantörer", U.PERCENT, 1, D.HIGHER, Q_, A.AVERAGE, "total",
     50, 99, "Inköpssystemet"),
    ("Sjukfrånvaro, %", U.PERCENT, 1, D.LOWER, Q_, A.AVERAGE, "kon", 3, 10, "HR-systemet"),
    ("Antal inskrivna deltagare i genomsnitt per månad", U.COUNT, 0, D.HIGHER, Q_, A.AVERAGE,
     "kon_enhet", 50, 800),
    ("Andel digitala ansökningar", U.PERCENT, 1, D.HIGHER, Q_, A.AVERAGE, "total", 10, 90),
    ("Hållbart medarbetarengagemang (HME), index", U.INDEX, 0, D.HIGHER, Y_, A.ONCE, "kon",
     70, 85, "Medarbetarenkät"),
    ("Personalomsättning, %", U.PERCENT, 1, D.LOWER, Y_, A.ONCE, "kon", 4, 15),
    ("Antal synpunkter och klagomål", U.COUNT, 0, D.LOWER, Q_, A.FLOW, "kon", 20, 400),
    ("Väntetid till första besök", U.DAYS, 0, D.LOWER, Q_, A.AVERAGE, "kon_enhet", 3, 30),
    ("Andel deltagare som gått vidare till arbete eller studier", U.PERCENT, 1, D.HIGHER, Q_,
     A.AVERAGE, "kon", 20, 60),
    ("Antal besök", U.COUNT, 0, D.HIGHER, Q_, A.FLOW, "kon", 1000, 60000),
    ("Andel genomförda medarbetarsamtal", U.PERCENT, 1, D.HIGHER, Y_, A.ONCE, "total", 70, 99),
    ("Kostnad per brukare", U.KRONOR, 0, D.LOWER, Y_, A.ONCE, "total", 20000, 400000),
    ("Antal anmälda tillbud och arbetsskador", U.COUNT, 0, D.LOWER, Q_, A.FLOW, "enhet", 5, 120),
    ("Genomsnittlig tid i insats", U.MONTHS, 1, D.LOWER, Q_, A.AVERAGE, "kon", 2, 18),
    ("Antal genomförda tillsyner", U.COUNT, 0, D.HIGHER, Q_, A.FLOW, "enhet", 40, 900),
    ("Nöjd-kund-index (NKI)", U.INDEX, 0, D.HIGHER, Y_, A.ONCE, "total", 55, 80),
    ("Andel ärenden avgjorda inom lagstadgad tid", U.PERCENT, 1, D.HIGHER, Q_, A.AVERAGE, "enhet",
     70, 99),
    ("Energianvändning i verksamhetens lokaler, kWh per kvadratmeter", U.COUNT, 0, D.LOWER, Y_,
     A.ONCE, "total", 90, 220),
]]
SURVEY_PARENT = IndicatorTemplate(
    "Andel positiva svar i brukarenkät", U.PERCENT, 1, D.HIGHER, Y_, A.ONCE, "total", 60, 95,
    "Brukarenkät",
)
SURVEY_CHILDREN = ["Tillgänglighet", "Bemötande"]
VOLUME_TEMPLATES = [IndicatorTemplate(*row) for row in [
    ("Antal brukare vid årets slut", U.COUNT, 0, D.NONE, Y_, A.STOCK, "kon", 200, 5000),
    ("Antal beslut om insats", U.COUNT, 0, D.NONE, Y_, A.FLOW, "total", 300, 9000),
    ("Antal inskrivna i genomsnitt per månad", U.COUNT, 0, D.NONE, Y_, A.AVERAGE, "total", 50, 1500),
]]
STAFF_TEMPLATES = [_template(*row) for row in [
    ("Antal tillsvidareanställda", U.COUNT, 0, D.NONE, Y_, A.STOCK, "kon", 80, 3000, "HR-systemet"),
    ("Sjukfrånvaro totalt, %", U.PERCENT, 1, D.LOWER, Y_, A.AVERAGE, "kon", 4, 9),
]]
# fmt: on
SHARE_UNITS = {U.PERCENT, U.DAYS, U.MONTHS, U.INDEX, U.KRONOR, U.YEARS, U.RATIO}

MISSING_TEXTS = [
    (MissingReason.TOO_SMALL, "Svarsfrekvensen var för låg för att dra några slutsatser."),
    (MissingReason.NOT_MEASURED, "Mätningen genomfördes inte det här året."),
    (MissingReason.NOT_YET, "Uppgiften redovisas i samband med delår 1 året därpå."),
]
INDICATOR_NOTES = [
    "Indikatorn mäts med en ny metod från och med {year}.",
    "Uppgiften avser hela kommunen, inte enbart nämndens verksamhet.",
    "Definitionen ändrades {year}; tidigare år är inte helt jämförbara.",
]
ANALYSES = [
    "Utvecklingen går i önskad riktning men målvärdet nås inte fullt ut.",
    "Resultatet har förbättrats jämfört med föregående år tack vare ett systematiskt arbete.",
    "Målet bedöms som uppnått då samtliga indikatorer når sina målvärden.",
    "Pandemins effekter påverkar fortfarande resultatet negativt.",
    "Arbetet har påbörjats men effekterna syns först på längre sikt.",
]
RESULT_TEXTS = [
    "Samverkan med externa aktörer har utvecklats.",
    "Nya digitala tjänster har införts.",
    "Rutinerna för uppföljning har setts över.",
]
ASSIGNMENT_TEXTS = [
    "Utreda förutsättningarna för en samlad ingång för nämndens tjänster.",
    "Ta fram en plan för att minska nämndens klimatpåverkan.",
    "Utveckla samverkan med civilsamhället inom nämndens område.",
]
ACTIVITY_TEXTS = [
    "Införa digital tidsbokning",
    "Genomföra en kartläggning av väntetiderna",
    "Utbilda chefer i arbetsmiljöarbete",
    "Se över rutinerna för inköp",
    "Utveckla brukarenkäten",
]
BUDGET_ACTIVITIES = [
    "Förebyggande verksamhet",
    "Myndighetsutövning",
    "Stöd och service",
    "Boende",
    "Öppen verksamhet",
    "Ekonomiskt bistånd",
    "Lokaler och anläggningar",
]
INVESTMENT_NAMES = ["Inventarier", "Verksamhetssystem", "Ombyggnad av lokaler", "Fordon"]

OCCASIONS = [
    (OccasionKind.QUARTER_1, (4, 15)),
    (OccasionKind.INTERIM_1, (5, 20)),
    (OccasionKind.QUARTER_2, (7, 15)),
    (OccasionKind.INTERIM_2, (9, 20)),
    (OccasionKind.QUARTER_3, (10, 15)),
    (OccasionKind.FULL_YEAR, (1, 31)),  # helår: 31 January of the next year
]
ASSESSED_KINDS = [OccasionKind.INTERIM_1, OccasionKind.INTERIM_2, OccasionKind.FULL_YEAR]
FORECAST_MONTHS = range(1, 12)  # a forecast at every month end; December is the bokslut
PLAN_AHEAD = 2  # an internbudget's Budget N and Plan N+1, N+2
BASE_YEARS_BACK = 4  # direction targets carry the base value of four years before the last


@dataclass
class GenerationResult:
    boards: list[str]
    first_year: int
    last_year: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def values(self) -> int:
        return self.counts.get("utfall", 0)


def board_code(number: int) -> str:
    return f"S{number:02d}"


def synthetic_boards() -> models.QuerySet[Board]:
    return Board.objects.filter(code__regex=SYNTHETIC_CODE_SQL, name__endswith=SYNTHETIC_SUFFIX)


# ---------------------------------------------------------------------------------------------
# Deleting a previous synthetic set


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None) if manager is not None else None


def _chunks(pks: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(pks), BATCH_SIZE):
        yield pks[start : start + BATCH_SIZE]


def _purge(model: type[models.Model], pks: list[int], seen: frozenset = frozenset()) -> None:
    """Delete the rows `pks` and everything that points at them, with plain DELETEs.

    Walks the reverse relations generically (hidden ones and many-to-many through rows too),
    so rows that other apps add later (archives, drafts) go as well. Each level's primary keys
    are read into a list and used in chunks: nested IN subqueries made PostgreSQL choose
    plans that ran for minutes on freshly filled tables. No signals run and no history rows
    are written for the deletion; the history rows of the deleted objects are removed with
    them. Foreign keys are checked at commit on both databases, so the order only has to be
    complete, not perfect.
    """
    if not pks:
        return
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue
        if not isinstance(rel, ForeignObjectRel) or not isinstance(rel.related_model, type):
            continue  # not taken: every reverse relation is one, to a loaded model class
        if rel.on_delete is models.DO_NOTHING:
            continue  # simple-history's historical rows: removed below by id
        related, name = rel.related_model, rel.field.name
        if rel.on_delete is models.SET_NULL:
            for chunk in _chunks(pks):
                related._base_manager.filter(**{f"{name}__in": chunk}).update(**{name: None})
            continue
        if (related, name) in seen:
            continue
        dependants = [
            pk
            for chunk in _chunks(pks)
            for pk in related._base_manager.filter(**{f"{name}__in": chunk}).values_list(
                "pk", flat=True
            )
        ]
        _purge(related, dependants, seen | {(related, name)})
    history = _history_model(model)
    for chunk in _chunks(pks):
        if history is not None:
            history._base_manager.filter(id__in=chunk)._raw_delete(history._base_manager.db)
        model._base_manager.filter(pk__in=chunk)._raw_delete(model._base_manager.db)


def purge_synthetic() -> int:
    """Delete every synthetic board, its units and everything hanging on them."""
    for board in Board.objects.filter(code__regex=SYNTHETIC_CODE_SQL).exclude(
        name__endswith=SYNTHETIC_SUFFIX
    ):
        raise ValueError(REAL_BOARD_IN_THE_WAY.format(code=board.code, name=board.name))
    boards = list(synthetic_boards().values_list("pk", flat=True))
    _purge(Board, boards)
    units = OrganisationUnit.objects.filter(
        code__regex=r"^S[0-9]{2}-", name__endswith=SYNTHETIC_SUFFIX
    )
    _purge(OrganisationUnit, list(units.values_list("pk", flat=True)))
    return len(boards)


def ensure_council_goals() -> str:
    """On an empty database: load the real målområden and KF goals with the demo loaders.

    Runs the organisation and goal loaders of the Linköping demo (they are idempotent and
    also bring AN and BIN with their nämndmål), inside the caller's transaction.
    """
    from demo.loaders import goals, organisation
    from demo.loaders.base import Stats

    stats = Stats()
    organisation.load(stats)
    goals.load(stats)
    return stats.summary()


# ---------------------------------------------------------------------------------------------
# Values


def _quantize(value: float, decimals: int) -> Decimal:
    return Decimal(str(round(value, decimals))).quantize(Decimal(1).scaleb(-decimals))


class _ValueDraws(NamedTuple):
    """An indicator's drawn level, trend and shares, the same for all its years."""

    base: float
    trend: float
    gender_share: float
    unit_share: float
    genders: list[str]
    units: list[str]


@dataclass
class _Plan:
    """One indicator to write: the model instance, its template and its breakdown codes."""

    indicator: Indicator
    template: IndicatorTemplate
    breakdowns: list[str]
    target_kind: str = ""
    note: str = ""


class _Writer:
    """Collects rows per model and writes them in batches; keeps the instances that need pks."""

    def __init__(self) -> None:
        self.pending: dict[type[models.Model], list[models.Model]] = {}
        self.counts: dict[str, int] = {}

    def add(self, obj: M, label: str) -> M:
        self.pending.setdefault(type(obj), []).append(obj)
        self.counts[label] = self.counts.get(label, 0) + 1
        if len(self.pending[type(obj)]) >= BATCH_SIZE:
            self.flush(type(obj))
        return obj

    def flush(self, model: type[models.Model] | None = None) -> None:
        for current in [model] if model is not None else list(self.pending):
            objs = self.pending.pop(current, [])
            if objs:
                # A plain queryset: see the module docstring (no per-row lock queries, no history).
                queryset: models.QuerySet[models.Model] = models.QuerySet(current)
                queryset.bulk_create(objs, batch_size=BATCH_SIZE)


def _level(
    template: IndicatorTemplate, rng: random.Random, base: float, trend: float, t: int
) -> float:
    """The year's level: `base` in the last year, `t` years from it (t ≤ 0), with noise."""
    level = base * (1 + trend) ** t * (1 + rng.gauss(0, 0.03))
    if template.unit == U.PERCENT:
        level = min(max(level, 0.5), 99.5)
    return max(level, 0.0)


def _periods(template: IndicatorTemplate, rng: random.Random, level: float) -> dict:
    """The total's values per period: {(period_type, number): float} for one year."""
    if template.frequency == Y_:
        return {(Y_, 1): level}
    if template.aggregation == A.FLOW:
        quarters = [round(level / 4 * (1 + rng.gauss(0, 0.08)), template.decimals) for _ in "1234"]
        year = sum(quarters)
    else:
        quarters = [round(level * (1 + rng.gauss(0, 0.04)), template.decimals) for _ in "1234"]
        year = quarters[3] if template.aggregation == A.STOCK else sum(quarters) / 4
    result = {(Q_, n + 1): quarters[n] for n in range(4)}
    result[(Y_, 1)] = year
    return result


def _split(
    template: IndicatorTemplate, total: float, share: float, spread: list[float]
) -> list[float]:
    """Split a total in two (K/M or two units): counts add up, shares scatter around the total."""
    if template.unit in SHARE_UNITS:
        values = [total * (1 + s) for s in spread]
        if template.unit == U.PERCENT:
            values = [min(max(v, 0.0), 100.0) for v in values]
        return values
    first = round(total * share, template.decimals)
    return [first, round(total - first, template.decimals)]


# ---------------------------------------------------------------------------------------------
# The generator


def generate_municipality(
    *,
    boards: int,
    years: int,
    seed: int,
    last_year: int = DEFAULT_LAST_YEAR,
    progress: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Replace the synthetic boards with `boards` new ones with `years` years of history."""
    if not 1 <= boards <= MAX_BOARDS:
        raise ValueError(BOARDS_OUT_OF_RANGE.format(max=MAX_BOARDS))
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(YEARS_OUT_OF_RANGE.format(max=MAX_YEARS))
    started = time.perf_counter()
    first_year = last_year - years + 1
    result = GenerationResult(
        boards=[board_code(n) for n in range(1, boards + 1)],
        first_year=first_year,
        last_year=last_year,
    )
    say = progress or (lambda message: None)
    with transaction.atomic():
        if not CouncilGoal.objects.valid_in(last_year).exists():
            loaded = ensure_council_goals()
            if loaded:
                say(f"Läste in Linköpings målområden och KF-mål från demodata ({loaded}).")
        council_goals = list(
            CouncilGoal.objects.valid_in(last_year)
            .select_related("goal_area")
            .order_by("goal_area__order", "order", "pk")
        )
        if not council_goals:
            raise ValueError(NO_COUNCIL_GOALS.format(year=last_year))
        removed = purge_synthetic()
        if removed:
            say(f"Tog bort {removed} syntetiska nämnder från en tidigare körning.")
        municipality = Municipality.objects.order_by("pk").first() or Municipality.objects.create(
            name="Linköpings kommun"
        )
        writer = _Writer()
        generator = _Generator(
            writer=writer,
            municipality=municipality,
            council_goals=council_goals,
            seed=seed,
            first_year=first_year,
            last_year=last_year,
        )
        for number in range(1, boards + 1):
            generator.board(number)
            say(f"{board_code(number)}: {writer.counts.get('utfall', 0)} utfall hittills")
        generator.finish()
    result.counts = dict(writer.counts)
    result.seconds = time.perf_counter() - started
    return result


class _Generator:
    def __init__(
        self,
        *,
        writer: _Writer,
        municipality: Municipality,
        council_goals: list[CouncilGoal],
        seed: int,
        first_year: int,
        last_year: int,
    ) -> None:
        self.writer = writer
        self.municipality = municipality
        self.council_goals = council_goals
        self.seed = seed
        self.first_year = first_year
        self.last_year = last_year
        self.years = list(range(first_year, last_year + 1))
        self.breakdowns = {
            code: self._breakdown(code, gender, order)
            for code, gender, order in (
                ("total", "", 0),
                (Breakdown.make_code("K"), "K", 1),
                (Breakdown.make_code("M"), "M", 2),
            )
        }
        self.common_assignments = list(
            StrategicAssignment.objects.filter(scope=StrategicAssignment.Scope.COMMON)
            .valid_between(first_year, last_year)
            .order_by("order", "pk")
        )
        self.value_notes: list[tuple[IndicatorValue, str]] = []
        self.approve: list[ReportingOccasion] = []

    @staticmethod
    def _breakdown(
        code: str, gender: str, order: int, unit: OrganisationUnit | None = None
    ) -> Breakdown:
        return Breakdown.objects.get_or_create(
            code=code, defaults={"gender": gender, "org_unit": unit, "order": order}
        )[0]

    # -- one board ------------------------------------------------------------------------------

    def board(self, number: int) -> None:
        # The structure draws from the board's generator; each year's figures from their own
        # (see _year_rng), so the last year is the same whatever the length of the history.
        rng = random.Random(f"styrkort-syntetisk:{self.seed}:{number}")
        self.number = number
        code = board_code(number)
        base_name = BOARD_NAMES[number - 1] if number <= len(BOARD_NAMES) else f"Nämnd {code}"
        board = Board.objects.create(
            municipality=self.municipality,
            code=code,
            name=base_name + SYNTHETIC_SUFFIX,
            valid_from=self.first_year,
            order=100 + number,
        )
        units = self._units(board, code)
        goals = self._goals(board, rng)
        plans = self._indicators(board, goals, units, rng)
        self._values(plans, rng)
        occasions = self._occasions(board)
        self._assessments(goals, occasions, rng)
        self._assignments(board, occasions, rng)
        self._activities(board, goals, occasions, rng)
        self._budget(board, rng)
        self._investments(board, rng)

    def _year_rng(self, *key: object) -> random.Random:
        return random.Random(
            ":".join(map(str, ("styrkort-syntetisk", self.seed, self.number, *key)))
        )

    def _units(self, board: Board, code: str) -> list[tuple[OrganisationUnit, Breakdown]]:
        administration = OrganisationUnit.objects.create(
            municipality=self.municipality,
            kind=OrganisationUnit.Kind.ADMINISTRATION,
            code=f"{code}-F",
            name=f"Förvaltningen för {board.name.removesuffix(SYNTHETIC_SUFFIX).lower()}"
            + SYNTHETIC_SUFFIX,
            valid_from=self.first_year,
        )
        units = [administration]
        for letter in "AB":
            units.append(
                OrganisationUnit.objects.create(
                    municipality=self.municipality,
                    kind=OrganisationUnit.Kind.UNIT,
                    code=f"{code}-{letter}",
                    name=f"Enhet {letter}" + SYNTHETIC_SUFFIX,
                    parent=administration,
                    valid_from=self.first_year,
                )
            )
        board.units.add(*units)
        return [
            (unit, self._breakdown(Breakdown.make_code("", unit.code), "", 3 + i, unit))
            for i, unit in enumerate(units[1:])
        ]

    def _goals(self, board: Board, rng: random.Random) -> list[BoardGoal]:
        if len(self.council_goals) >= GOALS_PER_BOARD:
            picked = sorted(rng.sample(range(len(self.council_goals)), GOALS_PER_BOARD))
        else:
            picked = [i % len(self.council_goals) for i in range(GOALS_PER_BOARD)]
        texts = rng.sample(GOAL_TEXTS, GOALS_PER_BOARD)
        goals = [
            BoardGoal(
                board=board,
                council_goal=self.council_goals[index],
                title=title,
                description=description,
                order=order + 1,
                valid_from=self.first_year,
            )
            for order, (index, (title, description)) in enumerate(zip(picked, texts, strict=True))
        ]
        BoardGoal.objects.bulk_create(goals)
        self.writer.counts["nämndmål"] = self.writer.counts.get("nämndmål", 0) + len(goals)
        return goals

    def _indicators(
        self,
        board: Board,
        goals: list[BoardGoal],
        units: list[tuple[OrganisationUnit, Breakdown]],
        rng: random.Random,
    ) -> list[_Plan]:
        unit_codes = [breakdown.code for _, breakdown in units]
        profiles = {
            "total": ["total"],
            "kon": ["total", "k=K|e=|c=", "k=M|e=|c="],
            "enhet": ["total", *unit_codes],
            "kon_enhet": ["total", "k=K|e=|c=", "k=M|e=|c=", *unit_codes],
        }
        plans, children = self._goal_plans(board, goals, profiles, rng)
        plans += self._category_plans(board, profiles)
        Indicator.objects.bulk_create([plan.indicator for plan in plans])
        plans += self._child_plans(board, children, profiles)
        self.writer.counts["indikatorer"] = self.writer.counts.get("indikatorer", 0) + len(plans)
        self._add_breakdown_links(plans)
        return plans

    def _goal_plans(
        self,
        board: Board,
        goals: list[BoardGoal],
        profiles: dict[str, list[str]],
        rng: random.Random,
    ) -> tuple[list[_Plan], list[tuple[_Plan, int]]]:
        """The nämndindikatorer of each goal (and the computed one of the economy goal);
        with the survey parents' children still to create, as (parent plan, order)."""
        plans: list[_Plan] = []
        children: list[tuple[_Plan, int]] = []
        economy_goal = next(
            (g for g in goals if g.council_goal.goal_area.name == "Ekonomi"), goals[-1]
        )
        for goal_index, goal in enumerate(goals):
            templates = rng.sample(INDICATOR_TEMPLATES, INDICATORS_PER_GOAL)
            if goal_index % 4 == 1:
                templates[-1] = SURVEY_PARENT
            for order, template in enumerate(templates, start=1):
                indicator = Indicator(
                    board=board,
                    board_goal=goal,
                    name=template.name,
                    unit=template.unit,
                    decimals=template.decimals,
                    direction=template.direction,
                    source=template.source,
                    mandatory=goal.council_goal.goal_area.name == "Medarbetare" and order == 1,
                    frequency=template.frequency,
                    aggregation=template.aggregation,
                    order=order,
                    valid_from=self.first_year,
                )
                plan = _Plan(indicator, template, profiles[template.profile])
                plan.target_kind = self._target_kind(template, rng)
                if rng.random() < 0.05:
                    plan.note = rng.choice(INDICATOR_NOTES).format(year=self.last_year - 1)
                plans.append(plan)
                if template is SURVEY_PARENT:
                    for child_order in range(1, len(SURVEY_CHILDREN) + 1):
                        children.append((plan, child_order))
            if goal is economy_goal:
                computed = Indicator(
                    board=board,
                    board_goal=goal,
                    name="Avvikelse mot budget, %",
                    unit=U.PERCENT,
                    decimals=1,
                    direction=D.HIGHER,
                    frequency=Y_,
                    aggregation=A.ONCE,
                    computed=Indicator.Computed.BUDGET_DEVIATION,
                    order=INDICATORS_PER_GOAL + 1,
                    valid_from=self.first_year,
                )
                plans.append(_Plan(computed, SURVEY_PARENT, [], target_kind="computed"))
        return plans, children

    def _category_plans(self, board: Board, profiles: dict[str, list[str]]) -> list[_Plan]:
        """The volume measures and staff figures of the board."""
        plans: list[_Plan] = []
        for category, templates in (
            (Indicator.Category.VOLUME, VOLUME_TEMPLATES),
            (Indicator.Category.STAFF, STAFF_TEMPLATES),
        ):
            for order, template in enumerate(templates, start=1):
                indicator = Indicator(
                    board=board,
                    category=category,
                    name=template.name,
                    unit=template.unit,
                    decimals=template.decimals,
                    direction=template.direction,
                    source=template.source,
                    frequency=template.frequency,
                    aggregation=template.aggregation,
                    order=order,
                    valid_from=self.first_year,
                )
                plans.append(_Plan(indicator, template, profiles[template.profile]))
        return plans

    def _child_plans(
        self,
        board: Board,
        children: list[tuple[_Plan, int]],
        profiles: dict[str, list[str]],
    ) -> list[_Plan]:
        """The survey parents' sub-indicators, created once their parents have ids."""
        child_plans = []
        for parent, child_order in children:
            template = SURVEY_PARENT
            indicator = Indicator(
                board=board,
                board_goal=parent.indicator.board_goal,
                parent=parent.indicator,
                name=SURVEY_CHILDREN[child_order - 1],
                unit=template.unit,
                decimals=template.decimals,
                direction=template.direction,
                source=template.source,
                frequency=template.frequency,
                aggregation=template.aggregation,
                order=child_order,
                valid_from=self.first_year,
            )
            child_plans.append(_Plan(indicator, template, profiles["kon"], target_kind="varde"))
        Indicator.objects.bulk_create([plan.indicator for plan in child_plans])
        return child_plans

    def _add_breakdown_links(self, plans: list[_Plan]) -> None:
        """Each indicator's breakdowns from the first year, and its name footnote."""
        for plan in plans:
            for order, code in enumerate(plan.breakdowns):
                self.writer.add(
                    IndicatorBreakdown(
                        indicator=plan.indicator,
                        breakdown=self.breakdowns_by_code(code),
                        order=order,
                        valid_from=self.first_year,
                    ),
                    "indikatoruppdelningar",
                )
            if plan.note:
                self.writer.add(
                    Footnote(indicator=plan.indicator, text=plan.note, order=1), "fotnoter"
                )

    def breakdowns_by_code(self, code: str) -> Breakdown:
        breakdown = self.breakdowns.get(code)
        if breakdown is None:
            breakdown = Breakdown.objects.get(code=code)
            self.breakdowns[code] = breakdown
        return breakdown

    @staticmethod
    def _target_kind(template: IndicatorTemplate, rng: random.Random) -> str:
        if template.direction == D.NONE:
            return ""
        draw = rng.random()
        if draw < 0.55:
            return Target.Kind.VALUE
        if draw < 0.75:
            return Target.Kind.BOUND
        if draw < 0.92:
            return Target.Kind.DIRECTION
        if draw < 0.96 and template.profile in ("kon", "kon_enhet"):
            return Target.Kind.TEXT
        return Target.Kind.MISSING

    def _values(self, plans: list[_Plan], rng: random.Random) -> None:
        total = self.breakdowns["total"]
        # The board's first survey is not reported yet for the last year, as in the seed
        # (Väntetid 2022: I.U., "redovisas i samband med delår 1"), so every board has one.
        late = next(
            (p for p in plans if p.template.aggregation == A.ONCE and p.target_kind != "computed"),
            None,
        )
        for index, plan in enumerate(plans):
            template = plan.template
            if plan.target_kind == "computed":
                for year in self.years:
                    self.writer.add(
                        Target(
                            indicator=plan.indicator,
                            year=year,
                            breakdown=total,
                            kind=Target.Kind.BOUND,
                            operator=Target.Operator.GE,
                            value=Decimal(0),
                        ),
                        "målvärden",
                    )
                continue
            base = rng.uniform(template.low, template.high)
            trend = rng.uniform(-0.03, 0.05)
            gender_share = rng.uniform(0.35, 0.65)
            unit_share = rng.uniform(0.3, 0.7)
            genders = [code for code in plan.breakdowns if code.startswith(("k=K", "k=M"))]
            units = [code for code in plan.breakdowns if code != "total" and code not in genders]
            draws = _ValueDraws(base, trend, gender_share, unit_share, genders, units)
            for year in self.years:
                self._year_values(plan, index, year, draws, late=plan is late)

    def _year_values(
        self, plan: _Plan, index: int, year: int, draws: _ValueDraws, *, late: bool
    ) -> None:
        """One indicator's values of one year, by period and breakdown, and the year's target.

        Each year draws from its own generator, so a year's figures do not depend on others.
        """
        template = plan.template
        base, trend, gender_share, unit_share, genders, units = draws
        yearly = self._year_rng("utfall", index, year)
        level = _level(template, yearly, base, trend, year - self.last_year)
        periods = _periods(template, yearly, level)
        missing = yearly.random() < 0.02
        missing_split = not missing and yearly.random() < 0.03
        reason, note = yearly.choice(MISSING_TEXTS)
        if late and year == self.last_year:
            missing, missing_split = True, False
            reason, note = MISSING_TEXTS[2]
        spread = [yearly.gauss(0, 0.05) for _ in range(4)]
        for (period_type, number), amount in periods.items():
            cells = {"total": amount}
            if genders:
                cells.update(
                    zip(
                        genders,
                        _split(template, amount, gender_share, spread[:2]),
                        strict=True,
                    )
                )
            if units:
                cells.update(
                    zip(units, _split(template, amount, unit_share, spread[2:]), strict=True)
                )
            for code in plan.breakdowns:
                is_missing = missing or (missing_split and code != "total")
                value = None if is_missing else _quantize(cells[code], template.decimals)
                obj = self.writer.add(
                    IndicatorValue(
                        indicator=plan.indicator,
                        year=year,
                        period_type=period_type,
                        period_number=number,
                        breakdown=self.breakdowns_by_code(code),
                        value=value,
                        missing_reason=reason if is_missing else "",
                    ),
                    "utfall",
                )
                if is_missing and code == "total" and period_type == Y_:
                    self.value_notes.append((obj, note))
        reference = base * (1 + trend) ** -BASE_YEARS_BACK
        self._target(plan, year, level, _quantize(reference, template.decimals))

    def _target(self, plan: _Plan, year: int, level: float, reference: Decimal) -> None:
        kind = plan.target_kind
        if not kind:
            return
        template = plan.template
        better = 1.05 if template.direction == D.HIGHER else 0.95
        goal = level * better
        if template.unit == U.PERCENT:
            goal = min(goal, 100.0)
        target = Target(
            indicator=plan.indicator, year=year, breakdown=self.breakdowns["total"], kind=kind
        )
        if kind == Target.Kind.VALUE:
            target.value = _quantize(goal, template.decimals)
        elif kind == Target.Kind.BOUND:
            target.operator = (
                Target.Operator.GE if template.direction == D.HIGHER else Target.Operator.LE
            )
            target.value = _quantize(goal, 0)
        elif kind == Target.Kind.DIRECTION:
            target.trend = (
                Target.TrendDirection.INCREASE
                if template.direction == D.HIGHER
                else Target.TrendDirection.DECREASE
            )
            base_year = self.last_year - BASE_YEARS_BACK  # "Basvärde 2018 = 299"
            if base_year <= year:
                target.base_value = reference
                target.base_year = base_year
        elif kind == Target.Kind.TEXT:
            target.text = "Inga signifikanta skillnader mellan kvinnor och män"
        self.writer.add(target, "målvärden")

    # -- follow-up ------------------------------------------------------------------------------

    def _occasions(self, board: Board) -> dict[tuple[int, str], ReportingOccasion]:
        occasions: dict[tuple[int, str], ReportingOccasion] = {}
        for year in self.years:
            for kind, (month, day) in OCCASIONS:
                deadline_year = year + 1 if kind == OccasionKind.FULL_YEAR else year
                occasion = ReportingOccasion(
                    board=board,
                    year=year,
                    kind=kind,
                    deadline=datetime.date(deadline_year, month, day),
                )
                occasions[(year, kind)] = occasion
                if not (year == self.last_year and kind == OccasionKind.FULL_YEAR):
                    self.approve.append(occasion)
        ReportingOccasion.objects.bulk_create(occasions.values())
        self.writer.counts["uppföljningstillfällen"] = self.writer.counts.get(
            "uppföljningstillfällen", 0
        ) + len(occasions)
        return occasions

    def _assessments(
        self,
        goals: list[BoardGoal],
        occasions: dict[tuple[int, str], ReportingOccasion],
        rng: random.Random,
    ) -> None:
        levels = [AssessmentLevel.ACHIEVED, AssessmentLevel.PARTLY, AssessmentLevel.NOT_ACHIEVED]
        for year in self.years:
            rng = self._year_rng("bedömning", year)
            for kind in ASSESSED_KINDS:
                for goal in goals:
                    level = rng.choices(levels, weights=[3, 5, 2])[0]
                    self.writer.add(
                        GoalAssessment(
                            occasion=occasions[(year, kind)],
                            board_goal=goal,
                            level=level,
                            suggested_level=rng.choice(levels),
                            analysis=rng.choice(ANALYSES),
                            results=rng.choice(RESULT_TEXTS),
                            deviations=""
                            if level == AssessmentLevel.ACHIEVED
                            else "Arbetet fortsätter under nästa år.",
                        ),
                        "målbedömningar",
                    )

    def _assignments(
        self,
        board: Board,
        occasions: dict[tuple[int, str], ReportingOccasion],
        rng: random.Random,
    ) -> None:
        own = [
            StrategicAssignment(
                municipality=self.municipality,
                scope=StrategicAssignment.Scope.BOARD,
                board=board,
                text=text,
                order=order,
                valid_from=self.first_year,
            )
            for order, text in enumerate(rng.sample(ASSIGNMENT_TEXTS, 2), start=1)
        ]
        StrategicAssignment.objects.bulk_create(own)
        self.writer.counts["uppdrag"] = self.writer.counts.get("uppdrag", 0) + len(own)
        statuses = [WorkStatus.DONE, WorkStatus.ONGOING, WorkStatus.NOT_STARTED]
        for year in self.years:
            rng = self._year_rng("uppdrag", year)
            valid = [a for a in self.common_assignments if a.is_valid_in(year)] + own
            for assignment in valid:
                status = rng.choices(statuses, weights=[3, 6, 1])[0]
                self.writer.add(
                    AssignmentStatus(
                        occasion=occasions[(year, OccasionKind.FULL_YEAR)],
                        assignment=assignment,
                        status=status,
                        comment="" if status == WorkStatus.DONE else "Fortsätter nästa år.",
                    ),
                    "uppdragsstatus",
                )

    def _activities(
        self,
        board: Board,
        goals: list[BoardGoal],
        occasions: dict[tuple[int, str], ReportingOccasion],
        rng: random.Random,
    ) -> None:
        deadlines = ["Q1", "Q2", "Q3", "Q4", "Kontinuerligt"]
        activities = []
        links = []
        for year in self.years:
            rng = self._year_rng("aktivitet", year)
            for order, title in enumerate(rng.sample(ACTIVITY_TEXTS, 3), start=1):
                deadline = rng.choice(deadlines)
                activities.append(
                    Activity(
                        board=board,
                        year=year,
                        title=title,
                        deadline=deadline,
                        due_quarter=due_quarter(deadline),
                        order=order,
                    )
                )
                links.append(rng.choice(goals))
        Activity.objects.bulk_create(activities)
        Activity.board_goals.through.objects.bulk_create(
            Activity.board_goals.through(activity_id=activity.pk, boardgoal_id=goal.pk)
            for activity, goal in zip(activities, links, strict=True)
        )
        self.writer.counts["aktiviteter"] = self.writer.counts.get("aktiviteter", 0) + len(
            activities
        )
        for activity in activities:
            rng = self._year_rng("aktivitetsstatus", activity.year, activity.order)
            self.writer.add(
                ActivityStatus(
                    occasion=occasions[(activity.year, OccasionKind.FULL_YEAR)],
                    activity=activity,
                    status=rng.choice([WorkStatus.DONE, WorkStatus.ONGOING]),
                ),
                "aktivitetsstatus",
            )

    # -- economy --------------------------------------------------------------------------------

    def _budget(self, board: Board, rng: random.Random) -> None:
        names = ["Nämnd- och styrelseverksamhet", *rng.sample(BUDGET_ACTIVITIES, 5)]
        names.append("Förvaltningsgemensamt")
        lines = [
            BudgetLine(
                board=board,
                scheme=Scheme.DRIFT,
                section=Section.OPERATIONS,
                code=f"rad-{order}",
                name=name,
                order=order,
                valid_from=self.first_year,
            )
            for order, name in enumerate(names, start=1)
        ]
        lines.append(
            BudgetLine(
                board=board,
                scheme=Scheme.DRIFT,
                section=Section.MUNICIPAL_UNITS,
                code="enheter",
                name="Nämndens enheter",
                order=BUDGET_LINES,
                valid_from=self.first_year,
            )
        )
        BudgetLine.objects.bulk_create(lines)
        self.writer.counts["budgetrader"] = self.writer.counts.get("budgetrader", 0) + len(lines)
        for line in lines:
            is_units = line.section == Section.MUNICIPAL_UNITS
            size = rng.uniform(2e6, 4e6) if line.order == 1 else rng.uniform(2e7, 3e8)
            growth = rng.uniform(0.01, 0.04)
            for year in self.years:
                yearly = self._year_rng("budget", line.order, year)
                budget = round(size * (1 + growth) ** (year - self.last_year), -3)
                if is_units:
                    budget = round(yearly.uniform(-2e6, 2e6), -3)  # units net around zero
                outcome = round(budget * (1 + yearly.gauss(0, 0.02)))
                revenues = None if is_units else -round(budget * yearly.uniform(0.05, 0.3), -3)
                self._amount(line, year, AmountKind.BUDGET, budget, revenues=revenues)
                self._amount(line, year, AmountKind.OUTCOME, outcome, revenues=revenues)
                for month in FORECAST_MONTHS:
                    drift = (outcome - budget) * month / 12
                    forecast = round(budget + drift * (1 + yearly.gauss(0, 0.3)), -3)
                    self._amount(line, year, AmountKind.FORECAST, forecast, month=month)
                for ahead in range(PLAN_AHEAD + 1):
                    self._amount(
                        line,
                        year + ahead,
                        AmountKind.PLAN,
                        round(budget * (1 + growth) ** ahead, -3),
                        document_year=year,
                    )

    def _amount(self, line, year, kind, amount, *, month=None, revenues=None, document_year=None):
        self.writer.add(
            BudgetAmount(
                line=line,
                year=year,
                kind=kind,
                amount=int(amount),
                month=month,
                revenues=revenues,
                document_year=document_year,
            ),
            "budgetbelopp",
        )

    def _investments(self, board: Board, rng: random.Random) -> None:
        projects = []
        for order, name in enumerate(rng.sample(INVESTMENT_NAMES, INVESTMENTS), start=1):
            start = max(self.first_year, self.last_year - rng.randint(0, 2))
            completed = self.last_year - 1 if order == 1 and start < self.last_year else None
            projects.append(
                InvestmentProject(
                    board=board,
                    code=f"inv-{order}",
                    name=name,
                    decided_budget=int(round(rng.uniform(1e6, 3e7), -3)),
                    completed_year=completed,
                    order=order,
                    valid_from=start,
                    valid_to=completed,
                )
            )
        InvestmentProject.objects.bulk_create(projects)
        self.writer.counts["investeringar"] = self.writer.counts.get("investeringar", 0) + len(
            projects
        )
        for project in projects:
            last = project.completed_year or self.last_year
            decided = project.decided_budget or 0  # every project above has one
            yearly = decided / (last - project.valid_from + 1)
            for year in range(project.valid_from, last + 1):
                budget = round(yearly, -3)
                outcome = self._year_rng("investering", project.order, year).uniform(0.7, 1.1)
                for kind, amount in (
                    (AmountKind.BUDGET, budget),
                    (AmountKind.OUTCOME, round(budget * outcome)),
                ):
                    self.writer.add(
                        InvestmentAmount(project=project, year=year, kind=kind, amount=int(amount)),
                        "investeringsbelopp",
                    )

    # -- closing --------------------------------------------------------------------------------

    def finish(self) -> None:
        self.writer.flush()
        for value, text in self.value_notes:
            self.writer.add(Footnote(value=value, text=text, order=1), "fotnoter")
        self.writer.flush()
        # Approve the finished occasions only now: every owned row is written while they are
        # open, exactly as the lock requires. Each approval is recorded as the workflow would.
        ids = [occasion.pk for occasion in self.approve]
        for start in range(0, len(ids), BATCH_SIZE):
            ReportingOccasion.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
                state=ReportingOccasion.State.APPROVED
            )
        transitions = []
        for occasion in self.approve:
            for before, after in (
                (ReportingOccasion.State.OPEN, ReportingOccasion.State.SUBMITTED),
                (ReportingOccasion.State.SUBMITTED, ReportingOccasion.State.APPROVED),
            ):
                transitions.append(
                    OccasionTransition(
                        occasion=occasion,
                        from_state=before,
                        to_state=after,
                        reason="Syntetiska data",
                    )
                )
        OccasionTransition.objects.bulk_create(transitions, batch_size=BATCH_SIZE)
        self.writer.counts["statusändringar"] = len(transitions)


# ---------------------------------------------------------------------------------------------
# Checking determinism


def synthetic_fingerprint(
    codes: Iterable[str] | None = None, years: Iterable[int] | None = None
) -> str:
    """A hash of the synthetic data by natural keys only (no pks, no timestamps).

    Two runs with the same seed and size give the same fingerprint, on any database: rows are
    sorted in Python, since the databases order NULLs and punctuation differently. With
    `codes` and `years`, only those boards' figures of those years count (the structure always).

    Long on purpose: the body is a declarative list, one `feed` per table with the natural-key
    fields it covers, and reads best as one list that a new table is added to.
    """
    boards = synthetic_boards()
    if codes is not None:
        boards = boards.filter(code__in=list(codes))
    in_years = {"year__in": list(years)} if years is not None else {}
    digest = hashlib.sha256()
    indicator = ("board_goal__order", "parent__order", "category", "order")

    def feed(queryset: models.QuerySet, *fields: str) -> None:
        rows = [tuple(_normal(v) for v in row) for row in queryset.values_list(*fields)]
        rows.sort(key=lambda row: tuple((v is not None, v) for v in row))
        for row in rows:
            digest.update(repr(row).encode())

    feed(boards, "code", "name", *([] if years is not None else ["valid_from"]))
    feed(
        BoardGoal.objects.filter(board__in=boards),
        "board__code",
        "order",
        "title",
        "council_goal__title",
    )
    feed(
        Indicator.objects.filter(board__in=boards),
        "board__code",
        *indicator,
        "name",
        "parent__name",
        "unit",
        "frequency",
        "aggregation",
        "computed",
    )
    feed(
        IndicatorValue.objects.filter(indicator__board__in=boards, **in_years),
        "indicator__board__code",
        *(f"indicator__{name}" for name in indicator),
        "year",
        "period_type",
        "period_number",
        "breakdown__code",
        "value",
        "missing_reason",
    )
    feed(
        Target.objects.filter(indicator__board__in=boards, **in_years),
        "indicator__board__code",
        *(f"indicator__{name}" for name in indicator),
        "year",
        "kind",
        "operator",
        "value",
        "trend",
        "base_value",
        "text",
    )
    feed(
        GoalAssessment.objects.filter(
            occasion__board__in=boards, **{f"occasion__{k}": v for k, v in in_years.items()}
        ),
        "occasion__board__code",
        "occasion__year",
        "occasion__kind",
        "board_goal__order",
        "level",
        "analysis",
    )
    feed(
        BudgetAmount.objects.filter(line__board__in=boards, **in_years),
        "line__board__code",
        "line__code",
        "year",
        "kind",
        "month",
        "document_year",
        "amount",
        "revenues",
    )
    feed(
        ReportingOccasion.objects.filter(board__in=boards, **in_years),
        "board__code",
        "year",
        "kind",
        "state",
    )
    return digest.hexdigest()


def _normal(value):
    """Decimals as their shortest text, so 88.9000 (PostgreSQL) equals 88.9 (SQLite)."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def count_synthetic() -> dict[str, int]:
    """Row counts of the synthetic boards, for the command's summary and the tests."""
    boards = synthetic_boards()
    return {
        "nämnder": boards.count(),
        "nämndmål": BoardGoal.objects.filter(board__in=boards).count(),
        "indikatorer": Indicator.objects.filter(board__in=boards).count(),
        "utfall": IndicatorValue.objects.filter(indicator__board__in=boards).count(),
        "utfall I.U.": IndicatorValue.objects.filter(
            indicator__board__in=boards, value__isnull=True
        ).count(),
        "målvärden": Target.objects.filter(indicator__board__in=boards).count(),
        "målbedömningar": GoalAssessment.objects.filter(occasion__board__in=boards).count(),
        "budgetbelopp": BudgetAmount.objects.filter(line__board__in=boards).count(),
        "investeringar": InvestmentProject.objects.filter(board__in=boards).count(),
        "uppföljningstillfällen": ReportingOccasion.objects.filter(board__in=boards).count(),
        "godkända tillfällen": ReportingOccasion.objects.filter(
            board__in=boards, state=ReportingOccasion.State.APPROVED
        ).count(),
    }


__all__ = [
    "DEFAULT_LAST_YEAR",
    "GenerationResult",
    "count_synthetic",
    "generate_municipality",
    "purge_synthetic",
    "synthetic_boards",
    "synthetic_fingerprint",
]
