"""The exported AN 2022 workbook holds the tables of seed 001 with the seed's figures.

The expected figures below are copied from Arbetsmarknadsnämndens verksamhetsberättelse 2022
(seed 001); the workbook is built from the demo data (`load_demo`) exactly as the download is,
then reopened with openpyxl and read cell by cell.
"""

from __future__ import annotations

import io
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reports.renderers.xlsx import render_xlsx
from reports.report import build_report, report_from_json, report_to_json

pytestmark = pytest.mark.django_db

IU = "I.U."
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

EKONOMI = {
    "Verksamhetens nettokostnader": [453_257, 465_446, 12_189, 458_476],
    "Investeringar, netto": [318, 1_900, 1_582, "-"],
}
DRIFTSAMMANDRAG = {
    "Nämnd- och styrelseverksamhet": [1_349, 1_757, 408, 1_320],
    "Ekonomiskt bistånd": [303_504, 308_752, 5_249, 319_223],
    "Flyktingmottagande": [44_451, 39_537, -4_914, 43_448],
    "Arbetsmarknadsåtgärder": [99_090, 104_115, 5_025, 88_607],
    "Integrations- och arbetsmarknadsförvaltningen": [11_285, 11_285, 0, 5_320],
    "Summa nettokostnader, tkr": [459_679, 465_446, 5_767, 457_918],
    "varav kostnader": [490_702, 497_146, 6_444, 499_895],
    "varav intäkter": [-31_023, -31_700, -677, -41_977],
    "Nämndens enheter": [-6_422, 0, 6_422, 558],
    "Summa nettokostnader, tkr, inkl. kommunala enheter": [453_257, 465_446, 12_189, 458_476],
}
RESTATED_NOTE = (
    "*Observera att kolumnen utgör bokslutet 2021 för de verksamheter som ingår under nämndens "
    "ansvarsområde från och med 2022. Resultatet för Arbetsmarknadsnämnden 2021 var 459 221 tkr. "
    "Då ingick inte Arbetsmarknadsservice i nämndens ansvarsområde, utan tillhörde Leanlink."
)
FARDIGSTALLDA = {
    "Arbetsmarknadscentrum": [250, 0, 250, 250, 0, 250],
    "Arbetsmarknadsservice": [1_650, 318, 1_332, 1_650, 318, 1_332],
    "Summa färdigställda projekt": [1_900, 318, 1_582, 1_900, 318, 1_582],
}
VOLYM = {
    "Antal hushåll med ekonomiskt bistånd, utfall per senaste månad": [
        3_130,
        3_128,
        3_327,
        3_196,
        2_917,
    ],
    "Antal inskrivna deltagare i genomsnitt per månad": [470, 654, 628, 540, 448],
}
PERSONAL = {
    "Antal tillsvidareanställda": [
        "-",
        "SOF: 110 UAF: 62",
        "SOF: 110 UAF: 63",
        "SOF: 104 UAF: 62",
        241,
    ],
    "Total sjukfrånvaro": [
        "-",
        "SOF: 8,1% UAF: 2,1%",
        "SOF: 6,9% UAF: 2,5%",
        "SOF: 4,8% UAF: 2,7%",
        "7,6% (total, inkl BEA-anst) 5,2% (enbart HÖK-anst)",
    ],
    "Personalavgångar externt": [
        "-",
        "SOF: 10,8% UAF: 6,5%",
        "SOF: 6,4% UAF: 1,6%",
        "SOF: 13,4% UAF: 1,6%",
        7.9,
    ],
}
# Nämndindikator → [2020, 2021, 2022, målvärde] and its italic rows in order beneath it.
# Numbers are numeric cells; texts are the cell's text (footnote marks ignored).
INDIKATORER = [
    ("Andel positiva svar i brukarenkät", [IU, 90, 88.9, 88], []),
    (
        "Väntetid i antal dagar från första ansökan till beslut",
        [13, 15, IU, 7],
        [],
    ),
    ("Skillnader i hur de olika könen", [IU, IU, IU, "Inga signifikanta skillnader"], []),
    (
        "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till arbete med subvention",
        [61, 44, 62, 120],
        [("Kvinnor", [12, 19, 25]), ("Män", [49, 25, 37])],
    ),
    (
        "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till arbete utan subvention",
        [59, 76, 69, 100],
        [("Kvinnor", [23, 39, 25]), ("Män", [36, 37, 44])],
    ),
    (
        "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till studiemedelsberättigade",
        [64, 69, 46, 100],
        [("Kvinnor", [37, 52, 31]), ("Män", [27, 17, 15])],
    ),
    ("Antal hushåll med ekonomiskt bistånd, utfall i slutet", [3_327, 3_196, 2_917, 3_300], []),
    ("Antal hushåll med långvarigt behov", [1_510, 1_701, 1_652, 1_700], []),
    ("Mediantid för hushåll med biståndsbehov", [IU, 16, IU, 10], []),
    ("Antal långvariga biståndshushåll med barn", [IU, 891, 599, 800], []),
    ("Antal barn i långvariga biståndshushåll", [IU, 1_539, 1_342, 1_350], []),
    ("Andel av befolkningen som under året", [IU, 5.1, IU, 4.7], []),
    ("Andel ej återaktualiserade vuxna", [73, 67, 74, 73], []),
    ("E-handelstrohet", [37.6, 69.0, 76.8, 100], []),
    (
        "Antalet deltagare som slussas ut",
        [None, None, None, 5.0],
        [("AMC", [2.5, 3.2, IU]), ("OSA", [1.2, 0.8, IU])],
    ),
    ("Avvikelse mot budget", [0.0, -1.6, 2.6, "≥0"], []),
    (
        "Träffsäkerhet i ekonomiprognos",
        [None, None, None, None],
        [("Augusti", [-9.0, -2.6, 2.6]), ("Oktober", [0.0, -0.7, 1.3])],
    ),
    ("Socialsekreterarnas tid för kvalitativt", [16, 8.62, 13.5, 35], []),
    ("Andel inkomna e-ansökningar", [IU, 34.17, 43.5, 70], []),
    (
        "Total sjukfrånvaro",
        [
            "UAF: 2,5",
            "UAF: 2,7",
            "7,6% (total, inkl BEA-anst) 5,2% (enbart HÖK-anst)",
            6.0,
        ],
        [
            ("Män", ["UAF: 1,8", "UAF: 0,8", "8,7% (total, inkl BEA-anst) 4% (enbart HÖK-anst)"]),
            (
                "Kvinnor",
                ["UAF: 2,9", "UAF: 4,0", "7,0% (total, inkl BEA-anst) 5,7% (enbart HÖK-anst)"],
            ),
        ],
    ),
    (
        "Andel heltidsanställningar",
        ["UAF: 98,4", "UAF: 98,4", 97.4, 100],
        [("Män", ["UAF: 100", "UAF: 100", 97.5]), ("Kvinnor", ["UAF: 97,5", "UAF: 97,4", 97.4])],
    ),
    ("Jämställdhetsindex (Jämix)", [IU, IU, 127, IU], []),
    ("Attraktiv arbetsgivarindex (AVI)", [IU, IU, 114, IU], []),
    ("Chefsindex", [IU, IU, IU, IU], [("Män", [IU, IU, None]), ("Kvinnor", [IU, IU, None])]),
    (
        "Avgångsålder pension",
        ["UAF: I.U. SOF: I.U.", "UAF: 65 SOF: 65", 64.7, 66],
        [("Män", ["UAF: I.U.", "UAF: 65", 64.5]), ("Kvinnor", ["UAF: I.U.", "UAF: 65", 65])],
    ),
    ("Antal arbetsmarknadsplatser", ["UAF: 121 SOF: 7", "UAF: 123 SOF: 8", 4, 8], []),
]
# The 11 indicator names seed 001 prints with their source, copied from the seed; the footnote
# marks stand between name and source as there ("antal månader ¹⁹ (Källa: Treserva)"). Two seed
# slips are not copied: "Antal deltagare i inskrivna" and "(Källa Treserva) ³³" without colon.
NAMES_WITH_SOURCE = [
    "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till arbete med subvention (Källa: Accorda, Lifecare, manuell statistik AMS)",
    "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till arbete utan subvention (Källa: Accorda, Lifecare, manuell statistik AMS)",
    "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till studiemedelsberättigade studier. (Källa: Accorda, Lifecare, manuell statistik AMS)",
    "Antal hushåll med ekonomiskt bistånd, utfall i slutet av verksamhetsåret (Källa: Treserva)",
    "Antal hushåll med långvarigt behov av ekonomiskt bistånd (>2 år), utfall i slutet av verksamhetsåret (Källa: Treserva)",
    "Mediantid för hushåll med biståndsbehov, antal månader ¹⁹ (Källa: Treserva)",
    "Antal långvariga biståndshushåll med barn ²¹ (Källa: Treserva)",
    "Antal barn i långvariga biståndshushåll (Källa: Treserva)",
    "Andel av befolkningen som under året haft behov av ekonomiskt bistånd, % ²² (Källa: Treserva samt Linköpings statistikdatabas)",
    "Andel ej återaktualiserade vuxna personer med försörjningsstöd ett år efter avslutat försörjningsstöd, % (Källa: Treserva)",
    "Andel inkomna e-ansökningar, % ³³ (Källa: Treserva)",
]
MARK = re.compile(r" [⁰¹²³⁴⁵⁶⁷⁸⁹]+")

