"""The demo data holds what the seeds say (000 internbudget 2022, 001 verksamhetsberättelse 2022,
004 the 500 placements). Every figure asserted here is read off the seed text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from goals.models import (
    Activity,
    ActivityStatus,
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

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "Antal hushåll med ekonomiskt bistånd, utfall i slutet av verksamhetsåret"
SUBSIDISED = (
    "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till arbete "
    "med subvention"
)
WAITING = (
    "Väntetid i antal dagar från första ansökan till beslut inom försörjningsstöd, "
    "medelvärde antal dagar"
)
VOLUME_HOUSEHOLDS = (
    "Antal hushåll med ekonomiskt bistånd, utfall per senaste månad, "
    "(utfall i slutet av verksamhetsår)"
)
VOLUME_PARTICIPANTS = (
    "Antal inskrivna deltagare i genomsnitt per månad, Arbetsmarknadscentrum och "
    "Team utreda Arbetsmarknad"
)


def indicator(name: str, *, board: str = "AN", category: str = "namndindikator", parent=None):
    query = Indicator.objects.filter(board__code=board, category=category, name=name)
    if parent is not None:
        query = query.filter(parent__name=parent)
    return query.get()


def shown(ind: Indicator, year: int, gender: str = "", unit: str = "", cat: str = "") -> str:
    """The value as the report prints it (Swedish format), or I.U."""
    value = IndicatorValue.objects.get(
        indicator=ind,
        year=year,
        period_type="ar",
        breakdown__code=Breakdown.make_code(gender, unit, cat),
    )
    return value.display_value.replace("\xa0", " ")


def target(ind: Indicator, year: int, gender: str = "", unit: str = "") -> Target:
    return Target.objects.get(
        indicator=ind, year=year, breakdown__code=Breakdown.make_code(gender, unit, "")
    )


def target_text(ind: Indicator, year: int) -> str:
    return target(ind, year).display.replace("\xa0", " ")


# ---- goal structure ----


def test_five_goal_areas_and_thirteen_council_goals_4_3_2_2_2(demo_data):
    areas = list(GoalArea.objects.order_by("order").values_list("name", flat=True))
    assert areas == ["Samhälle", "Medborgare", "Ekonomi", "Verksamhet", "Medarbetare"]
    goals = CouncilGoal.objects.valid_in(2022)
    assert goals.count() == 13
    per_area = [goals.filter(goal_area__name=name).count() for name in areas]
    assert per_area == [4, 3, 2, 2, 2]
    # 2020–2022 from the sources; the year rollover that makes AN 2023 (demo.loaders.rollover)
    # continues the KF goals AN's nämndmål stand under into 2023.
    assert set(CouncilGoal.objects.values_list("valid_from", "valid_to")) == {
        (2020, 2022),
        (2020, 2023),
    }
    continued = set(CouncilGoal.objects.filter(valid_to=2023).values_list("pk", flat=True))
    assert continued == set(
        BoardGoal.objects.filter(board__code="AN", valid_to=2023).values_list(
            "council_goal_id", flat=True
        )
    )
    welfare = goals.get(title__startswith="Välfärdstjänster")
    assert welfare.description.startswith("I Linköping ges snabb, tillgänglig och korrekt service")
    assert GoalArea.objects.get(name="Ekonomi").description == (
        "Målområde ekonomi beskriver vad kommunen ska uppnå för en stabil och god ekonomi."
    )


def test_nine_board_goals_of_an_in_2022_under_their_council_goals(demo_data):
    goals = BoardGoal.objects.valid_in(2022).filter(board=demo_data).order_by("order")
    assert [(g.title, g.council_goal.title) for g in goals] == [
        (
            "Professionellt bemötande och hög tillgänglighet",
            "Välfärdstjänster med hög kvalitet, tillgänglighet och individen i centrum",
        ),
        ("Hög egenförsörjningsgrad", "Stark gemenskap och människor i arbete"),
        ("Hög avtalstrohet", "Kostnadseffektiv verksamhet"),
        ("Kostnadseffektiva arbetsmarknadsåtgärder", "Kostnadseffektiv verksamhet"),
        ("God ekonomisk styrning", "Hållbar ekonomi"),
        ("Digitaliseringens möjligheter tas tillvara", "Effektiv organisation med goda resultat"),
        ("Goda arbetsplatser", "Attraktiv arbetsgivare"),
        ("Hållbart chef- och ledarskap", "Attraktiv arbetsgivare"),
        ("Nya vägar för kompetensförsörjning", "Hållbar kompetensförsörjning"),
    ]
    self_support = goals.get(title="Hög egenförsörjningsgrad")
    assert self_support.description == (
        "Antal hushåll i Linköping som uppbär ekonomiskt bistånd ska minska."
    )
    assert self_support.footnotes.get().text.startswith(
        "Det bedöms nödvändigt att uppvisa fler än 3 indikatorer"
    )


def test_organisation_units_with_the_years_the_seeds_imply(demo_data):
    units = {u.code: u for u in OrganisationUnit.objects.all()}
    assert (units["UAF"].valid_from, units["UAF"].valid_to) == (2019, 2021)
    assert (units["LL-AMS"].name, units["LL-AMS"].valid_to) == ("Leanlink (AMS)", 2021)
    assert (units["IAF"].valid_from, units["IAF"].valid_to) == (2022, None)
    assert units["AMC"].name == "Arbetsmarknadscentrum"
    assert units["OSA"].name == "Offentligt skyddad anställning"
    assert {u.kind for code, u in units.items() if code in {"AMC", "AMF", "OSA"}} == {"enhet"}
    valid_2022 = set(
        OrganisationUnit.objects.valid_in(2022)
        .filter(boards=demo_data)
        .values_list("code", flat=True)
    )
    assert valid_2022 == {"IAF", "AMC", "AMF", "OSA"}


# ---- indicator values and targets (seed 001, Nämndindikatorer) ----


def test_households_with_ekonomiskt_bistand(demo_data):
    ind = indicator(HOUSEHOLDS)
    assert [shown(ind, year) for year in (2020, 2021, 2022)] == ["3 327", "3 196", "2 917"]
    assert target_text(ind, 2022) == "3 300"
    assert target(ind, 2023).value == 3200  # seed 000, Önskvärd värde 2023
    assert (ind.source, ind.aggregation, ind.direction) == ("Treserva", "stock", "lagre")
    assert ind.board_goal.title == "Hög egenförsörjningsgrad"


def test_e_handelstrohet(demo_data):
    ind = indicator("E-handelstrohet, %")
    assert [shown(ind, year) for year in (2020, 2021, 2022)] == ["37,6", "69,0", "76,8"]
    assert target_text(ind, 2022) == "100 %"
    assert ind.footnotes.get(year=2022).text.startswith("E-handelstroheten innefattar")


def test_waiting_time_2022_is_iu_with_its_footnote(demo_data):
    ind = indicator(WAITING)
    assert [shown(ind, year) for year in (2020, 2021, 2022)] == ["13", "15", "I.U."]
    missing = IndicatorValue.objects.get(indicator=ind, year=2022)
    assert missing.value is None
    assert missing.missing_reason == MissingReason.NOT_YET
    assert missing.footnotes.get().text == (
        "Redovisas i samband med delår 1 2023, då förvaltningen under perioden infört nytt "
        "verksamhetssystem och påbörjat översyn och utveckling av rutiner för att ta fram statistik."
    )
    assert ind.footnotes.get().text == (
        "Gäller endast nya ärenden, gäller både e-tjänst och pappersansökan."
    )
    assert target_text(ind, 2022) == "7"


def test_subsidised_work_split_by_gender(demo_data):
    ind = indicator(SUBSIDISED)
    years = (2020, 2021, 2022)
    assert [shown(ind, y) for y in years] == ["61", "44", "62"]
    assert [shown(ind, y, gender="K") for y in years] == ["12", "19", "25"]
    assert [shown(ind, y, gender="M") for y in years] == ["49", "25", "37"]
    assert target_text(ind, 2022) == "120"
    assert target(ind, 2023).value == 130
    note = IndicatorValue.objects.get(indicator=ind, year=2022, breakdown__code="total")
    assert "13 av avsluten OSA-anställningar" in note.footnotes.get().text
    assert ind.source == "Accorda, Lifecare, manuell statistik AMS"
    assert ind.aggregation == "flode"
    # The gender rows follow the total: Kvinnor before Män, as the report prints them.
    links = IndicatorBreakdown.objects.filter(indicator=ind).order_by("order")
    assert [link.breakdown.code for link in links] == [
        "total",
        Breakdown.make_code("K"),
        Breakdown.make_code("M"),
    ]


def test_user_survey_sub_indicators_split_by_unit(demo_data):
    parent = indicator("Andel positiva svar i brukarenkät, %")
    assert [shown(parent, y) for y in (2020, 2021, 2022)] == ["I.U.", "90", "88,9"]
    availability = Indicator.objects.get(parent=parent, name="Tillgänglighet")
    treatment = Indicator.objects.get(parent=parent, name="Bemötande")
    assert shown(availability, 2022, unit="AMC") == "96,4"
    assert shown(availability, 2022, unit="AMF") == "85,7"
    assert shown(availability, 2021, unit="AMC") == "90"
    assert shown(treatment, 2022, unit="AMF") == "89,5"
    assert shown(treatment, 2020, unit="AMF") == "I.U."
    assert target_text(availability, 2022) == "88 %"
    survey_note = IndicatorValue.objects.get(indicator=parent, year=2020).footnotes.get()
    assert "svarsfrekvens i SKR:s årliga nationella brukarundersökning 2020 blev 7 %" in (
        survey_note.text
    )
    assert (
        IndicatorValue.objects.get(indicator=parent, year=2020).missing_reason
        == MissingReason.TOO_SMALL
    )


def test_gender_differences_target_is_a_text(demo_data):
    ind = indicator(
        "Skillnader i hur de olika könen har svarat på frågan om tillgänglighet och bemötande "
        "i brukarundersökningen."
    )
    assert [shown(ind, y) for y in (2020, 2021, 2022)] == ["I.U.", "I.U.", "I.U."]
    assert target(ind, 2022).kind == Target.Kind.TEXT
    assert target_text(ind, 2022) == "Inga signifikanta skillnader"
    assert IndicatorValue.objects.filter(indicator=ind, footnotes__isnull=False).count() == 3


def test_sick_leave_2022_split_by_employment_agreement(demo_data):
    ind = indicator("Total sjukfrånvaro")
    assert ind.mandatory
    assert shown(ind, 2022, cat="total, inkl BEA-anst") == "7,6"
    assert shown(ind, 2022, cat="enbart HÖK-anst") == "5,2"
    assert shown(ind, 2022, gender="M", cat="total, inkl BEA-anst") == "8,7"
    assert shown(ind, 2022, gender="M", cat="enbart HÖK-anst") == "4"
    assert shown(ind, 2022, gender="K", cat="enbart HÖK-anst") == "5,7"
    assert shown(ind, 2020, unit="UAF") == "2,5"
    assert shown(ind, 2020, unit="SOF") == "6,9"
    assert shown(ind, 2021, gender="K", unit="UAF") == "4,0"
    assert target_text(ind, 2022) == "6,0 %"
    # The per-administration rows stop with 2021, the agreement split starts with 2022.
    uaf = IndicatorBreakdown.objects.get(
        indicator=ind, breakdown__code=Breakdown.make_code("", "UAF")
    )
    hok = IndicatorBreakdown.objects.get(
        indicator=ind, breakdown__code=Breakdown.make_code("", "", "enbart HÖK-anst")
    )
    assert (uaf.valid_from, uaf.valid_to) == (2020, 2021)
    assert hok.valid_from == 2022


def test_outcome_per_million_with_sub_indicators_and_target_footnote(demo_data):
    ind = indicator(
        "Antalet deltagare som slussas ut från arbetsmarknadsnämndens arbetsmarknadsinsatser "
        "till arbete eller studier per miljoner kronor"
    )
    amc = Indicator.objects.get(parent=ind, name="AMC")
    osa = Indicator.objects.get(parent=ind, name="OSA")
    assert [shown(amc, y) for y in (2020, 2021, 2022)] == ["2,5", "3,2", "I.U."]
    assert [shown(osa, y) for y in (2020, 2021, 2022)] == ["1,2", "0,8", "I.U."]
    assert amc.footnotes.get().text == "Arbetsmarknadscentrum"
    goal_target = target(ind, 2022)
    assert target_text(ind, 2022) == "5,0"
    assert goal_target.footnotes.get().text == "Gäller Arena Arbetsmarknad"


def test_computed_economy_indicators_have_targets_but_no_figures_of_their_own(demo_data):
    deviation = indicator("Avvikelse mot budget, %")
    accuracy = Indicator.objects.get(name__startswith="Träffsäkerhet i ekonomiprognos")
    august = Indicator.objects.get(parent=accuracy, name="Augusti")
    october = Indicator.objects.get(parent=accuracy, name="Oktober")
    assert (deviation.computed, august.computed, october.computed) == (
        "budgetavvikelse",
        "prognos_augusti",
        "prognos_oktober",
    )
    assert target_text(deviation, 2022) == "≥0 %"
    assert (target(deviation, 2022).kind, target(deviation, 2022).operator) == ("grans", ">=")
    assert (target(august, 2022).operator, target(august, 2022).value) == ("<", 1)
    assert (target(october, 2022).operator, target(october, 2022).value) == ("<", Decimal("0.5"))
    assert not IndicatorValue.objects.filter(indicator__in=[deviation, october]).exists()
    # The one stored row only carries the footnote of the 2020 August figure.
    carrier = IndicatorValue.objects.get(indicator=august)
    assert (carrier.year, carrier.footnotes.get().text) == (2020, "Exklusive tilläggsanslag")


def test_hme_row_cut_off_in_the_report_keeps_what_is_there(demo_data):
    ind = indicator("Hållbart medarbetarengagemang (HME)")
    assert ind.board_goal.title == "Hållbart chef- och ledarskap"
    assert shown(ind, 2020, unit="UAF") == "78"
    assert shown(ind, 2021, unit="SOF") == "69"
    assert shown(ind, 2022, gender="M") == "67"
    assert shown(ind, 2022, gender="K") == "73"
    assert not IndicatorValue.objects.filter(indicator=ind, year=2022, breakdown__code="total")
    assert target(ind, 2022).value == 72  # from seed 000: the report's cell is cut off


def test_medarbetare_indicators_marked_mandatory_as_in_seed_000(demo_data):
    mandatory = set(
        Indicator.objects.valid_in(2022)
        .filter(board=demo_data, mandatory=True)
        .values_list("name", flat=True)
    )
    assert mandatory == {
        "Total sjukfrånvaro",
        "Andel heltidsanställningar",
        "Jämställdhetsindex (Jämix)",
        "Attraktiv arbetsgivarindex (AVI)",
        "Hållbart medarbetarengagemang (HME)",
        "Chefsindex",
    }
    assert not indicator("Avgångsålder pension").mandatory


def test_every_goal_of_2022_has_its_indicators_in_report_order(demo_data):
    top = (
        Indicator.objects.valid_in(2022)
        .filter(board=demo_data, category="namndindikator", parent__isnull=True)
        .order_by("board_goal__order", "order")
    )
    per_goal: dict[str, int] = {}
    for ind in top:
        per_goal[ind.board_goal.title] = per_goal.get(ind.board_goal.title, 0) + 1
    assert per_goal == {
        "Professionellt bemötande och hög tillgänglighet": 3,
        "Hög egenförsörjningsgrad": 10,
        "Hög avtalstrohet": 1,
        "Kostnadseffektiva arbetsmarknadsåtgärder": 1,
        "God ekonomisk styrning": 2,
        "Digitaliseringens möjligheter tas tillvara": 2,
        "Goda arbetsplatser": 4,
        "Hållbart chef- och ledarskap": 2,
        "Nya vägar för kompetensförsörjning": 2,
    }
    assert [i.name for i in top if i.board_goal.title == "Hög egenförsörjningsgrad"][3] == (
        HOUSEHOLDS
    )


def test_value_decimals_follow_the_report(demo_data):
    social_time = indicator(
        "Socialsekreterarnas tid för kvalitativt socialt arbete med klienter ökar, "
        "andel av tiden i %."
    )
    assert [shown(social_time, y) for y in (2020, 2021, 2022)] == ["16", "8,62", "13,5"]
    e_applications = indicator("Andel inkomna e-ansökningar, %")
    assert [shown(e_applications, y) for y in (2020, 2021, 2022)] == ["I.U.", "34,17", "43,5"]
    retirement = indicator("Avgångsålder pension")
    assert shown(retirement, 2022) == "64,7"
    assert shown(retirement, 2021, gender="K", unit="SOF") == "65"
    assert shown(retirement, 2020, unit="UAF") == "I.U."


def test_indicator_new_in_2021_is_valid_from_2021_with_iu_for_2020(demo_data):
    ind = indicator("Antal långvariga biståndshushåll med barn")
    assert ind.valid_from == 2021
    assert [shown(ind, y) for y in (2020, 2021, 2022)] == ["I.U.", "891", "599"]
    assert IndicatorValue.objects.get(indicator=ind, year=2020).missing_reason == "ej_matt"


# ---- volume measures, staff and the 500 placements ----


def test_volume_measures_2018_to_2022_with_budget_and_plan_targets(demo_data):
    households = indicator(VOLUME_HOUSEHOLDS, category="volymmatt")
    participants = indicator(VOLUME_PARTICIPANTS, category="volymmatt")
    years = range(2018, 2023)
    assert [shown(households, y) for y in years] == ["3 130", "3 128", "3 327", "3 196", "2 917"]
    assert [shown(participants, y) for y in years] == ["470", "654", "628", "540", "448"]
    note = IndicatorValue.objects.get(indicator=participants, year=2018).footnotes.get()
    assert note.text == "Team utreda Arbetsmarknadsnämnd ej medräknat 2018"
    plan = dict(Target.objects.filter(indicator=households).values_list("year", "value"))
    assert plan == {
        2021: 3800,
        2022: 3300,
        2023: 3200,
        2024: 3100,
        2025: 3000,
        2026: 2900,
        2027: 2800,
    }
    assert participants.aggregation == "medel"


def test_staff_figures_per_administration_and_2022_totals(demo_data):
    employees = indicator("Antal tillsvidareanställda", category="personal")
    assert shown(employees, 2019, unit="SOF") == "110"
    assert shown(employees, 2019, unit="UAF") == "62"
    assert shown(employees, 2021, unit="SOF") == "104"
    assert shown(employees, 2022) == "241"
    sick = indicator("Total sjukfrånvaro", category="personal")
    assert shown(sick, 2019, unit="SOF") == "8,1"
    assert shown(sick, 2022, cat="total, inkl BEA-anst") == "7,6"
    assert shown(sick, 2022, cat="enbart HÖK-anst") == "5,2"
    turnover = indicator("Personalavgångar externt", category="personal")
    assert [shown(turnover, 2021, unit="SOF"), shown(turnover, 2022)] == ["13,4", "7,9"]


def test_500_placements_per_administration_2019_and_2020(demo_data):
    ind = Indicator.objects.get(name__startswith="Nya arbetsmarknadsplatser inom uppdraget 500")
    assert (ind.category, ind.valid_from, ind.valid_to) == ("personal", 2019, 2020)
    assert shown(ind, 2019, unit="UAF") == "177"
    assert shown(ind, 2020, unit="UAF") == "121"
    assert shown(ind, 2020, unit="IAS") == "134"
    totals = {
        year: sum(
            IndicatorValue.objects.filter(indicator=ind, year=year).values_list("value", flat=True)
        )
        for year in (2019, 2020)
    }
    assert totals == {2019: 316, 2020: 344}
    assert IndicatorValue.objects.filter(indicator=ind).count() == 16


# ---- follow-up: occasions, assessments, assignments, activities ----


def test_occasions_2020_to_2022_approved_and_2023_open(demo_data):
    occasions = {
        (o.year, o.kind): o.state for o in ReportingOccasion.objects.filter(board=demo_data)
    }
    approved = ReportingOccasion.State.APPROVED
    assert occasions == {
        (2020, "helar"): approved,
        (2021, "helar"): approved,
        (2022, "d1"): approved,
        (2022, "d2"): approved,
        (2022, "helar"): approved,
        (2023, "k1"): ReportingOccasion.State.OPEN,
        (2023, "d1"): ReportingOccasion.State.OPEN,
        # Made by the year rollover from 2022's kinds (demo.loaders.rollover).
        (2023, "d2"): ReportingOccasion.State.OPEN,
        (2023, "helar"): ReportingOccasion.State.OPEN,
    }
    helar = ReportingOccasion.objects.get(board=demo_data, year=2022, kind="helar")
    assert [(t.from_state, t.to_state) for t in helar.transitions.all()] == [
        ("oppen", "inskickad"),
        ("inskickad", "godkand"),
    ]
    # The open occasions have something to enter: monthly volume measures at kvartal 1,
    # and those and the staff figures (tertial) at delår 1. The rollover continued 2022's
    # indicators, among them a monthly nämndindikator.
    open_2023 = Indicator.objects.valid_in(2023).filter(board=demo_data)
    assert set(open_2023.filter(frequency="manad").values_list("category", flat=True)) == {
        "volymmatt",
        "namndindikator",
    }
    assert open_2023.filter(category="personal", frequency="tertial").count() == 3


def test_2022_assessments_eight_partly_one_achieved(demo_data):
    assessments = GoalAssessment.objects.filter(
        occasion__board=demo_data, occasion__year=2022, occasion__kind="helar"
    )
    assert assessments.count() == 9
    assert assessments.filter(level=AssessmentLevel.PARTLY).count() == 8
    achieved = assessments.get(level=AssessmentLevel.ACHIEVED)
    assert achieved.board_goal.title == "God ekonomisk styrning"
    assert achieved.analysis.startswith("Nämndmålet bedöms uppnått under året.")
    assert achieved.other_activities.startswith("- Utbildning i QlikSense")
    assert "Utbildning inom prognosarbetet kommer inte genomföras" in achieved.deviations
    self_support = assessments.get(board_goal__title="Hög egenförsörjningsgrad")
    assert "128 kallade deltagare" in self_support.results
    assert self_support.results.count("\n- ") == 3  # four bullets
    assert all(a.analysis and a.results for a in assessments)


def test_thirteen_assignments_of_2022_with_statuses(demo_data):
    assignments = StrategicAssignment.objects.valid_in(2022)
    assert assignments.count() == 13
    assert assignments.filter(scope="kommungemensamt", board__isnull=True).count() == 9
    assert assignments.filter(scope="namndspecifikt", board=demo_data).count() == 4
    assert assignments.filter(note="Kvarstår från Budget 2021 med plan för 2022-2024").count() == 2
    statuses = AssignmentStatus.objects.filter(
        occasion__board=demo_data, occasion__year=2022, occasion__kind="helar"
    )
    assert statuses.count() == 13
    assert statuses.filter(status=WorkStatus.DONE).count() == 12
    ongoing = statuses.get(status=WorkStatus.ONGOING)
    assert ongoing.assignment.text.startswith("Samtliga nämnder ska se över sin egen inköpsorg")
    assert ongoing.comment == "Fortsätter under kvartal 1-2 2023"


def test_activities_linked_to_goals_with_status(demo_data):
    activities = Activity.objects.filter(board=demo_data, year=2022)
    assert activities.count() >= 5
    assert not activities.filter(board_goals__isnull=True, assignment__isnull=True).exists()
    purchasing = activities.get(title="Etablera en inköpsorganisation")
    assert [goal.title for goal in purchasing.board_goals.all()] == ["Hög avtalstrohet"]
    assert purchasing.assignment.text.startswith("Samtliga nämnder ska se över")
    statuses = ActivityStatus.objects.filter(activity__in=activities)
    assert statuses.count() == activities.count()
    assert statuses.get(activity=purchasing).status == WorkStatus.ONGOING
    assert (
        statuses.get(activity__title="Utbildning inom prognosarbetet").status
        == WorkStatus.NOT_RELEVANT
    )


def test_invented_bin_data_is_marked_as_such(demo_data):
    bin_goals = BoardGoal.objects.filter(board__code="BIN")
    assert bin_goals.exists()
    assert all(goal.description.startswith("Påhittat demoexempel") for goal in bin_goals)
    assert set(Indicator.objects.filter(board__code="BIN").values_list("source", flat=True)) == {
        "Påhittade demodata"
    }
    occasion = ReportingOccasion.objects.get(board__code="BIN", year=2022, kind="helar")
    assert occasion.state == ReportingOccasion.State.OPEN


def test_every_loaded_row_passes_model_validation(demo_data):
    for model in (
        CouncilGoal,
        BoardGoal,
        Indicator,
        IndicatorBreakdown,
        IndicatorValue,
        Target,
        Footnote,
        GoalAssessment,
        StrategicAssignment,
        AssignmentStatus,
        Activity,
        ActivityStatus,
    ):
        for obj in model.objects.all():
            obj.full_clean()


def test_unit_splits_are_listed_as_the_latest_report_prints_them(demo_data):
    availability = Indicator.objects.get(
        parent__name="Andel positiva svar i brukarenkät, %", name="Tillgänglighet"
    )
    codes = [
        link.breakdown.code
        for link in IndicatorBreakdown.objects.filter(indicator=availability).order_by("order")
    ]
    amc, amf = Breakdown.make_code("", "AMC"), Breakdown.make_code("", "AMF")
    assert codes.index(amc) < codes.index(amf)
    sick = indicator("Total sjukfrånvaro")
    codes = [
        link.breakdown.code
        for link in IndicatorBreakdown.objects.filter(indicator=sick).order_by("order")
    ]
    assert codes.index(Breakdown.make_code("", "UAF")) < codes.index(Breakdown.make_code("", "SOF"))


def test_open_occasions_have_fields_to_enter(demo_data):
    from indicators.entry import entry_sheet

    open_occasions = ReportingOccasion.objects.filter(state=ReportingOccasion.State.OPEN)
    fields = {(o.board.code, o.year, o.kind): entry_sheet(o).field_count for o in open_occasions}
    # The two monthly volume measures (March), and kvartal 1 of the four invented quarterly goal
    # indicators of demo_2023.toml for Totalt, Kvinnor and Män; then what the year rollover
    # continued from 2022: two monthly volume measures, one quarterly goal indicator, one by
    # three units (3 × Totalt/K/M) and three quarterly volume measures.
    assert fields[("AN", 2023, "k1")] == 2 + 4 * 3 + 2 + 1 + 3 * 3 + 3
    # April, and tertial 1 of the staff figures; sick leave goes on with its 2022 split
    # (BEA/HÖK) besides the total its targets are set for. Then the 2022 indicators the
    # rollover continued: two monthly, two tertial goal indicators, 2022's sick leave by its
    # seven units, full-time employment by three and the number of placements.
    assert fields[("AN", 2023, "d1")] == 2 + 1 + 3 + 1 + 2 + 2 + 7 + 3 + 1
    # BIN's invented indicators: the gender split goes on into the year still to be entered
    # (total, K, M), and sick leave is due for tertial 3 and the year.
    assert fields[("BIN", 2022, "helar")] == 3 + 2
