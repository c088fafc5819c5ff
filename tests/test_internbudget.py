"""The internbudget as plain data: every table of seed 000 from one fixed set of queries.

Built on the small AN of tests/test_report_fixtures.py, with what a plan adds: the
internbudget's amounts, specification of changes and frame, the investment plan, targets for
the plan years (several kinds, per unit), and activities for the strategic assignments.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from budget.models import (
    BudgetAmount,
    BudgetLine,
    InvestmentAmount,
    InvestmentProject,
    PlanChange,
    PlanChangeAmount,
)
from goals.models import (
    Activity,
    BoardGoal,
    CouncilGoal,
    OrganisationUnit,
    ReportingOccasion,
    StrategicAssignment,
)
from indicators.models import Indicator, Target
from reports.renderers.xlsx import render_xlsx
from reports.report.internbudget import (
    NO_ACTIVITIES,
    SPECIFICATION_HEADING,
    build_internbudget,
)
from reports.report.model import ReportKind, RowKind
from reports.report.plans import build_plan
from tests.test_report_fixtures import (
    add_goal_with_indicators,
    breakdown,
    build_mini_an,
    target,
)

pytestmark = pytest.mark.django_db

STATE_AID_NOTE = "Del av det extra statsbidrag som beslutades i KS 6 oktober 2020."
STAFF_NOTE = "Kan i nuläget inte bedömas."
VOLUME_NOTE = "Från och med 2022 avser siffrorna Arena Arbetsmarknad."
NOW = timezone.make_aware(datetime.datetime(2021, 10, 25, 12))


class Opened:
    """The approved occasions of the board opened for the block (they refuse writes)."""

    def __init__(self, board) -> None:
        self.board = board

    def __enter__(self):
        self.approved = list(
            ReportingOccasion.objects.filter(board=self.board, state="godkand").values_list(
                "pk", flat=True
            )
        )
        ReportingOccasion.objects.filter(pk__in=self.approved).update(state="oppen")

    def __exit__(self, *exc):
        ReportingOccasion.objects.filter(pk__in=self.approved).update(state="godkand")


def add_plan(board, mini) -> dict:
    """The internbudget 2022's figures (kronor, so rounding to tkr is seen), targets and
    activities on top of the small AN."""
    ind = mini.indicators
    made: dict = {}
    with Opened(board):
        # Driftsammandrag: Bokslut 2020, Budget 2021, Budget 2022 (the plan) and Plan 2023–2027.
        bistand = BudgetLine.objects.get(board=board, code="bistand")
        flykting = BudgetLine.objects.get(board=board, code="flykting")
        BudgetLine.objects.filter(board=board).update(valid_from=2020)
        for line, outcome, budget, plans in (
            (bistand, 278_720_400, 269_239_000, [285_254_000, 276_610_000, 267_966_000]),
            (flykting, 10_000_000, 12_000_000, [13_000_000, 13_000_000, 13_000_000]),
        ):
            BudgetAmount.objects.create(line=line, year=2020, kind="bokslut", amount=outcome)
            BudgetAmount.objects.create(line=line, year=2021, kind="budget", amount=budget)
            for offset, amount in enumerate(plans):
                BudgetAmount.objects.create(
                    line=line,
                    year=2022 + offset,
                    kind="plan",
                    document_year=2022,
                    amount=amount,
                    revenues=-1_000_000,
                )
        change = PlanChange.objects.create(
            board=board,
            document_year=2022,
            kind="specifikation",
            line=bistand,
            text="Tillfällig förstärkning till ekonomiskt bistånd",
            note=STATE_AID_NOTE,
            order=1,
        )
        PlanChangeAmount.objects.create(change=change, year=2022, amount=7_500_000)
        transfer = PlanChange.objects.create(
            board=board,
            document_year=2022,
            kind="specifikation",
            line=bistand,
            text="Överföring AMI",
            order=2,
        )
        PlanChangeAmount.objects.create(change=transfer, year=2023, amount=-8_644_000)
        frame = PlanChange.objects.create(
            board=board,
            document_year=2022,
            kind="ram",
            text="Budgetram enligt beslut i KF den 28 september 2021",
        )
        adjustment = PlanChange.objects.create(
            board=board,
            document_year=2022,
            kind="ramjustering",
            text="Flytt bostadsvärdar från AN till SON",
        )
        for year in range(2022, 2028):
            PlanChangeAmount.objects.create(change=frame, year=year, amount=300_000_000)
            PlanChangeAmount.objects.create(change=adjustment, year=year, amount=-2_400_000)
        # Investeringar: Budget 2021, Budget förslag 2022, Plan förslag 2023 …
        amc = InvestmentProject.objects.get(board=board, code="amc")
        InvestmentProject.objects.filter(pk=amc.pk).update(valid_from=2021)
        InvestmentAmount.objects.create(project=amc, year=2021, kind="budget", amount=250_000)
        for year in range(2022, 2028):
            InvestmentAmount.objects.create(
                project=amc, year=year, kind="plan", document_year=2022, amount=249_600
            )

        # Volymer: targets are the budget and plan figures.
        households = ind["volume_households"]
        for year, number in zip(
            range(2021, 2028), (3800, 3300, 3200, 3100, 3000, 2900, 2800), strict=False
        ):
            notes = [VOLUME_NOTE] if year == 2022 else []
            target(households, year, number=number, notes=notes)
        # Personal: per unit 2021, the whole 2022, I.U. with a footnote 2023.
        units = {unit.code: unit for unit in OrganisationUnit.objects.all()}
        target(ind["staff"], 2021, number=105, bd=breakdown(unit=units["SOF"], order=21))
        target(ind["staff"], 2021, number=61, bd=breakdown(unit=units["UAF"], order=20))
        target(ind["staff"], 2022, number=228)
        target(ind["staff"], 2023, kind="iu", notes=[STAFF_NOTE])

        # Nämndindikatorer: a second target year with every kind.
        target(ind["survey"], 2023, number=88, decimals=0)
        target(ind["wait"], 2023, kind="iu")
        target(ind["differences"], 2023, kind="text", text="Inga signifikanta skillnader")
        target(ind["deviation"], 2023, kind="grans", operator="<", number=1, decimals=0)
        target(
            ind["households"],
            2023,
            kind="riktning",
            trend="oka",
            base_value=299,
            base_year=2018,
        )
        target(ind["subsidy"], 2023, number=130)
        target(ind["subsidy"], 2023, number=60, bd=breakdown("K", order=1))
        target(ind["households"], 2022, kind="riktning", trend="ej_oka")  # replaces none: 2022
        made["empty_goal"] = BoardGoal.objects.create(
            board=board,
            council_goal=CouncilGoal.objects.get(title="Stark gemenskap och människor i arbete"),
            title="Ett nämndmål utan indikatorer",
            valid_from=2019,
            order=5,
        )

        # Activities for the strategic assignments.
        common = StrategicAssignment.objects.get(text__startswith="Samtliga nämnder ska se över")
        made["common"] = common
        for order, (title, deadline) in enumerate(
            (("Se över inköpsrutinerna", "Succesivt avslut Q4"), ("Utbilda beställare", "Q2"))
        ):
            Activity.objects.create(
                board=board,
                year=2022,
                title=title,
                assignment=common,
                deadline=deadline,
                due_quarter=4 - 2 * order,
                order=order,
            )
        Activity.objects.create(
            board=board, year=2021, title="Förra årets aktivitet", assignment=common
        )
    return made


@pytest.fixture
def plan_an(board_an):
    mini = build_mini_an(board_an)
    Target.objects.filter(indicator=mini.indicators["households"], year=2022).delete()
    made = add_plan(board_an, mini)
    return mini, made


def texts(table) -> list[list[str]]:
    return [
        [cell.text.replace("\xa0", " ") for cell in row.cells if not cell.covered]
        for row in table.rows
    ]


def row_of(table, label: str) -> list[str]:
    for row in texts(table):
        if row and row[0].rstrip("*") == label:
            return row
    raise AssertionError(f"{label!r} not in {table.key}: {[r[0] for r in texts(table)]}")


def test_a_plan_is_an_internbudget_report_with_every_table_in_seed_order(plan_an):
    mini, _ = plan_an
    report = build_plan(mini.board, 2022, "internbudget", now=NOW)
    assert report.kind == ReportKind.INTERNBUDGET
    assert report.title == "Internbudget 2022 med plan för 2023–2027"
    keys = [table.key for table in report.tables]
    assert keys[:5] == [
        "ekonomi",
        "volymutveckling",
        "personal",
        "driftsammandrag",
        "investeringar",
    ]
    assert keys[5:] == [
        "mal-1",
        "mal-2",
        "mal-3",
        "mal-4",
        "uppdrag-kommungemensamma",
        "uppdrag-namndspecifika",
    ]
    assert {table.sheet for table in report.tables[5:9]} == {"mal"}


def test_economy_table_is_the_plan_in_tkr(plan_an):
    mini, _ = plan_an
    table = build_internbudget(mini.board, 2022, now=NOW).table("ekonomi")
    assert [c.label for c in table.columns] == [
        "Nettokostnad, belopp tkr",
        "Budget 2022",
        "Plan 2023",
        "Plan 2024",
        "Plan 2025",
        "Plan 2026",
        "Plan 2027",
    ]
    # The frame incl. adjustment (300 000 − 2 400) where there is one.
    assert row_of(table, "Verksamhetens nettokostnader")[1:4] == ["297 600"] * 3
    assert row_of(table, "varav intäkter")[1:4] == ["-2 000"] * 3
    assert row_of(table, "varav kostnader")[1:3] == ["299 600"] * 2
    assert row_of(table, "Investeringar, netto")[1:3] == ["250", "250"]
    cell = table.rows[0].cells[1]
    assert cell.is_number and cell.value == 297600 and cell.format == "int"


def test_driftsammandrag_with_specification_sums_frame_and_note(plan_an):
    mini, _ = plan_an
    table = build_internbudget(mini.board, 2022, now=NOW).table("driftsammandrag")
    assert [c.label for c in table.columns][1:4] == ["Bokslut 2020", "Budget 2021", "Budget 2022"]
    assert [c.label for c in table.columns][-1] == "Plan 2027"
    rows = texts(table)
    labels = [row[0] for row in rows]
    first = labels.index("Ekonomiskt bistånd")
    assert labels[first : first + 4] == [
        "Ekonomiskt bistånd",
        SPECIFICATION_HEADING,
        "Tillfällig förstärkning till ekonomiskt bistånd*",
        "Överföring AMI",
    ]
    assert rows[first][1:5] == ["278 720", "269 239", "285 254", "276 610"]
    spec = table.rows[first + 2]
    assert spec.kind == RowKind.BREAKDOWN and all(cell.italic for cell in spec.cells)
    assert rows[first + 3][1:6] == ["", "", "", "-8 644", ""]
    assert table.notes == [f"* {STATE_AID_NOTE}"]
    assert row_of(table, "Summa nettokostnader")[3] == "298 254"
    assert row_of(table, "Budgetram enligt beslut i KF den 28 september 2021")[3] == "300 000"
    assert row_of(table, "Flytt bostadsvärdar från AN till SON")[3] == "-2 400"
    total = table.rows[labels.index("Budgetram inkl justering")]
    assert total.kind == RowKind.SUM and total.cells[3].value == 297600


def test_investment_plan(plan_an):
    mini, _ = plan_an
    table = build_internbudget(mini.board, 2022, now=NOW).table("investeringar")
    assert [c.label for c in table.columns][:4] == [
        "Investeringar, belopp netto tkr",
        "Budget 2021",
        "Budget förslag 2022",
        "Plan förslag 2023",
    ]
    assert row_of(table, "Arbetsmarknadscentrum")[1:4] == ["250", "250", "250"]
    assert row_of(table, "Summa investeringar")[1:3] == ["250", "250"]


def test_volume_table_outcome_then_targets_as_budget_and_plan(plan_an):
    mini, _ = plan_an
    table = build_internbudget(mini.board, 2022, now=NOW).table("volymutveckling")
    assert [c.label for c in table.columns] == [
        "Basuppdrag",
        "Utfall 2020",
        "Budget 2021",
        "Budget 2022",
        *[f"Plan {year}" for year in range(2023, 2028)],
    ]
    households = row_of(table, "Antal hushåll med ekonomiskt bistånd, utfall per senaste månad")
    assert households[1:] == [
        "3 327",
        "3 800",
        "3 300",
        "3 200",
        "3 100",
        "3 000",
        "2 900",
        "2 800",
    ]
    participants = row_of(table, "Antal inskrivna deltagare i genomsnitt per månad")
    assert participants[1:3] == ["628", "-"]
    assert table.rows[0].cells[2].is_number


def test_staff_table_splits_outcomes_and_targets_by_unit(plan_an):
    mini, _ = plan_an
    table = build_internbudget(mini.board, 2022, now=NOW).table("personal")
    assert [c.label for c in table.columns][-1] == "Plan 2025"
    assert len(table.columns) == 1 + 1 + 2 + 3
    staff = row_of(table, "Antal tillsvidareanställda")
    assert staff[1:] == ["SOF: 110 UAF: 63", "SOF: 105 UAF: 61", "228", "I.U.", "-", "-"]
    assert [note.text for note in table.footnotes] == [STAFF_NOTE]


def test_goal_tables_two_target_years_of_every_kind(plan_an):
    mini, made = plan_an
    report = build_internbudget(mini.board, 2022, now=NOW)
    welfare = report.table("mal-1")
    assert welfare.headings == [
        "Målområde: Medborgare",
        "Kommunövergripande mål: "
        "Välfärdstjänster med hög kvalitet, tillgänglighet och individen i centrum",
    ]
    assert [c.label for c in welfare.columns] == [
        "Nämndmål",
        "Nämndindikator",
        "2020",
        "2021",
        "Önskvärd riktning/värde 2022",
        "Önskvärd riktning/värde 2023",
    ]
    survey = texts(welfare)[0]
    assert survey[0].startswith("Professionellt bemötande")
    assert survey[1:] == ["Andel positiva svar i brukarenkät, %", "I.U.", "90", "88 %", "88 %"]
    assert row_of_indicator(welfare, "Väntetid")[-2:] == ["7", "I.U."]
    assert row_of_indicator(welfare, "Skillnader")[-2:] == ["Inga signifikanta skillnader"] * 2

    work = report.table("mal-2")
    assert row_of_indicator(work, "Antal hushåll med ekonomiskt")[-2:] == [
        "Ska inte öka",
        "Ska öka (basvärde 2018 = 299)",
    ]
    subsidy = next(row for row in texts(work) if "subvention" in " ".join(row))
    assert subsidy[-4:] == ["61", "44", "120", "130"]
    women = texts(work)[texts(work).index(subsidy) + 1]
    assert women == ["Kvinnor", "12", "19", "", "60"]
    assert texts(work)[-1][0] == made["empty_goal"].title  # a nämndmål without indicators

    economy = report.table("mal-3")
    assert row_of_indicator(economy, "Avvikelse mot budget")[-2:] == ["≥0 %", "<1 %"]


def row_of_indicator(table, start: str) -> list[str]:
    for row in table.rows:
        cells = [cell for cell in row.cells if not cell.covered]
        names = [cell.text.replace("\xa0", " ") for cell in cells]
        for index, name in enumerate(names):
            if name.startswith(start):
                return names[index:]
    raise AssertionError(start)


def test_footnotes_numbered_in_order_of_appearance_across_tables(plan_an):
    mini, _ = plan_an
    report = build_internbudget(mini.board, 2022, now=NOW)
    marks = [
        mark
        for table in report.tables
        for row in table.rows
        for cell in row.cells
        for mark in cell.all_marks
    ]
    assert marks == sorted(marks) and len(marks) >= 6
    numbers = [note.number for table in report.tables for note in table.footnotes]
    assert numbers == list(range(1, len(numbers) + 1))
    assert report.table("volymutveckling").footnotes[0].number == 1
    assert report.table("volymutveckling").footnotes[0].text == VOLUME_NOTE
    assert report.table("personal").footnotes[0].number == 2


def test_assignments_with_the_plan_years_activities(plan_an):
    mini, _made = plan_an
    report = build_internbudget(mini.board, 2022, now=NOW)
    common = report.table("uppdrag-kommungemensamma")
    assert common.sheet == "uppdrag"
    rows = texts(common)
    assert rows[0][0].startswith("Samtliga nämnder ska se över")
    assert common.rows[0].cells[0].rowspan == 2
    assert rows[0][1:] == ["Utbilda beställare", "Q2"]
    assert rows[1] == ["Se över inköpsrutinerna", "Succesivt avslut Q4"]
    assert rows[2] == ["Ett uppdrag utan status.", NO_ACTIVITIES, ""]
    specific = texts(report.table("uppdrag-namndspecifika"))
    assert specific == [[specific[0][0], NO_ACTIVITIES, ""]]
    assert "uppdrag-namnduppdrag" not in [table.key for table in report.tables]


def test_the_workbook_keeps_numbers_numeric_and_texts_as_text(plan_an):
    mini, _ = plan_an
    report = build_internbudget(mini.board, 2022, now=NOW)
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    assert len(workbook.sheetnames) >= 6
    found_number = found_text = False
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == 3800:
                    found_number = True
                    assert cell.number_format != "General"
                if isinstance(cell.value, str):
                    assert cell.data_type != "f", cell.value
                    found_text = found_text or cell.value == "SOF: 110 UAF: 63"
    assert found_number and found_text


def count_build(board) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        report = build_internbudget(board, 2022, now=NOW)
        render_xlsx(report)
    return len(queries), report


def test_query_count_is_flat(plan_an):
    mini, _made = plan_an
    small, small_report = count_build(mini.board)
    add_goal_with_indicators(mini.board, 10)
    with Opened(mini.board):
        for number in range(10):
            indicator = Indicator.objects.filter(name=f"Extra indikator {number}").get()
            for year in (2023, 2024):
                target(indicator, year, number=number, notes=["Fotnot på planens målvärde."])
            assignment = StrategicAssignment.objects.create(
                municipality=mini.board.municipality,
                scope="namndspecifikt",
                board=mini.board,
                text=f"Extra uppdrag {number}",
                valid_from=2022,
            )
            Activity.objects.create(
                board=mini.board, year=2022, title=f"Aktivitet {number}", assignment=assignment
            )
            line = BudgetLine.objects.create(
                board=mini.board,
                scheme="drift",
                section="verksamhet",
                code=f"extra{number}",
                name=f"Extra rad {number}",
                order=50 + number,
                valid_from=2020,
            )
            for year in range(2022, 2028):
                BudgetAmount.objects.create(
                    line=line, year=year, kind="plan", document_year=2022, amount=1000 * number
                )
    large, large_report = count_build(mini.board)
    rows = lambda report: sum(len(table.rows) for table in report.tables)  # noqa: E731
    assert rows(large_report) > rows(small_report) + 10 * 4
    assert small == large


def test_the_verksamhetsberattelse_is_unchanged_by_the_plan_data(plan_an):
    """The report of the same board still prints one target year and its Mål uppnått."""
    from reports.report import build_report

    mini, _ = plan_an
    report = build_report(mini.board, 2022)
    table = report.table("namndindikatorer-1")
    assert [c.label for c in table.columns][-1] == "Målvärde"
    assert [c.label for c in table.columns][1] == "Mål uppnått"
    assert texts(report.table("personal"))[0][1:3] == ["-", "SOF: 110 UAF: 62"]
    assert Decimal(str(report.table("ekonomi").rows[0].cells[1].value)) > 0


def saved_at(obj, when: datetime.datetime):
    """Save with its history row dated `when` (as tests/test_asof.py does)."""
    obj._history_date = when
    obj.save()
    return obj


def local(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


@pytest.fixture
def decided(plan_an):
    """A nämndindikator whose 2020 figure was revised after the plan was decided (43 → 61) and
    whose 2021 figure was only known up to August then (monthly stock: 3 380 in August, 3 196
    at the year's end)."""
    from goals.selectors import end_of_day
    from indicators.models import IndicatorValue

    mini, _ = plan_an
    indicator = Indicator.objects.create(
        board=mini.board,
        board_goal=mini.goals["egen"],
        name="Hushåll som planen såg dem",
        frequency="manad",
        aggregation="stock",
        valid_from=2018,
        order=9,
    )
    # The indicator existed when the plan was decided (the plan lists its indicators as of then).
    Indicator.history.filter(id=indicator.pk).update(history_date=local(2017, 10, 18))
    total = breakdown()
    with Opened(mini.board):
        outcome = saved_at(
            IndicatorValue(indicator=indicator, year=2020, breakdown=total, value=43),
            local(2021, 1, 15),
        )
        outcome.value = Decimal(61)
        saved_at(outcome, local(2022, 2, 1))
        for month, number in ((7, 3_350), (8, 3_380)):
            saved_at(
                IndicatorValue(
                    indicator=indicator,
                    year=2021,
                    period_type="manad",
                    period_number=month,
                    breakdown=total,
                    value=number,
                ),
                local(2021, month + 1, 10),
            )
        for month, number in ((9, 3_300), (12, 3_196)):
            saved_at(
                IndicatorValue(
                    indicator=indicator,
                    year=2021,
                    period_type="manad",
                    period_number=month,
                    breakdown=total,
                    value=number,
                ),
                local(2022, 1, 10),
            )
        saved_at(
            IndicatorValue(indicator=indicator, year=2021, breakdown=total, value=3_196),
            local(2022, 1, 20),
        )
    return mini, end_of_day(datetime.date(2021, 10, 20))


TO_DATE = (
    "Utfall 2021 avser läget t.o.m. augusti 2021, som det var känt när planen beslutades "
    "20 oktober 2021."
)


def test_as_of_the_decision_day_shows_the_figures_known_then(decided):
    mini, cutoff = decided
    report = build_internbudget(mini.board, 2022, as_of=cutoff, now=NOW)
    assert report.as_of == cutoff
    table = report.table("mal-2")
    assert row_of_indicator(table, "Hushåll som planen såg dem")[1:3] == ["43", "3 380"]
    assert table.notes == [TO_DATE]  # one note for the table, however many such cells
    assert all(TO_DATE not in other.notes for other in report.tables if other is not table)

    today = build_internbudget(mini.board, 2022, now=NOW).table("mal-2")
    assert row_of_indicator(today, "Hushåll som planen såg dem")[1:3] == ["61", "3 196"]
    assert today.notes == []


def test_as_of_query_count_is_flat(decided):
    mini, cutoff = decided

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            render_xlsx(build_internbudget(mini.board, 2022, as_of=cutoff, now=NOW))
        return len(queries)

    small = count()
    add_goal_with_indicators(mini.board, 5)
    assert count() == small


def test_the_archive_json_reads_back_what_it_wrote(decided):
    from reports.report import report_from_json, report_to_json

    mini, cutoff = decided
    report = build_internbudget(mini.board, 2022, as_of=cutoff, now=NOW)
    again = report_from_json(report_to_json(report))
    assert again == report
    assert again.kind == ReportKind.INTERNBUDGET and again.as_of == cutoff