GOALS = [
    ("Professionellt bemötande och hög tillgänglighet", "Delvis uppnått", "Delvis"),
    ("Hög egenförsörjningsgrad", "Delvis uppnått", "Delvis"),
    ("Hög avtalstrohet", "Delvis uppnått", "Delvis"),
    ("Kostnadseffektiva arbetsmarknadsåtgärder", "Delvis uppnått", "Delvis"),
    ("God ekonomisk styrning", "Uppnått", "Ja"),
    ("Digitaliseringens möjligheter tas tillvara", "Delvis uppnått", "Delvis"),
    ("Goda arbetsplatser", "Delvis uppnått", "Delvis"),
    ("Hållbart chef- och ledarskap", "Delvis uppnått", "Delvis"),
    ("Nya vägar för kompetensförsörjning", "Delvis uppnått", "Delvis"),
]


def text_of(cell) -> str:
    return "" if cell.value is None else str(cell.value)


def find(ws, prefix: str, column: int = 1, after: int = 0, *, exact: bool = False):
    for row in ws.iter_rows(min_row=after + 1, min_col=column, max_col=column):
        cell = row[0]
        text = text_of(cell)
        if text == prefix or (not exact and text.startswith(prefix)):
            return cell
    raise AssertionError(f"{prefix!r} finns inte i kolumn {column} på {ws.title}")


