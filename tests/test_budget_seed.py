"""The budget tables reproduce the economy tables of seeds 001 and 000 figure by figure."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from budget import tables
from budget.formatting import format_tkr, to_tkr
from budget.models import BudgetAmount, BudgetLine, PlanChange
from budget.tables import RowKind
from demo.loaders import budget as budget_loader


@pytest.fixture
def budget_data(board_an):
    budget_loader.load()
    return board_an


def tkr(row) -> tuple:
    return (
        row.label,
        to_tkr(row.bokslut),
        to_tkr(row.budget),
        to_tkr(row.avvikelse),
        to_tkr(row.previous_bokslut),
    )


# Seed 001, "Driftsammandrag, netto tkr": Bokslut 2022, Budget 2022, Avvikelse, Bokslut 2021*.
SEED_001_DRIFTSAMMANDRAG = [
    ("Nämnd- och styrelseverksamhet", 1349, 1757, 408, 1320),
    ("Ekonomiskt bistånd", 303504, 308752, 5249, 319223),
    ("Flyktingmottagande", 44451, 39537, -4914, 43448),
    ("Arbetsmarknadsåtgärder", 99090, 104115, 5025, 88607),
    ("Integrations- och arbetsmarknadsförvaltningen", 11285, 11285, 0, 5320),
    ("Summa nettokostnader, tkr", 459679, 465446, 5767, 457918),
    ("varav kostnader", 490702, 497146, 6444, 499895),
    ("varav intäkter", -31023, -31700, -677, -41977),
    ("Nämndens enheter", -6422, 0, 6422, 558),
    ("Summa nettokostnader, tkr, inkl. kommunala enheter", 453257, 465446, 12189, 458476),
]


def test_driftsammandrag_2022_line_by_line(budget_data):
    summary = tables.operating_summary(budget_data, 2022)
    assert [tkr(row) for row in summary.rows] == SEED_001_DRIFTSAMMANDRAG
    assert [row.kind for row in summary.rows] == [
        *[RowKind.LINE] * 5,
        RowKind.SUM,
        RowKind.COSTS,
        RowKind.REVENUES,
        RowKind.UNIT,
        RowKind.TOTAL,
    ]
    assert summary.previous_restated  # Bokslut 2021 is restated to the 2022 organisation


def test_deviation_is_rounded_from_kronor_not_from_rounded_figures(budget_data):
    row = tables.operating_summary(budget_data, 2022).rows[1]
    assert row.label == "Ekonomiskt bistånd"
    assert to_tkr(row.budget) - to_tkr(row.bokslut) == 5248
    assert to_tkr(row.avvikelse) == 5249
    assert row.avvikelse == row.budget - row.bokslut  # computed in kronor, not stored


def test_economy_table_2022(budget_data):
    economy = tables.economy_summary(budget_data, 2022)
    assert [tkr(row) for row in economy.rows] == [
        ("Verksamhetens nettokostnader", 453257, 465446, 12189, 458476),
        ("Investeringar, netto", 318, 1900, 1582, None),
    ]
    assert format_tkr(economy.investments.previous_bokslut) == "-"
    assert format_tkr(economy.net_cost.bokslut) == "453\xa0257"


def test_investments_2022(budget_data):
    table = tables.investments(budget_data, 2022)

    def figures(row):
        return (
            row.label,
            *(
                to_tkr(value)
                for value in (
                    row.decided_budget,
                    row.accumulated_outcome,
                    row.accumulated_deviation,
                    row.budget,
                    row.outcome,
                    row.deviation,
                )
            ),
        )

    assert [figures(row) for row in table.completed] == [
        ("Arbetsmarknadscentrum", 250, 0, 250, 250, 0, 250),
        ("Arbetsmarknadsservice", 1650, 318, 1332, 1650, 318, 1332),
    ]
    assert figures(table.completed_sum) == (
        "Summa färdigställda projekt",
        1900,
        318,
        1582,
        1900,
        318,
        1582,
    )
    assert table.ongoing == []
    assert figures(table.total)[1:] == (1900, 318, 1582, 1900, 318, 1582)


def test_forecasts_2022(budget_data):
    table = tables.forecasts(budget_data, 2022)
    assert table.months == [4, 8, 10]
    assert [table.label(month) for month in table.months] == [
        "30 april",
        "31 augusti",
        "31 oktober",
    ]
    total = table.row(RowKind.TOTAL)
    assert total.forecasts[4] is None  # no forecast entered for 30 april
    assert to_tkr(total.forecast_deviation(8)) == 0  # balanced at 31 augusti
    assert total.forecast_deviation(10) == 6_200_000  # "ett överskott på 6,2 mnkr"
    eb, refugees = table.rows[1], table.rows[2]
    # "avvikelsen för ekonomiskt bistånd … istället för då prognostiserade -1,9 mnkr"
    assert eb.forecast_deviation(10) + refugees.forecast_deviation(10) == -1_900_000
    assert to_tkr(total.bokslut) == 453257


# Seed 000, "Förvaltningschefens förslag till driftsammandrag": Bokslut 2020, Budget 2021,
# Budget 2022, Plan 2023–2027 (tkr).
SEED_000_LINES = {
    "Nämnden": (1055, 1724, 1757, 1765, 1765, 1765, 1765, 1765),
    "Avdelningen vuxna": (64166, 65207, 52484, 52387, 52387, 52387, 52387, 52387),
    "Ekonomiskt bistånd": (278720, 269239, 285254, 276610, 267966, 259322, 250678, 242034),
    "Arbetsmarknads- och integrationsinsatser": (
        79547,
        107990,
        93511,
        95085,
        103729,
        112373,
        121017,
        129661,
    ),
    "Integrations- och arbetsmarknadsförvaltningen": (
        6936,
        7705,
        29141,
        29171,
        29171,
        29171,
        29171,
        29171,
    ),
    "Summa nettokostnader": (430424, 451865, 462147, 455230, 455230, 455230, 455230, 455230),
    "varav intäkter": (-40370, -36780, -31700, -31700, -31700, -31700, -31700, -31700),
    "varav kostnader": (470794, 488645, 493847, 486930, 486930, 486930, 486930, 486930),
    "Arbetsmarknadscentrum": (-1675, None, None, None, None, None, None, None),
    "Summa nettokostnader inkl kommunala enheter": (
        428749,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
    "Budgetram enligt beslut i KF den 28 september 2021": (
        None,
        None,
        460146,
        453230,
        453230,
        453230,
        453230,
        453230,
    ),
    "Flytt integrationsassistenter från SON till AN": (None, None, *[3600] * 6),
    "Budgetram inkl justering": (None, None, 462146, *[455230] * 5),
}


def test_internbudget_2022_with_plan_line_by_line(budget_data):
    table = tables.plan(budget_data, 2022)
    assert [column.label for column in table.columns] == [
        "Bokslut 2020",
        "Budget 2021",
        "Budget 2022",
        "Plan 2023",
        "Plan 2024",
        "Plan 2025",
        "Plan 2026",
        "Plan 2027",
    ]
    for label, expected in SEED_000_LINES.items():
        row = table.row(label)
        assert row is not None, label
        assert tuple(to_tkr(value) for value in row.values) == expected, label


def test_internbudget_specification_of_changes(budget_data):
    table = tables.plan(budget_data, 2022)
    labels = [row.label for row in table.rows]
    eb = labels.index("Ekonomiskt bistånd")
    assert labels[eb + 1 : eb + 5] == [
        "Tillfällig förstärkning till ekonomiskt bistånd",
        "Förstärkning ekonomiskt bistånd",
        "Överföring FUT",
        "Överföring AMI",
    ]
    transfer = table.rows[eb + 4]
    assert transfer.kind == RowKind.SPECIFICATION
    assert tuple(to_tkr(v) for v in transfer.values) == (
        None,
        None,
        None,
        -8644,
        -17288,
        -25932,
        -34576,
        -43220,
    )
    assert "statsbidrag" in table.rows[eb + 1].note


def test_internbudget_economy_and_investments(budget_data):
    table = tables.plan(budget_data, 2022)
    assert [column.label for column in table.economy_columns][:2] == ["Budget 2022", "Plan 2023"]
    economy = {row.label: tuple(to_tkr(v) for v in row.values) for row in table.economy}
    # Seed 000 "Ekonomi": the frame 462 146 (the lines sum to 462 147), varav intäkter/kostnader.
    assert economy["Verksamhetens nettokostnader"] == (462146, *[455230] * 5)
    assert economy["varav intäkter"] == (-31700,) * 6
    assert economy["varav kostnader"] == (493846, *[486930] * 5)
    assert economy["Investeringar, netto"] == (600,) * 6
    investments = {row.label: tuple(to_tkr(v) for v in row.values) for row in table.investment_rows}
    assert table.investment_columns[0].label == "Budget 2021"
    assert investments["Arbetsmarknadscentrum"] == (250,) * 7
    assert investments["Arbetsmarknadsservice"] == (350,) * 7
    assert investments["Summa investeringar"] == (600,) * 7
    assert investments["Investeringsram enl. beslut i KF den 28 september 2021"] == (600,) * 7


def test_a_year_before_the_report_structure_uses_its_own_lines(budget_data):
    """2021's own figures are AN's 2021 result (459 221 tkr), not the restated 458 476."""
    summary = tables.operating_summary(budget_data, 2021)
    assert summary.scheme == "internbudget"
    assert to_tkr(summary.total.bokslut) == 459221
    assert to_tkr(summary.total.budget) == 451865
    assert summary.row(RowKind.REVENUES).bokslut is None  # the split of 2021 is not known
    totals = tables.yearly_totals([budget_data.pk], [2021, 2022])
    assert to_tkr(totals[(budget_data.pk, 2021)].bokslut) == 459221
    assert to_tkr(totals[(budget_data.pk, 2022)].bokslut) == 453257


def test_loader_is_idempotent(budget_data):
    counts = (
        BudgetLine.objects.count(),
        BudgetAmount.objects.count(),
        PlanChange.objects.count(),
        BudgetAmount.history.count(),
    )
    budget_loader.load()
    assert counts == (
        BudgetLine.objects.count(),
        BudgetAmount.objects.count(),
        PlanChange.objects.count(),
        BudgetAmount.history.count(),
    )


@pytest.mark.parametrize(
    ("table", "queries"),
    [
        (tables.operating_summary, 2),
        (tables.forecasts, 2),
        (tables.investments, 2),
        (tables.economy_summary, 4),
        (tables.plan, 6),
    ],
)
def test_table_query_counts(budget_data, django_assert_num_queries, table, queries):
    with django_assert_num_queries(queries):
        table(budget_data, 2022)


def test_load_demo_includes_the_budget(demo_data):
    """`make run` data (load_demo) has the budget, even with helår 2022 approved."""
    summary = tables.operating_summary(demo_data, 2022)
    assert to_tkr(summary.total.bokslut) == 453257
    before = BudgetAmount.history.count()
    call_command("load_demo", "--no-users", verbosity=0)
    assert BudgetAmount.history.count() == before
