"""Ekonomi, Driftsammandrag and Investeringar, from the budget tables in ReportData.

load_report_data reads budget.tables once per report; these builders only lay the rows out.
The tables give kronor with sums and avvikelse already computed; every printed figure is
rounded to tkr on its own with budget.formatting.to_tkr (half up), so an avvikelse is rounded
from the kronor difference, as in the seed: Ekonomiskt bistånd 308 752 − 303 504 prints 5 249.
"""

from __future__ import annotations

from budget import tables as budget_tables
from budget.formatting import MISSING_AMOUNT, to_tkr
from reports.report.data import ReportData
from reports.report.model import Cell, Column, FootnoteNumbering, ReportTable, Row, RowKind

RESTATED_NOTE = (
    "*Observera att kolumnen utgör bokslutet {previous} för de verksamheter som ingår under "
    "nämndens ansvarsområde från och med {year}."
)
OPERATIONS_HEADING = "Verksamhet"
COMPLETED_GROUP = "Utgifter/inkomster sedan projektets start"
YEAR_GROUP = "Varav årets investeringar"

ROW_KINDS = {
    budget_tables.RowKind.LINE: RowKind.DATA,
    budget_tables.RowKind.UNIT: RowKind.DATA,
    budget_tables.RowKind.ECONOMY: RowKind.DATA,
    budget_tables.RowKind.SUM: RowKind.SUM,
    budget_tables.RowKind.TOTAL: RowKind.SUM,
    budget_tables.RowKind.COSTS: RowKind.BREAKDOWN,
    budget_tables.RowKind.REVENUES: RowKind.BREAKDOWN,
}


def tkr_cell(kronor: int | None, missing: str = MISSING_AMOUNT) -> Cell:
    amount = to_tkr(kronor)
    if amount is None:
        return Cell(missing or None)
    return Cell.number(amount, 0)


def _outcome_columns(year: int, first_label: str, *, restated: bool = False) -> list[Column]:
    return [
        Column("name", first_label, width=48, wrap=True),
        Column("actual", f"Bokslut {year}", numeric=True, width=14),
        Column("budget", f"Budget {year}", numeric=True, width=14),
        Column("deviation", "Avvikelse", numeric=True, width=14),
        Column("previous", f"Bokslut {year - 1}{'*' if restated else ''}", numeric=True, width=14),
    ]


def _outcome_row(row: budget_tables.OutcomeRow) -> Row:
    return Row(
        ROW_KINDS.get(row.kind, RowKind.DATA),
        [
            Cell(row.label),
            tkr_cell(row.bokslut),
            tkr_cell(row.budget),
            tkr_cell(row.avvikelse),
            tkr_cell(row.previous_bokslut),
        ],
    )


def build_economy_table(data: ReportData) -> ReportTable:
    table = ReportTable(
        key="ekonomi",
        title="Ekonomi, belopp i tkr",
        columns=_outcome_columns(data.year, "Ekonomi"),
    )
    table.rows = [_outcome_row(row) for row in data.economy.rows]
    return table


def build_operating_table(data: ReportData) -> ReportTable:
    summary = data.operations
    table = ReportTable(
        key="driftsammandrag",
        title=f"Resultat {data.year}",
        columns=_outcome_columns(
            data.year, "Driftsammandrag, netto tkr", restated=summary.previous_restated
        ),
    )
    width = len(table.columns)
    if any(row.kind == budget_tables.RowKind.LINE for row in summary.rows):
        table.rows.append(Row(RowKind.SECTION, [Cell(OPERATIONS_HEADING, colspan=width)]))
    table.rows.extend(_outcome_row(row) for row in summary.rows)
    if summary.previous_restated:
        note = RESTATED_NOTE.format(previous=data.year - 1, year=data.year)
        table.notes.append(" ".join([note, *summary.restated_comments]))
    return table


def _investment_columns(year: int, first_label: str) -> list[Column]:
    return [
        Column("name", first_label, width=36, wrap=True),
        Column("decided", "Beslutad budget", numeric=True, width=13, group=COMPLETED_GROUP),
        Column(
            "accumulated",
            "Ack. utfall nettoinvesteringar",
            numeric=True,
            width=15,
            group=COMPLETED_GROUP,
        ),
        Column(
            "accumulated_deviation",
            "Budgetavvikelse",
            numeric=True,
            width=15,
            group=COMPLETED_GROUP,
        ),
        Column("budget", f"Budget {year}", numeric=True, width=13, group=YEAR_GROUP),
        Column(
            "outcome", f"Utfall {year} nettoinvesteringar", numeric=True, width=15, group=YEAR_GROUP
        ),
        Column("deviation", "Budgetavvikelse", numeric=True, width=15, group=YEAR_GROUP),
    ]