def strip_marks(text: str) -> str:
    return text.rstrip(" ⁰¹²³⁴⁵⁶⁷⁸⁹")


def assert_cell(cell, expected, where: str) -> None:
    if expected is None:
        assert cell.value is None, f"{where}: väntade tom cell, fick {cell.value!r}"
    elif isinstance(expected, str):
        text = strip_marks(text_of(cell))
        assert text.startswith(expected), f"{where}: väntade {expected!r}, fick {text!r}"
        assert cell.data_type == "s", f"{where}: text ska vara text"
    else:
        assert cell.data_type == "n", f"{where}: {cell.value!r} ska vara ett tal"
        assert cell.value == pytest.approx(expected), f"{where}: {cell.value!r} ≠ {expected!r}"
        assert cell.number_format.startswith("#,##0"), f"{where}: {cell.number_format}"


def assert_row(ws, label_cell, expected: list, where: str) -> None:
    for offset, value in enumerate(expected, start=1):
        cell = ws.cell(row=label_cell.row, column=label_cell.column + offset)
        assert_cell(cell, value, f"{where} / kolumn {offset}")


@pytest.fixture
def workbook(demo_data):
    report = build_report(demo_data, 2022)
    return load_workbook(io.BytesIO(render_xlsx(report)), rich_text=True)


