"""The AN 2022 internbudget built from the demo holds every budget figure seed 000 prints.

Ekonomi, Förvaltningschefens förslag till driftsammandrag (each line, its specification of
changes, the sums, the units, KF's frame, the ramjusteringar) and Förvaltningschefens förslag
till investeringar, read back cell by cell from the workbook (as tests/test_report_seed.py
reads the verksamhetsberättelse's).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from reports.renderers.xlsx import render_xlsx
from reports.report.internbudget import build_internbudget
from tests.test_budget_seed import SEED_000_LINES
from tests.test_report_seed import assert_row, find

pytestmark = pytest.mark.django_db

# Seed 000 "Ekonomi": Budget 2022, Plan 2023–2027.
EKONOMI = {
    "Verksamhetens nettokostnader": [462_146, *[455_230] * 5],
    "varav intäkter": [-31_700] * 6,
    "varav kostnader": [493_846, *[486_930] * 5],
    "Investeringar, netto": [600] * 6,
}
# Seed 000's specification of changes, under the line they follow: Bokslut 2020 (never a
# change), Budget 2021, Budget 2022, Plan 2023–2027; blank where the seed prints nothing.
SPECIFICATIONS = {
    "Avdelningen vuxna": {
        "OH-kostnad stab IAF": [None, None, *[-15_105] * 6],
        "PM3 VSO": [None, None, *[-1_306] * 6],
        "FUT": [None, None, *[3_000] * 6],
    },
    "Ekonomiskt bistånd": {
        "Tillfällig förstärkning till ekonomiskt bistånd*": [None, 22_500, 7_500, *[None] * 5],
        "Förstärkning ekonomiskt bistånd": [None, None, 15_000, *[20_000] * 5],
        "Överföring FUT": [None, None, *[-3_000] * 6],
        "Överföring AMI": [None, None, None, -8_644, -17_288, -25_932, -34_576, -43_220],
    },
    "Arbetsmarknads- och integrationsinsatser": {
        "Bibehållna politiska satsningar": [None, None, 5_000, *[4_500] * 5],
        "Heltidsaktiveringen": [None, 10_000, 5_000, *[10_000] * 5],
        "Ungdomssatsning*": [None, 2_500, 2_500, *[None] * 5],
        "Näringslivssatsning*": [None, 2_000, 2_000, *[None] * 5],
        "Stabskostnader AMS": [None, None, *[-1_775] * 6],
        "Överföring EB": [None, None, None, 8_644, 17_288, 25_932, 34_576, 43_220],
    },
    "Integrations- och arbetsmarknadsförvaltningen": {
        "PM3": [None, None, *[4_404] * 6],
        "OH-kostnad stab AMF": [None, None, *[15_105] * 6],
    },
}
# Printed in IAF's specification but not part of its line (the demo keeps it as a line of its
# own, see fixtures/linkoping/budget.toml): Plan 2023–2027 only.
OTHER_LINES = {"Ofördelad pris- och lönejustering": [None, None, None, *[212] * 5]}
FRAME = {
    "Flytt bostadsvärdar från AN till SON": [None, None, *[-2_400] * 6],
    "Flytt objektsledare från SON till AN": [None, None, *[600] * 6],
    "Flytt lokalkostnad från SON till AN": [None, None, *[200] * 6],
}
INVESTERINGAR = {
    "Arbetsmarknadscentrum": [250] * 7,
    "Arbetsmarknadsservice": [350] * 7,
    "Summa investeringar": [600] * 7,
    "Investeringsram enl. beslut i KF den 28 september 2021": [600] * 7,
}
STATE_AID = "* Del av det extra statsbidrag som beslutades i KS 6 oktober 2020."


@pytest.fixture
def internbudget(demo_data):
    return build_internbudget(demo_data, 2022)


def sheet(report, key: str):
    return load_workbook(io.BytesIO(render_xlsx(report.select(key)))).worksheets[0]


def test_economy_table_holds_seed_000s_figures(internbudget):
    ws = sheet(internbudget, "ekonomi")
    for label, values in EKONOMI.items():
        assert_row(ws, find(ws, label, exact=True), values, f"Ekonomi / {label}")


def test_driftsammandrag_holds_every_line_of_seed_000(internbudget):
    ws = sheet(internbudget, "driftsammandrag")
    for label, values in SEED_000_LINES.items():
        assert_row(ws, find(ws, label, exact=True), list(values), f"Driftsammandrag / {label}")
    for line, changes in SPECIFICATIONS.items():
        parent = find(ws, line, exact=True)
        heading = find(ws, "Specifikation av förändringar", after=parent.row, exact=True)
        assert heading.row == parent.row + 1, line
        for label, values in changes.items():
            cell = find(ws, label, after=parent.row, exact=True)
            assert_row(ws, cell, values, f"Driftsammandrag / {line} / {label}")
    for label, values in {**OTHER_LINES, **FRAME}.items():
        assert_row(ws, find(ws, label, exact=True), values, f"Driftsammandrag / {label}")
    texts = [str(cell.value) for row in ws.iter_rows() for cell in row if cell.value]
    assert any(text.startswith(STATE_AID) for text in texts)


def test_investment_plan_holds_seed_000s_figures(internbudget):
    ws = sheet(internbudget, "investeringar")
    for label, values in INVESTERINGAR.items():
        assert_row(ws, find(ws, label, exact=True), values, f"Investeringar / {label}")
