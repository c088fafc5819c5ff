"""A small AN 2022 shaped like seed 001, for the report tests (imported by tests/test_report_*.py
and tests/test_export_*.py). It has each kind of value the report prints: numbers, I.U. with
footnotes, Kvinnor/Män rows, unit splits, a category split, sub-indicators, every target kind, a
goal footnote, helår assessments (one text starting with "=") and strategic assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from goals.models import (
    AssessmentLevel,
    AssignmentStatus,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    GoalAssessment,
    OrganisationUnit,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    MissingReason,
    Target,
)

FORMULA_TEXT = "=SUM(A1) ska stå som text"
DASH_TEXT = "- en punkt som börjar med minus"
SURVEY_NOTE = "Svarsfrekvensen 2020 blev 7 % vilket var för lite för att dra några slutsatser"


def breakdown(gender: str = "", unit: OrganisationUnit | None = None, category: str = "", order=0):
    code = Breakdown.make_code(gender, unit.code if unit else "", category)
    return Breakdown.objects.get_or_create(
        code=code,
        defaults={"gender": gender, "org_unit": unit, "category": category, "order": order},
    )[0]


def value(indicator, year, bd, number=None, *, missing="", decimals=None, notes=()):
    stored = IndicatorValue.objects.create(
        indicator=indicator,
        year=year,
        breakdown=bd,
        value=None if number is None else Decimal(str(number)),
        missing_reason=missing,
        decimals=decimals,
    )
    for order, text in enumerate(notes):
        Footnote.objects.create(value=stored, text=text, order=order)
    return stored


def target(indicator, year, kind="varde", number=None, bd=None, notes=(), **extra):
    stored = Target.objects.create(
        indicator=indicator,
        year=year,
        breakdown=bd or breakdown(),
        kind=kind,
        value=None if number is None else Decimal(str(number)),
        **extra,
    )
    for order, text in enumerate(notes):
        Footnote.objects.create(target=stored, text=text, order=order)
    return stored


def declare(indicator, *breakdowns):
    for order, bd in enumerate(breakdowns):
        IndicatorBreakdown.objects.create(
            indicator=indicator, breakdown=bd, order=order, valid_from=2018
        )


@dataclass
class MiniReport:
    board: object
    goals: dict
    indicators: dict
    occasion: ReportingOccasion


def build_mini_an(board) -> MiniReport:
    municipality = board.municipality
    units = {
        code: OrganisationUnit.objects.create(
            municipality=municipality, kind=kind, code=code, name=code, valid_from=2018
        )
        for code, kind in (
            ("UAF", "forvaltning"),
            ("SOF", "forvaltning"),
            ("AMC", "enhet"),
            ("AMF", "enhet"),
        )
    }
    areas = {
        name: GoalArea.objects.create(name=name, order=order)
        for order, name in enumerate(
            ["Samhälle", "Medborgare", "Ekonomi", "Verksamhet", "Medarbetare"], start=1
        )
    }
    council = {
        "valfard": CouncilGoal.objects.create(
            goal_area=areas["Medborgare"],
            title="Välfärdstjänster med hög kvalitet, tillgänglighet och individen i centrum",
            valid_from=2019,
            order=1,
        ),
        "arbete": CouncilGoal.objects.create(
            goal_area=areas["Medborgare"],
            title="Stark gemenskap och människor i arbete",
            valid_from=2019,
            order=2,
        ),
        "ekonomi": CouncilGoal.objects.create(
            goal_area=areas["Ekonomi"], title="Hållbar ekonomi", valid_from=2019, order=1
        ),
        "arbetsgivare": CouncilGoal.objects.create(
            goal_area=areas["Medarbetare"], title="Attraktiv arbetsgivare", valid_from=2019
        ),
        "tom": CouncilGoal.objects.create(
            goal_area=areas["Samhälle"], title="Ett mål utan nämndmål", valid_from=2019
        ),
    }

    def goal(key, title, description, order=0):
        return BoardGoal.objects.create(
            board=board,
            council_goal=council[key],
            title=title,
            description=description,
            valid_from=2019,
            order=order,
        )

    goals = {
        "bemotande": goal(
            "valfard",
            "Professionellt bemötande och hög tillgänglighet",
            "Verksamheterna erbjuder ett professionellt bemötande",
        ),
        "egen": goal(
            "arbete",
            "Hög egenförsörjningsgrad",
            "Antal hushåll i Linköping som uppbär ekonomiskt bistånd ska minska.",
        ),
        "styrning": goal("ekonomi", "God ekonomisk styrning", "Ekonomi i balans"),
        "arbetsplatser": goal("arbetsgivare", "Goda arbetsplatser", ""),
    }
    Footnote.objects.create(board_goal=goals["egen"], text="Fler än tre indikatorer behövs.")

    total, women, men = breakdown(), breakdown("K", order=1), breakdown("M", order=2)
    amc, amf = breakdown(unit=units["AMC"], order=10), breakdown(unit=units["AMF"], order=11)
    uaf, sof = breakdown(unit=units["UAF"], order=20), breakdown(unit=units["SOF"], order=21)
    men_uaf, men_sof = (
        breakdown("M", units["UAF"], order=22),
        breakdown("M", units["SOF"], order=23),
    )
    bea = breakdown(category="total, inkl BEA-anst", order=30)
    hok = breakdown(category="enbart HÖK-anst", order=31)

    def indicator(name, **fields):
        fields.setdefault("valid_from", 2018)
        return Indicator.objects.create(board=board, name=name, **fields)

    ind = {}
    ind["survey"] = indicator(
        "Andel positiva svar i brukarenkät, %",
        board_goal=goals["bemotande"],
        unit="procent",
        decimals=1,
        order=1,
    )
    value(ind["survey"], 2020, total, missing=MissingReason.TOO_SMALL, notes=[SURVEY_NOTE])
    value(ind["survey"], 2021, total, 90, decimals=0)
    value(ind["survey"], 2022, total, "88.9", notes=["Genomsnitt för AMC och AMF"])
    target(ind["survey"], 2022, number=88, decimals=0)

    ind["access"] = indicator(
        "Tillgänglighet", parent=ind["survey"], unit="procent", decimals=1, order=1
    )
    declare(ind["access"], amc, amf)
    value(ind["access"], 2020, amf, missing=MissingReason.TOO_SMALL, notes=[SURVEY_NOTE])
    value(ind["access"], 2021, amc, 90, decimals=0)
    value(ind["access"], 2021, amf, 95, decimals=0)
    value(ind["access"], 2022, amc, "96.4")
    value(ind["access"], 2022, amf, "85.7")
    target(ind["access"], 2022, number=88, decimals=0)

    ind["wait"] = indicator(
        "Väntetid i antal dagar från första ansökan till beslut",
        board_goal=goals["bemotande"],
        unit="dagar",
        direction="lagre",
        order=2,
    )
    Footnote.objects.create(indicator=ind["wait"], text="Gäller endast nya ärenden.")
    Footnote.objects.create(indicator=ind["wait"], text="Gällde bara 2019.", year=2019)
    value(ind["wait"], 2020, total, 13)
    value(ind["wait"], 2021, total, 15)
    value(
        ind["wait"], 2022, total, missing=MissingReason.NOT_YET, notes=["Redovisas i delår 1 2023."]
    )
    target(ind["wait"], 2022, number=7)

    ind["differences"] = indicator(
        "Skillnader i hur de olika könen har svarat", board_goal=goals["bemotande"], order=3
    )
    target(ind["differences"], 2022, kind="text", text="Inga signifikanta skillnader")

    ind["subsidy"] = indicator(
        "Antal deltagare som avslutas till arbete med subvention",
        board_goal=goals["egen"],
        aggregation="flode",
        order=1,
    )
    declare(ind["subsidy"], total, women, men)
    for year, (all_, k, m) in zip(
        (2020, 2021, 2022), ((61, 12, 49), (44, 19, 25), (62, 25, 37)), strict=True
    ):
        notes = ["OSA-anställningarna är medräknade från 2022."] if year == 2022 else []
        value(ind["subsidy"], year, total, all_, notes=notes)
        value(ind["subsidy"], year, women, k)
        value(ind["subsidy"], year, men, m)
    target(ind["subsidy"], 2022, number=120)

    ind["households"] = indicator(
        "Antal hushåll med ekonomiskt bistånd, utfall i slutet av verksamhetsåret",
        board_goal=goals["egen"],
        direction="lagre",
        order=2,
    )
    for year, number in ((2020, 3327), (2021, 3196), (2022, 2917)):
        value(ind["households"], year, total, number)
    target(ind["households"], 2022, number=3300)

    ind["deviation"] = indicator(
        "Avvikelse mot budget, %", board_goal=goals["styrning"], unit="procent", decimals=1
    )
    for year, number in ((2020, "0.0"), (2021, "-1.6"), (2022, "2.6")):
        value(ind["deviation"], year, total, number)
    target(ind["deviation"], 2022, kind="grans", operator=">=", number=0, decimals=0)

    ind["forecast"] = indicator(
        "Träffsäkerhet i ekonomiprognos", board_goal=goals["styrning"], unit="procent", order=2
    )
    ind["august"] = indicator(
        "Augusti", parent=ind["forecast"], unit="procent", decimals=1, order=1
    )
    value(ind["august"], 2020, total, "-9.0", notes=["Exklusive tilläggsanslag"])
    value(ind["august"], 2021, total, "-2.6")
    value(ind["august"], 2022, total, "2.6")
    target(ind["august"], 2022, kind="grans", operator="<", number=1, decimals=0)

    ind["sick"] = indicator(
        "Total sjukfrånvaro", board_goal=goals["arbetsplatser"], unit="procent", decimals=1
    )
    declare(ind["sick"], uaf, sof, men_uaf, men_sof, bea, hok)
    value(ind["sick"], 2020, uaf, "2.5")
    value(ind["sick"], 2020, sof, "6.9")
    value(ind["sick"], 2020, men_uaf, "1.8")
    value(ind["sick"], 2020, men_sof, "3.3")
    value(ind["sick"], 2021, uaf, "2.7")
    value(ind["sick"], 2021, sof, "4.8")
    value(ind["sick"], 2022, bea, "7.6")
    value(ind["sick"], 2022, hok, "5.2")
    target(ind["sick"], 2022, number="6.0", decimals=1)

    ind["volume_households"] = indicator(
        "Antal hushåll med ekonomiskt bistånd, utfall per senaste månad",
        category="volymmatt",
        order=1,
    )
    for year, number in zip(range(2018, 2023), (3130, 3128, 3327, 3196, 2917), strict=True):
        value(ind["volume_households"], year, total, number)
    ind["volume_participants"] = indicator(
        "Antal inskrivna deltagare i genomsnitt per månad", category="volymmatt", order=2
    )
    for year, number in zip(range(2018, 2023), (470, 654, 628, 540, 448), strict=True):
        notes = ["Team utreda ej medräknat 2018"] if year == 2018 else []
        value(ind["volume_participants"], year, total, number, notes=notes)

    ind["staff"] = indicator("Antal tillsvidareanställda", category="personal", order=1)
    declare(ind["staff"], sof, uaf)
    for year, (s, u) in ((2019, (110, 62)), (2020, (110, 63)), (2021, (104, 62))):
        value(ind["staff"], year, sof, s)
        value(ind["staff"], year, uaf, u)
    value(ind["staff"], 2022, total, 241)

    occasion = ReportingOccasion.objects.create(board=board, year=2022, kind="helar")
    GoalAssessment.objects.create(
        occasion=occasion,
        board_goal=goals["bemotande"],
        level=AssessmentLevel.PARTLY,
        analysis=FORMULA_TEXT,
        results=DASH_TEXT,
        deviations="Arbetet fortsätter under kvartal 1 2023.",
    )
    GoalAssessment.objects.create(
        occasion=occasion,
        board_goal=goals["styrning"],
        level=AssessmentLevel.ACHIEVED,
        analysis="Nämnden redovisar ett överskott.",
    )
    common = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="kommungemensamt",
        text="Samtliga nämnder ska se över sin egen inköpsorganisation.",
        note="Kvarstår från Budget 2021 med plan för 2022-2024",
        valid_from=2022,
        order=1,
    )
    specific = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board,
        text="Arbetsmarknadsnämnden ska förebygga långvarigt ekonomiskt bistånd.",
        valid_from=2022,
    )
    StrategicAssignment.objects.create(
        municipality=municipality,
        scope="kommungemensamt",
        text="Ett uppdrag utan status.",
        valid_from=2022,
        order=2,
    )
    AssignmentStatus.objects.create(
        occasion=occasion,
        assignment=common,
        status=WorkStatus.ONGOING,
        comment="Fortsätter under kvartal 1-2 2023",
    )
    AssignmentStatus.objects.create(occasion=occasion, assignment=specific, status=WorkStatus.DONE)
    add_budget(board)
    # Approve last, as in real life (an approved occasion refuses writes).
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state=ReportingOccasion.State.APPROVED)
    return MiniReport(board, goals, ind, occasion)


def add_budget(board) -> None:
    """Three driftsammandrag lines valid from 2022 (2021 restated) and two investment projects.

    Kronor chosen so that rounding each figure on its own matters: Ekonomiskt bistånd's
    avvikelse is 5 249 tkr although the rounded bokslut and budget differ by 5 248.
    """
    from budget.models import BudgetAmount, BudgetLine, InvestmentAmount, InvestmentProject

    def line(code, name, section, order, amounts):
        budget_line = BudgetLine.objects.create(
            board=board,
            scheme="drift",
            section=section,
            code=code,
            name=name,
            order=order,
            valid_from=2022,
        )
        for year, kind, amount, revenues in amounts:
            BudgetAmount.objects.create(
                line=budget_line, year=year, kind=kind, amount=amount, revenues=revenues
            )

    line(
        "bistand",
        "Ekonomiskt bistånd",
        "verksamhet",
        1,
        [
            (2022, "bokslut", 303_503_600, -1_000_000),
            (2022, "budget", 308_752_400, -1_200_000),
            (2021, "bokslut", 319_223_000, -900_000),
        ],
    )
    line(
        "flykting",
        "Flyktingmottagande",
        "verksamhet",
        2,
        [
            (2022, "bokslut", 44_451_000, -30_023_000),
            (2022, "budget", 39_537_000, -30_500_000),
            (2021, "bokslut", 43_448_000, -41_077_000),
        ],
    )
    line(
        "enheter",
        "Nämndens enheter",
        "enheter",
        3,
        [
            (2022, "bokslut", -6_422_000, None),
            (2022, "budget", 0, None),
            (2021, "bokslut", 558_000, None),
        ],
    )
    done = InvestmentProject.objects.create(
        board=board,
        code="ams",
        name="Arbetsmarknadsservice",
        decided_budget=1_650_000,
        completed_year=2022,
        valid_from=2022,
        order=1,
    )
    InvestmentAmount.objects.create(project=done, year=2022, kind="budget", amount=1_650_000)
    InvestmentAmount.objects.create(project=done, year=2022, kind="bokslut", amount=318_000)
    InvestmentProject.objects.create(
        board=board,
        code="amc",
        name="Arbetsmarknadscentrum",
        decided_budget=250_000,
        valid_from=2022,
        order=2,
    )


@pytest.fixture
def mini_an(board_an) -> MiniReport:
    return build_mini_an(board_an)


def add_goal_with_indicators(board, count: int) -> None:
    """More of everything: one more nämndmål with `count` indicators, K/M values, targets, notes."""
    approved = list(
        ReportingOccasion.objects.filter(board=board, state="godkand").values_list("pk", flat=True)
    )
    ReportingOccasion.objects.filter(pk__in=approved).update(state="oppen")
    council = CouncilGoal.objects.get(title="Hållbar ekonomi")
    goal = BoardGoal.objects.create(
        board=board,
        council_goal=council,
        title=f"Extra mål {BoardGoal.objects.count()}",
        valid_from=2019,
        order=9,
    )
    Footnote.objects.create(board_goal=goal, text="En fotnot på målet.")
    total, women, men = breakdown(), breakdown("K"), breakdown("M")
    for number in range(count):
        indicator = Indicator.objects.create(
            board=board, board_goal=goal, name=f"Extra indikator {number}", valid_from=2018
        )
        Footnote.objects.create(indicator=indicator, text="Fotnot på namnet.")
        declare(indicator, total, women, men)
        for year in (2020, 2021, 2022):
            value(indicator, year, total, 100 + number, notes=["Fotnot på värdet."])
            value(indicator, year, women, 40)
            value(indicator, year, men, 60 + number)
        target(indicator, 2022, number=150, notes=["Fotnot på målvärdet."])
        child = Indicator.objects.create(
            board=board, parent=indicator, name=f"Delindikator {number}", valid_from=2018
        )
        value(child, 2022, total, 7)
    for number in range(count):
        staff = Indicator.objects.create(
            board=board, category="personal", name=f"Personalmått {number}", valid_from=2018
        )
        value(staff, 2022, total, number)
    ReportingOccasion.objects.filter(pk__in=approved).update(state="godkand")


def test_mini_an_has_the_shapes_the_report_needs(mini_an):
    assert IndicatorValue.objects.filter(missing_reason="").count() > 40
    assert IndicatorValue.objects.exclude(missing_reason="").count() == 3
    assert Target.objects.values("kind").distinct().count() == 3