def test_the_workbook_has_every_table_of_the_seed(workbook):
    assert workbook.sheetnames == [
        "Ekonomi, belopp i tkr",
        "Resultat 2022",
        "Investeringar",
        "Målredovisning",
        "Strategiska uppdrag",
        "Volymutveckling",
        "Personal",
        "Nämndindikatorer",
    ]
    formulas = [
        f"{ws.title}!{cell.coordinate}"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_economy_tables_match_the_seed(workbook):
    ws = workbook["Ekonomi, belopp i tkr"]
    header = find(ws, "Ekonomi", exact=True)
    assert [text_of(ws.cell(header.row, c)) for c in range(2, 6)] == [
        "Bokslut 2022",
        "Budget 2022",
        "Avvikelse",
        "Bokslut 2021",
    ]
    for label, expected in EKONOMI.items():
        assert_row(ws, find(ws, label), expected, label)

    ws = workbook["Resultat 2022"]
    assert text_of(find(ws, "Driftsammandrag, netto tkr").offset(0, 4)) == "Bokslut 2021*"
    previous = 0
    for label, expected in DRIFTSAMMANDRAG.items():
        cell = find(ws, label, after=previous)
        assert text_of(cell) == label
        assert cell.row > previous, f"{label} står i fel ordning"
        previous = cell.row
        assert_row(ws, cell, expected, label)
    assert find(ws, "Summa nettokostnader, tkr, inkl").font.b
    # The whole footnote of seed 001: the restated amounts' comment completes the sentence.
    assert text_of(find(ws, "*Observera att kolumnen utgör bokslutet 2021")) == RESTATED_NOTE

    ws = workbook["Investeringar"]
    start = find(ws, "Färdigställda projekt", after=3)
    for label, expected in FARDIGSTALLDA.items():
        assert_row(ws, find(ws, label, after=start.row), expected, label)
    total = find(ws, "Summa investeringar")
    assert_row(ws, total, [1_900, 318, 1_582, 1_900, 318, 1_582], "Summa investeringar")


def test_goal_report_and_assignments_match_the_seed(workbook):
    ws = workbook["Målredovisning"]
    sections = [
        text_of(row[0]) for row in ws.iter_rows() if text_of(row[0]).startswith("Målområde ")
    ]
    assert sections == [
        "Målområde Medborgare",
        "Målområde Ekonomi",
        "Målområde Verksamhet",
        "Målområde Medarbetare",
    ]
    for title, level, _short in GOALS:
        cell = find(ws, title)
        assert text_of(cell.offset(0, 1)) == level
        assert text_of(cell.offset(0, 2)).startswith("Nämndmålet bedöms")
    styrning = find(ws, "God ekonomisk styrning")
    assert "QlikSense" in text_of(styrning.offset(0, 4))
    assert "prognosarbetet" in text_of(styrning.offset(0, 5))

    ws = workbook["Strategiska uppdrag"]
    common = find(ws, "Kommungemensamma strategiska utvecklingsuppdrag", after=3)
    specific = find(ws, "Nämndspecifika strategiska utvecklingsuppdrag", after=common.row + 1)
    statuses = [
        (text_of(row[0])[:39], text_of(row[1]), text_of(row[2]))
        for row in ws.iter_rows(min_row=common.row + 1, max_row=specific.row - 1)
        if text_of(row[0]).startswith("Samtliga nämnder")
    ]
    assert len(statuses) == 9
    assert [status for _, status, _ in statuses].count("Genomfört") == 8
    ongoing = [s for s in statuses if s[1] == "Pågår"]
    assert len(ongoing) == 1
    assert ongoing[0][0].startswith("Samtliga nämnder ska se över sin egen")
    assert ongoing[0][2] == "Fortsätter under kvartal 1-2 2023"
    assert "Kvarstår från Budget 2021" in text_of(find(ws, "Samtliga nämnder ska se över"))
    board_rows = [
        text_of(row[1])
        for row in ws.iter_rows(min_row=specific.row + 1)
        if text_of(row[0]).startswith("Arbetsmarknadsnämnden ska")
    ]
    assert board_rows == ["Genomfört"] * 4


def test_volume_and_staff_tables_match_the_seed(workbook):
    ws = workbook["Volymutveckling"]
    header = find(ws, "Basuppdrag (volymmått)")
    assert [text_of(header.offset(0, k)) for k in range(1, 6)] == [
        "2018",
        "2019",
        "2020",
        "2021",
        "2022",
    ]
    for label, expected in VOLYM.items():
        assert_row(ws, find(ws, label), expected, label)
    participants = find(ws, "Antal inskrivna deltagare")
    mark = participants.offset(0, 1).number_format.split('"')[1].strip()
    note = find(ws, mark + " Team utreda")
    assert note.row > participants.row

    ws = workbook["Personal"]
    for label, expected in PERSONAL.items():
        assert_row(ws, find(ws, label), expected, label)


def test_indicator_tables_match_the_seed(workbook):
    ws = workbook["Nämndindikatorer"]
    header = find(ws, "Nämndindikator", column=3)
    assert [text_of(header.offset(0, k)) for k in range(-2, 5)] == [
        "Nämndmål",
        "Mål uppnått",
        "Nämndindikator",
        "2020",
        "2021",
        "2022",
        "Målvärde",
    ]
    previous = 0
    for name, expected, breakdowns in INDIKATORER:
        cell = find(ws, name, column=3, after=previous)
        previous = cell.row
        assert_row(ws, cell, expected, name)
        for offset, (label, values) in enumerate(breakdowns, start=1):
            row = ws.cell(row=cell.row + offset, column=3)
            assert strip_marks(text_of(row)) == label, f"{name}: rad {offset} är {text_of(row)!r}"
            assert_row(ws, row, values, f"{name} / {label}")
            assert row.font.i or any(getattr(b, "font", None) and b.font.i for b in row.value)
            assert ws.cell(row=row.row, column=4).font.i

    for title, _level, short in GOALS:
        goal = find(ws, title)
        assert text_of(goal.offset(0, 1)) == short
        indicator_rows = 0
        for row in ws.iter_rows(min_row=goal.row, min_col=1, max_col=3):
            if row[0].row > goal.row and (row[0].value is not None or row[2].value is None):
                break
            indicator_rows += 1
        merged = [r for r in ws.merged_cells.ranges if r.min_row == goal.row and r.min_col == 1]
        if indicator_rows > 1:
            assert [(r.max_row, r.max_col) for r in merged] == [(goal.row + indicator_rows - 1, 1)]
        else:
            assert merged == []

    headings = [
        text_of(row[0]) for row in ws.iter_rows() if text_of(row[0]).startswith("Målområde:")
    ]
    assert headings == [
        "Målområde: Medborgare",
        "Målområde: Medborgare",
        "Målområde: Ekonomi",
        "Målområde: Ekonomi",
        "Målområde: Verksamhet",
        "Målområde: Medarbetare",
        "Målområde: Medarbetare",
    ]


def test_indicator_names_carry_their_source_as_in_the_seed(workbook):
    ws = workbook["Nämndindikatorer"]
    names = [MARK.sub("", text_of(row[0])) for row in ws.iter_rows(min_col=3, max_col=3)]
    with_source = [name for name in names if "(Källa" in name]
    assert with_source == [MARK.sub("", name) for name in NAMES_WITH_SOURCE]
    # A mark stands between the name and its source, as in the seed.
    median = find(ws, "Mediantid för hushåll", column=3)
    assert re.fullmatch(r".*antal månader [⁰¹²³⁴⁵⁶⁷⁸⁹]+ \(Källa: Treserva\)", text_of(median))


def test_indicator_footnotes_are_numbered_and_listed_as_in_the_seed(workbook):
    ws = workbook["Nämndindikatorer"]
    subsidy = find(
        ws,
        "Antal deltagare inskrivna i arbetsmarknadsnämndens verksamheter som avslutas till arbete med",
        column=3,
    )
    value_2022 = subsidy.offset(0, 3)
    assert value_2022.value == 62
    mark = value_2022.number_format.split('"')[1].strip()
    assert mark and set(mark) <= set("⁰¹²³⁴⁵⁶⁷⁸⁹")
    note = find(ws, mark + " Det finns ytterligare två avslut", after=subsidy.row)
    # The goal's footnote comes right before the 2022 value's note, as ¹⁵ and ¹⁶ in the seed.
    previous = ws.cell(row=note.row - 1, column=1)
    assert "Det bedöms nödvändigt att uppvisa fler än 3 indikatorer" in text_of(previous)
    # Every mark in the sheet is explained by a note under its table, numbered consecutively.
    notes = [
        text_of(row[0]).split(" ", 1)[0]
        for row in ws.iter_rows()
        if text_of(row[0])[:1] and text_of(row[0])[0] in "¹²³⁴⁵⁶⁷⁸⁹"
    ]
    numbers = [int(mark.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))) for mark in notes]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert len(numbers) == 28  # seed 001 has the footnotes ⁶–³³ under these tables


def test_report_page_json_and_timing_for_an(client, demo_data, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    for figure in ("453\xa0257", "5\xa0249", "-4\xa0914", "88,9", "AMC: 96,4"):
        assert figure in html
    report = build_report(demo_data, 2022)
    assert report_from_json(report_to_json(report)) == report

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        render_xlsx(build_report(demo_data, 2022))
        elapsed = time.perf_counter() - started
    assert len(queries) <= 24
    assert elapsed < 5, f"AN 2022 tog {elapsed:.2f} s"