def _investment_row(row: budget_tables.InvestmentRow, kind: RowKind = RowKind.DATA) -> Row:
    # The seed leaves an unknown investment figure blank (no "-").
    return Row(
        kind,
        [
            Cell(row.label),
            *(
                tkr_cell(amount, missing="")
                for amount in (
                    row.decided_budget,
                    row.accumulated_outcome,
                    row.accumulated_deviation,
                    row.budget,
                    row.outcome,
                    row.deviation,
                )
            ),
        ],
    )


def build_investment_tables(data: ReportData) -> list[ReportTable]:
    investments = data.investments

    def table(
        key: str,
        name: str,
        projects: list[budget_tables.InvestmentRow],
        *sums: budget_tables.InvestmentRow,
    ) -> ReportTable:
        return ReportTable(
            key=key,
            title=f"{name}, belopp i tkr",
            columns=_investment_columns(data.year, name),
            rows=[_investment_row(row) for row in projects]
            + [_investment_row(row, RowKind.SUM) for row in sums],
            sheet="investeringar",
            sheet_title="Investeringar",
        )

    return [
        table(
            "investeringar-fardigstallda",
            "Färdigställda projekt",
            investments.completed,
            investments.completed_sum,
        ),
        table(
            "investeringar-pagaende",
            "Pågående projekt",
            investments.ongoing,
            investments.ongoing_sum,
            investments.total,
        ),
    ]


def build_economy_tables(data: ReportData, numbering: FootnoteNumbering) -> list[ReportTable]:
    return [
        build_economy_table(data),
        build_operating_table(data),
        *build_investment_tables(data),
    ]


# -- the delårsrapport: the year's forecast against budget -----------------------------------
FORECAST_TITLE = "Prognos {year} per verksamhet, netto tkr"
FORECAST_FIRST_COLUMN = "Prognos, netto tkr"


def build_forecast_table(data: ReportData, month: int) -> ReportTable:
    """Budget, the forecast at the end of `month`, Avvikelse (budget − prognos, positive a
    surplus, as the driftsammandrag's) and last year's bokslut, per verksamhet, laid out as
    the driftsammandrag: the lines, Summa nettokostnader with its varav rows (budget and
    bokslut split as there; a forecast has no split), Nämndens enheter and the total."""
    forecasts = data.forecasts
    if forecasts is None:  # load_report_data reads them for every delår
        raise ValueError("Prognosen läses bara för en delårsrapport.")
    summary = data.operations
    table = ReportTable(
        key="prognos",
        title=FORECAST_TITLE.format(year=data.year),
        sheet_title="Prognos",
        columns=[
            Column("name", FORECAST_FIRST_COLUMN, width=48, wrap=True),
            Column("budget", f"Budget {data.year}", numeric=True, width=14),
            Column("forecast", f"Prognos {forecasts.label(month)}", numeric=True, width=14),
            Column("deviation", "Avvikelse", numeric=True, width=14),
            Column(
                "previous",
                f"Bokslut {data.year - 1}{'*' if summary.previous_restated else ''}",
                numeric=True,
                width=14,
            ),
        ],
    )
    width = len(table.columns)
    if any(row.kind == budget_tables.RowKind.LINE for row in forecasts.rows):
        table.rows.append(Row(RowKind.SECTION, [Cell(OPERATIONS_HEADING, colspan=width)]))
    for row in forecasts.rows:
        table.rows.append(
            Row(
                ROW_KINDS.get(row.kind, RowKind.DATA),
                [
                    Cell(row.label),
                    tkr_cell(row.budget),
                    tkr_cell(row.forecasts.get(month)),
                    tkr_cell(row.forecast_deviation(month)),
                    tkr_cell(row.previous_bokslut),
                ],
            )
        )
        if row.kind == budget_tables.RowKind.SUM:
            for kind in (budget_tables.RowKind.COSTS, budget_tables.RowKind.REVENUES):
                split = summary.row(kind)
                if split is not None:
                    table.rows.append(
                        Row(
                            RowKind.BREAKDOWN,
                            [
                                Cell(split.label),
                                tkr_cell(split.budget),
                                tkr_cell(None),
                                tkr_cell(None),
                                tkr_cell(split.previous_bokslut),
                            ],
                        )
                    )
    if summary.previous_restated:
        table.notes.append(RESTATED_NOTE.format(previous=data.year - 1, year=data.year))
    return table
