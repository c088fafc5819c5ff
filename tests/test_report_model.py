"""The report model built from a small AN 2022: what each table holds, cell by cell."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reports.report import RowKind, build_report, report_from_json, report_to_json
from reports.report.indicator_tables import NO_VALUE_SHORT, NOT_ASSESSED
from tests.test_report_fixtures import FORMULA_TEXT, SURVEY_NOTE, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(mini_an):  # noqa: F811
    return build_report(mini_an.board, 2022)


def find_row(table, name):
    """The row whose indicator (or first) column starts with `name`."""
    column = table.column_index("indicator") if "indicator" in [c.key for c in table.columns] else 0
    for row in table.rows:
        if row.cells[column].text.startswith(name):
            return row
    raise AssertionError(f"no row {name!r} in {table.key}")


def texts(row):
    return [cell.text for cell in row.cells]


def test_tables_come_in_the_order_of_the_printed_report(report):
    assert [table.key for table in report.tables] == [
        "ekonomi",
        "driftsammandrag",
        "investeringar-fardigstallda",
        "investeringar-pagaende",
        "malredovisning",
        "uppdrag-kommungemensamma",
        "uppdrag-namndspecifika",
        "volymutveckling",
        "personal",
        "namndindikatorer-1",
        "namndindikatorer-2",
        "namndindikatorer-3",
        "namndindikatorer-4",
    ]
    assert report.board_code == "AN"
    assert report.year == 2022
    assert [sheet.key for sheet in report.sheets()] == [
        "ekonomi",
        "driftsammandrag",
        "investeringar",
        "malredovisning",
        "strategiska-uppdrag",
        "volymutveckling",
        "personal",
        "namndindikatorer",
    ]


def test_indicator_table_has_the_seed_columns_and_headings(report):
    table = report.table("namndindikatorer-1")
    assert [column.label for column in table.columns] == [
        "Nämndmål",
        "Mål uppnått",
        "Nämndindikator",
        "2020",
        "2021",
        "2022",
        "Målvärde",
    ]
    assert table.headings == [
        "Målområde: Medborgare",
        "Kommunövergripande mål: Välfärdstjänster med hög kvalitet, tillgänglighet och individen i centrum",
    ]
    # A KF goal without nämndmål of the board has no table.
    assert all("Ett mål utan nämndmål" not in t.title for t in report.tables)


def test_numbers_stay_numbers_with_their_decimals(report):
    row = find_row(report.table("namndindikatorer-2"), "Antal deltagare som avslutas")
    values = row.cells[3:6]
    assert [cell.value for cell in values] == [Decimal(61), Decimal(44), Decimal(62)]
    assert all(cell.is_number and cell.format == "int" for cell in values)
    target = row.cells[6]
    assert target.value == Decimal(120) and target.format == "int"

    survey = find_row(report.table("namndindikatorer-1"), "Andel positiva svar")
    assert survey.cells[4].value == Decimal(90) and survey.cells[4].format == "int"
    assert survey.cells[5].value == Decimal("88.9") and survey.cells[5].format == "dec1"
    # The name says "%", so the number is printed plain, as in the seed; the target keeps " %".
    assert survey.cells[5].text == "88,9"
    assert survey.cells[6].text == "88\xa0%"

    households = find_row(report.table("namndindikatorer-2"), "Antal hushåll")
    assert texts(households)[3:] == ["3\xa0327", "3\xa0196", "2\xa0917", "3\xa0300"]


def test_kvinnor_and_man_rows_are_italic_breakdowns_under_their_indicator(report):
    table = report.table("namndindikatorer-2")
    rows = table.rows
    start = rows.index(find_row(table, "Antal deltagare som avslutas"))
    women, men = rows[start + 1], rows[start + 2]
    assert women.kind == men.kind == RowKind.BREAKDOWN
    assert texts(women)[2:] == ["Kvinnor", "12", "19", "25", ""]
    assert texts(men)[2:] == ["Män", "49", "25", "37", ""]
    assert women.cells[2].display_parts()[0].italic
    assert all(cell.italic for cell in women.cells[3:6])


def test_unit_splits_are_one_text_cell_and_sub_indicators_are_italic(report):
    table = report.table("namndindikatorer-1")
    access = find_row(table, "Tillgänglighet")
    assert access.kind == RowKind.BREAKDOWN
    assert texts(access)[3:] == ["AMF: I.U.", "AMC: 90 AMF: 95", "AMC: 96,4 AMF: 85,7", "88\xa0%"]
    assert not access.cells[5].is_number

    sick = find_row(report.table("namndindikatorer-4"), "Total sjukfrånvaro")
    assert texts(sick)[3:] == [
        "UAF: 2,5% SOF: 6,9%",
        "UAF: 2,7% SOF: 4,8%",
        "7,6% (total, inkl BEA-anst) 5,2% (enbart HÖK-anst)",
        "6,0\xa0%",
    ]
    # Män comes before Kvinnor when the indicator declares it so; here only Män has values.
    men = table_rows_after(report.table("namndindikatorer-4"), "Total sjukfrånvaro")[0]
    assert texts(men)[2:4] == ["Män", "UAF: 1,8% SOF: 3,3%"]


def table_rows_after(table, name):
    index = table.rows.index(find_row(table, name))
    return table.rows[index + 1 :]


def test_iu_for_a_stored_iu_dash_where_no_value_is_given_and_every_target_kind(report):
    table = report.table("namndindikatorer-1")
    wait = find_row(table, "Väntetid")
    assert texts(wait)[3:] == ["13", "15", "I.U.", "7"]  # 2022 is a stored I.U.
    differences = find_row(table, "Skillnader")
    # No value stored for any year: not yet given ("–"), never I.U.
    assert texts(differences)[3:] == ["–", "–", "–", "Inga signifikanta skillnader"]
    economy = report.table("namndindikatorer-3")
    assert find_row(economy, "Avvikelse mot budget").cells[6].text == "≥0\xa0%"
    assert find_row(economy, "Avvikelse mot budget").cells[4].value == Decimal("-1.6")
    # A parent whose figures are in its sub-indicators is an empty line, not I.U.
    assert texts(find_row(economy, "Träffsäkerhet"))[3:] == ["", "", "", ""]
    assert texts(find_row(economy, "Augusti"))[3:] == ["-9,0%", "-2,6%", "2,6%", "<1\xa0%"]


def test_nammdmal_cell_is_merged_over_its_indicator_rows(report):
    table = report.table("namndindikatorer-2")
    first = table.rows[0]
    goal_cell, achieved = first.cells[0], first.cells[1]
    assert goal_cell.rowspan == achieved.rowspan == len(table.rows) == 4
    assert [part.text for part in goal_cell.parts] == [
        "Hög egenförsörjningsgrad",
        "\nAntal hushåll i Linköping som uppbär ekonomiskt bistånd ska minska.",
    ]
    assert goal_cell.parts[1].italic
    assert all(row.cells[0].covered and row.cells[1].covered for row in table.rows[1:])
    assert achieved.text == NOT_ASSESSED
    assert report.table("namndindikatorer-1").rows[0].cells[1].text == "Delvis"
    assert report.table("namndindikatorer-3").rows[0].cells[1].text == "Ja"


def test_footnotes_are_numbered_in_order_of_appearance_across_the_report(report):
    numbers = [note.number for table in report.tables for note in table.footnotes]
    assert numbers == list(range(1, len(numbers) + 1))
    volume = report.table("volymutveckling")
    assert [(n.number, n.text) for n in volume.footnotes] == [(1, "Team utreda ej medräknat 2018")]
    assert find_row(volume, "Antal inskrivna").cells[1].marks == [1]

    table = report.table("namndindikatorer-1")
    # Reading order: the 2020 I.U., the 2022 value, the sub-indicator's I.U., the name, the I.U.
    assert [note.text for note in table.footnotes] == [
        SURVEY_NOTE,
        "Genomsnitt för AMC och AMF",
        SURVEY_NOTE,
        "Gäller endast nya ärenden.",
        "Redovisas i delår 1 2023.",
    ]
    first = table.footnotes[0].number
    survey = find_row(table, "Andel positiva svar")
    assert survey.cells[3].marks == [first] and survey.cells[5].marks == [first + 1]
    assert find_row(table, "Tillgänglighet").cells[3].parts[0].marks == [first + 2]
    wait = find_row(table, "Väntetid")
    assert wait.cells[2].parts[0].marks == [first + 3]
    assert wait.cells[5].marks == [first + 4]
    # A note for another year's report is not shown.
    assert "Gällde bara 2019." not in [n.text for t in report.tables for n in t.footnotes]

    # The goal's footnote is marked at the goal, before the first value's note.
    goal_table = report.table("namndindikatorer-2")
    assert [n.text for n in goal_table.footnotes][:2] == [
        "Fler än tre indikatorer behövs.",
        "OSA-anställningarna är medräknade från 2022.",
    ]
    assert goal_table.rows[0].cells[0].parts[-1].marks == [goal_table.footnotes[0].number]


def test_volume_and_staff_tables_show_five_years(report):
    volume = report.table("volymutveckling")
    assert [c.label for c in volume.columns] == [
        "Basuppdrag (volymmått)",
        "2018",
        "2019",
        "2020",
        "2021",
        "2022",
    ]
    assert [c.value for c in find_row(volume, "Antal hushåll").cells[1:]] == [
        3130,
        3128,
        3327,
        3196,
        2917,
    ]
    staff = report.table("personal")
    row = find_row(staff, "Antal tillsvidareanställda")
    assert texts(row)[1:] == [
        NO_VALUE_SHORT,
        "SOF: 110 UAF: 62",
        "SOF: 110 UAF: 63",
        "SOF: 104 UAF: 62",
        "241",
    ]
    assert row.cells[5].is_number


def test_goal_report_has_assessment_and_texts_per_malomrade(report):
    table = report.table("malredovisning")
    sections = [row.cells[0].text for row in table.rows if row.kind == RowKind.SECTION]
    assert sections == ["Målområde Medborgare", "Målområde Ekonomi", "Målområde Medarbetare"]
    first = find_row(table, "Professionellt bemötande")
    assert texts(first)[1:] == [
        "Delvis uppnått",
        FORMULA_TEXT,
        "- en punkt som börjar med minus",
        "",
        "Arbetet fortsätter under kvartal 1 2023.",
    ]
    assert find_row(table, "God ekonomisk styrning").cells[1].text == "Uppnått"
    assert find_row(table, "Goda arbetsplatser").cells[1].text == NOT_ASSESSED


def test_strategic_assignments_with_status_and_comment(report):
    common = report.table("uppdrag-kommungemensamma")
    assert [c.label for c in common.columns] == [
        "Kommungemensamma strategiska utvecklingsuppdrag",
        "Status",
        "Kommentar vid avvikelse",
    ]
    first = common.rows[0]
    assert first.cells[0].parts[1].italic
    assert "(Kvarstår från Budget 2021" in first.cells[0].text
    assert texts(first)[1:] == ["Pågår", "Fortsätter under kvartal 1-2 2023"]
    assert common.rows[1].cells[1].text == "Ej rapporterat"
    specific = report.table("uppdrag-namndspecifika")
    assert [texts(row)[1] for row in specific.rows] == ["Genomfört"]


def test_other_years_use_their_own_columns(mini_an):  # noqa: F811
    report = build_report(mini_an.board, 2021)
    table = report.table("namndindikatorer-2")
    assert [c.label for c in table.columns][3:6] == ["2019", "2020", "2021"]
    row = find_row(table, "Antal deltagare som avslutas")
    assert texts(row)[3:6] == ["–", "61", "44"]  # nothing stored for 2019
    # No helår 2021 occasion: nothing assessed.
    assert row.cells[1].text == NOT_ASSESSED


def test_json_round_trip_is_lossless(report):
    data = report_to_json(report)
    text = json.dumps(data, ensure_ascii=False)
    again = report_from_json(json.loads(text))
    assert again == report
    survey = find_row(again.table("namndindikatorer-1"), "Andel positiva svar")
    assert survey.cells[5].value == Decimal("88.9")


def test_json_of_unknown_version_is_refused(report):
    data = report_to_json(report)
    data["format_version"] = 99
    with pytest.raises(ValueError, match="Okänt format"):
        report_from_json(data)


def test_select_one_table_or_a_sheet(report):
    assert [t.key for t in report.select("personal").tables] == ["personal"]
    assert len(report.select("namndindikatorer").tables) == 4
    assert [t.key for t in report.select("namndindikatorer-2").tables] == ["namndindikatorer-2"]
    with pytest.raises(KeyError):
        report.select("finns-inte")


def test_economy_tables_in_tkr_rounded_per_figure(report):
    economy = report.table("ekonomi")
    assert [c.label for c in economy.columns] == [
        "Ekonomi",
        "Bokslut 2022",
        "Budget 2022",
        "Avvikelse",
        "Bokslut 2021",
    ]
    net, invest = economy.rows
    # 303 503,6 + 44 451 − 6 422 = 341 532,6 → 341 533; budget 308 752,4 + 39 537 + 0.
    assert [c.value for c in net.cells[1:]] == [341_533, 348_289, 6_757, 363_229]
    assert texts(invest) == ["Investeringar, netto", "318", "1\xa0650", "1\xa0332", "-"]

    operating = report.table("driftsammandrag")
    assert operating.columns[4].label == "Bokslut 2021*"
    assert operating.rows[0].kind == RowKind.SECTION
    assert operating.rows[0].cells[0].text == "Verksamhet"
    bistand = find_row(operating, "Ekonomiskt bistånd")
    assert [c.value for c in bistand.cells[1:]] == [303_504, 308_752, 5_249, 319_223]
    flykting = find_row(operating, "Flyktingmottagande")
    assert flykting.cells[3].value == -4_914 and flykting.cells[3].is_number
    total = find_row(operating, "Summa nettokostnader, tkr")
    assert total.kind == RowKind.SUM
    revenues = find_row(operating, "varav intäkter")
    assert revenues.kind == RowKind.BREAKDOWN
    assert [c.value for c in revenues.cells[1:]] == [-31_023, -31_700, -677, -41_977]
    units = find_row(operating, "Nämndens enheter")
    assert [c.value for c in units.cells[1:]] == [-6_422, 0, 6_422, 558]
    assert find_row(operating, "Summa nettokostnader, tkr, inkl").kind == RowKind.SUM
    assert operating.notes and operating.notes[0].startswith("*Observera")


def test_investment_tables_with_grouped_columns_and_sums(report):
    completed = report.table("investeringar-fardigstallda")
    assert completed.has_groups
    assert [c.group for c in completed.columns][1:4] == [
        "Utgifter/inkomster sedan projektets start"
    ] * 3
    assert texts(completed.rows[0]) == [
        "Arbetsmarknadsservice",
        "1\xa0650",
        "318",
        "1\xa0332",
        "1\xa0650",
        "318",
        "1\xa0332",
    ]
    assert completed.rows[-1].kind == RowKind.SUM
    ongoing = report.table("investeringar-pagaende")
    assert texts(ongoing.rows[0])[:3] == ["Arbetsmarknadscentrum", "250", ""]
    assert [row.cells[0].text for row in ongoing.rows[-2:]] == [
        "Summa pågående projekt",
        "Summa investeringar",
    ]
    assert ongoing.rows[-1].cells[1].value == 1_900
