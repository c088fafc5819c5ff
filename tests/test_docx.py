"""The AN 2022 verksamhetsberättelse as .docx: seed 001's headings, texts and figures.

The document is built from the demo data exactly as the download is (build_report, then
render_docx), reopened with python-docx and read paragraph by paragraph and cell by cell. Every
figure of every table is compared with the report model; a selection of seed 001's figures is
asserted literally, as in tests/test_report_seed.py.
"""

from __future__ import annotations

import io
import shutil
import time

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from goals.models import DocumentKind, NarrativeText, ReportingOccasion
from reports.renderers import docx as docx_renderer
from reports.renderers.docx import TOC_PLACEHOLDER, render_docx
from reports.report import build_report
from reports.report.documents import build_document
from reports.report.model import OutlineKind, Report, RowKind
from scripts.make_document_template import make_template

pytestmark = pytest.mark.django_db

# Seed 001's table of contents (the outline's headings, years filled in), in order.
SEED_HEADINGS = [
    (1, "Nämndens uppdrag"),
    (1, "Förvaltningschefens/nämndansvarig tjänstepersons bedömning och analys"),
    (2, "Analys av verksamhetens resultat, ekonomi och personal"),
    (2, "Händelser av väsentlig betydelse"),
    (2, "Ekonomi, belopp i tkr"),
    (2, "Förväntad utveckling"),
    (1, "Ekonomi"),
    (2, "Nämndens verksamheter, nettokostnader bokslut 2022 jämfört med bokslut 2021"),
    (2, "Nämndens intäkter och kostnader 2022 jämfört med 2021"),
    (2, "Ekonomiska tabeller"),
    (3, "Resultat 2022"),
    (2, "Investeringar"),
    (1, "Uppföljning av mål och inriktning"),
    (2, "Målredovisning"),
    (2, "Strategiska utvecklingsuppdrag"),
    (1, "Uppföljning av nämndens verksamhet"),
    (2, "Planer och program"),
    (3, "Upphandlingsplan"),
    (3, "Internkontroll"),
    (3, "Personal- och kompetensförsörjningsplan"),
    (3, "Objektsplan (IT-styrning)"),
    (1, "Volymtal, personalstatistik och nämndindikatorer"),
    (2, "Volymutveckling"),
    (2, "Personal"),
    (2, "Nämndindikatorer"),
]
UNSAFE_TEXT = (
    "Vi <script>alert('x')</script> följde upp målen & åtgärderna för år 2022.\n\n"
    "- Första **viktiga** punkten om välfärd\n"
    "- Andra punkten med *kursiv* text\n"
    "  - En underpunkt\n\n"
    "### Särskilda händelser\n\n"
    "1. Först\n2. Sedan\n\n"
    "Läs mer på <https://www.linkoping.se/>."
)


def plain(cell) -> str:
    """A docx cell's text without its superscript footnote marks."""
    return "".join(
        run.text
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if not run.font.superscript
    )


def marks(cell) -> list[int]:
    return [
        int(number)
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.font.superscript
        for number in run.text.split()
    ]


def drawn_tables(report: Report):
    """The report's tables in the order the document draws them."""
    tables = [
        table
        for entry in report.outline
        if entry.kind == OutlineKind.TABLE
        for table in report.tables_for(entry.key)
    ]
    return tables + report.unplaced_tables()


@pytest.fixture
def report(demo_data):
    return build_report(demo_data, 2022)


@pytest.fixture
def document(report):
    return Document(io.BytesIO(render_docx(report)))


def headings(document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def test_the_seeds_headings_are_heading_styled_in_order(report, document):
    found = headings(document)
    outline = [(e.level, e.title) for e in report.outline if e.kind == OutlineKind.HEADING]
    assert outline == SEED_HEADINGS
    # The outline's headings appear in order (narrative headings may sit between them).
    position = 0
    for expected in SEED_HEADINGS:
        assert expected in found[position:], f"{expected} saknas eller står i fel ordning"
        position = found.index(expected, position) + 1
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Verksamhetsberättelse 2022"
    assert document.paragraphs[0].style.name == "Title"
    assert "Arbetsmarknadsnämnden" in texts[:4]
    assert report.status_line in texts[:5]


def test_the_table_of_contents_is_a_field(document):
    body = document.element.body
    instructions = [node.text for node in body.iter(qn("w:instrText"))]
    assert any("TOC" in text and '\\o "1-4"' in text for text in instructions)
    assert TOC_PLACEHOLDER in [p.text for p in document.paragraphs]
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_every_figure_of_every_table_is_the_models(report, document):
    model_tables = drawn_tables(report)
    assert len(document.tables) == len(model_tables) == len(report.tables)
    for model, grid in zip(model_tables, document.tables, strict=True):
        header_rows = 2 if model.has_groups else 1
        labels = [plain(cell) for cell in grid.rows[header_rows - 1].cells]
        assert labels == [column.label for column in model.columns], model.key
        assert len(grid.rows) == header_rows + len(model.rows), model.key
        for row_index, row in enumerate(model.rows):
            docx_cells = grid.rows[header_rows + row_index].cells
            position = 0
            for cell in row.cells:
                where = f"{model.key} rad {row_index + 1} kolumn {position + 1}"
                target = docx_cells[position]
                if cell.covered:
                    # A cell under a rowspan is the merged cell above it.
                    above = grid.rows[header_rows + row_index - 1].cells[position]
                    assert target._tc is above._tc, where
                    position += 1
                    continue
                assert plain(target) == cell.text, where
                assert marks(target) == cell.all_marks, where
                for extra in range(position + 1, position + cell.colspan):
                    assert docx_cells[extra]._tc is target._tc, f"{where}: colspan"
                position += cell.colspan


def cell_texts(grid) -> list[list[str]]:
    """The cells' texts, the number format's no-break spaces as seed 001's spaces."""
    return [[plain(cell).replace("\xa0", " ") for cell in row.cells] for row in grid.rows]


def table_titled(report, document, key: str):
    for model, grid in zip(drawn_tables(report), document.tables, strict=True):
        if model.key == key:
            return grid
    raise AssertionError(key)


def test_seed_figures_literally(report, document):
    ekonomi = cell_texts(table_titled(report, document, "ekonomi"))
    assert ["Verksamhetens nettokostnader", "453 257", "465 446", "12 189", "458 476"] in ekonomi
    drift = cell_texts(table_titled(report, document, "driftsammandrag"))
    assert ["Ekonomiskt bistånd", "303 504", "308 752", "5 249", "319 223"] in drift
    assert ["Flyktingmottagande", "44 451", "39 537", "-4 914", "43 448"] in drift
    volym = cell_texts(table_titled(report, document, "volymutveckling"))
    row = next(r for r in volym if r[0].startswith("Antal hushåll med ekonomiskt bistånd"))
    assert row[1:] == ["3 130", "3 128", "3 327", "3 196", "2 917"]
    invest = cell_texts(table_titled(report, document, "investeringar-fardigstallda"))
    start, year = "Utgifter/inkomster sedan projektets start", "Varav årets investeringar"
    assert invest[0] == ["", start, start, start, year, year, year]  # merged group cells
    assert invest[1][0] == "Färdigställda projekt"
    assert ["Arbetsmarknadsservice", "1 650", "318", "1 332", "1 650", "318", "1 332"] in invest
    indicators = cell_texts(table_titled(report, document, "namndindikatorer-1"))
    brukar = next(r for r in indicators if r[2].startswith("Andel positiva svar i brukarenkät"))
    assert brukar[3:] == ["I.U.", "90", "88,9", "88 %"]


def tr_flags(row) -> set[str]:
    tr_pr = row._tr.trPr
    if tr_pr is None:
        return set()
    return {child.tag.split("}")[1] for child in tr_pr}


def test_header_rows_repeat_and_numbers_are_right_aligned(report, document):
    for model, grid in zip(drawn_tables(report), document.tables, strict=True):
        header_rows = 2 if model.has_groups else 1
        for index, row in enumerate(grid.rows):
            flags = tr_flags(row)
            assert ("tblHeader" in flags) == (index < header_rows), f"{model.key} rad {index}"
        for row_index, row in enumerate(model.rows):
            if row.kind == RowKind.SECTION:
                continue
            docx_row = grid.rows[header_rows + row_index]
            for position, cell in enumerate(row.cells):
                if cell.covered or cell.colspan != 1 or position >= len(model.columns):
                    continue
                alignment = docx_row.cells[position].paragraphs[0].alignment
                if model.columns[position].numeric:
                    assert alignment == WD_ALIGN_PARAGRAPH.RIGHT, f"{model.key} {cell.text}"
                else:
                    assert alignment != WD_ALIGN_PARAGRAPH.RIGHT, f"{model.key} {cell.text}"


def test_breakdown_rows_are_italic_and_sums_bold(report, document):
    kvinnor = 0
    for model, grid in zip(drawn_tables(report), document.tables, strict=True):
        header_rows = 2 if model.has_groups else 1
        for row_index, row in enumerate(model.rows):
            if row.kind not in (RowKind.BREAKDOWN, RowKind.SUM):
                continue
            docx_row = grid.rows[header_rows + row_index]
            runs = [
                run
                for position, cell in enumerate(row.cells)
                if not cell.covered and cell.text
                for run in docx_row.cells[position].paragraphs[0].runs
                if not run.font.superscript
            ]
            assert runs, model.key
            if row.kind == RowKind.BREAKDOWN:
                assert all(run.italic for run in runs), f"{model.key}: {row.cells}"
                kvinnor += any(plain(c) == "Kvinnor" for c in docx_row.cells)
            else:
                assert all(run.bold for run in runs), f"{model.key}: {row.cells}"
    assert kvinnor >= 5


def test_footnotes_are_numbered_in_order_under_their_tables(report, document):
    listed = []
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Fotnot" and paragraph.runs:
            first = paragraph.runs[0]
            if first.font.superscript:
                listed.append((int(first.text), paragraph.text[len(first.text) :].strip()))
    expected = [(n.number, n.text) for t in drawn_tables(report) for n in t.footnotes]
    assert listed == expected
    assert [number for number, _ in listed] == list(range(1, len(listed) + 1))
    assert any(text.startswith("Det finns ytterligare två avslut") for _, text in listed)
    # Every mark in the tables is a footnote listed.
    in_cells = {
        m for grid in document.tables for row in grid.rows for c in row.cells for m in marks(c)
    }
    assert in_cells <= {number for number, _ in listed}
    assert in_cells


def test_properties_and_language(report, document):
    properties = document.core_properties
    assert properties.title == "Verksamhetsberättelse 2022"
    assert properties.language == "sv-SE"
    assert properties.author == "Arbetsmarknadsnämnden"
    styles = document.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert default.find(qn("w:lang")).get(qn("w:val")) == "sv-SE"
    normal = document.styles["Normal"].element.rPr
    assert normal.find(qn("w:lang")).get(qn("w:val")) == "sv-SE"


def test_a_wide_table_is_on_a_landscape_page(report, document):
    """Nämndindikatorer (7 columns) and Målredovisning sit in landscape sections, the
    driftsammandrag in portrait; every section is A4."""
    body = document.element.body
    orientation_of_table = []
    pending = []
    sections = iter(document.sections)
    for child in body.iterchildren():
        if child.tag == qn("w:tbl"):
            pending.append(child)
        sect_pr = child.find(qn("w:pPr") + "/" + qn("w:sectPr")) if child.tag == qn("w:p") else None
        if sect_pr is not None or child.tag == qn("w:sectPr"):
            section = next(sections)
            orientation_of_table += [section.orientation] * len(pending)
            pending = []
    by_key = dict(zip([t.key for t in drawn_tables(report)], orientation_of_table, strict=True))
    assert by_key["namndindikatorer-2"] == WD_ORIENT.LANDSCAPE
    assert by_key["malredovisning"] == WD_ORIENT.LANDSCAPE
    assert by_key["investeringar-fardigstallda"] == WD_ORIENT.LANDSCAPE
    assert by_key["driftsammandrag"] == WD_ORIENT.PORTRAIT
    assert by_key["volymutveckling"] == WD_ORIENT.PORTRAIT
    for section in document.sections:
        size = sorted([round(section.page_width.cm, 1), round(section.page_height.cm, 1)])
        assert size == [21.0, 29.7]
        landscape = section.orientation == WD_ORIENT.LANDSCAPE
        assert (section.page_width > section.page_height) == landscape
    # The tables fit the text width of their page.
    for grid, orientation in zip(document.tables, orientation_of_table, strict=True):
        width = sum(column.width for column in grid.columns)
        page = 29.7 - 4.0 if orientation == WD_ORIENT.LANDSCAPE else 21.0 - 4.0
        assert width / 360_000 <= page + 0.01


def write_text(board, section: str, text: str) -> None:
    """A narrative text for AN 2022. The demo's helår occasion is approved and locks its texts,
    so the test opens it again first, as an administrator does to correct a text."""
    occasion = ReportingOccasion.objects.get(
        board=board, year=2022, kind=DocumentKind.VERKSAMHETSBERATTELSE.occasion_kind
    )
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state=ReportingOccasion.State.OPEN)
    NarrativeText.objects.update_or_create(
        board=board,
        year=2022,
        document=DocumentKind.VERKSAMHETSBERATTELSE,
        section=section,
        defaults={"occasion": occasion, "text": text},
    )


def test_narrative_text_is_literal_text_with_lists_and_headings(demo_data):
    write_text(demo_data, "handelser", UNSAFE_TEXT)
    document = Document(io.BytesIO(render_docx(build_report(demo_data, 2022))))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    first = texts.index("Vi <script>alert('x')</script> följde upp målen & åtgärderna för år 2022.")
    section = paragraphs[first - 1]
    assert (section.style.name, section.text) == ("Heading 2", "Händelser av väsentlig betydelse")
    items = [(p.style.name, p.text) for p in paragraphs[first + 1 : first + 7]]
    assert items == [
        ("List Bullet", "Första viktiga punkten om välfärd"),
        ("List Bullet", "Andra punkten med kursiv text"),
        ("List Bullet 2", "En underpunkt"),
        ("Heading 3", "Särskilda händelser"),  # one level below the section's Heading 2
        ("List Number", "Först"),
        ("List Number", "Sedan"),
    ]
    bold = [run.text for run in paragraphs[first + 1].runs if run.bold]
    italic = [run.text for run in paragraphs[first + 2].runs if run.italic]
    assert (bold, italic) == (["viktiga"], ["kursiv"])
    assert texts[first + 7] == "Läs mer på https://www.linkoping.se/."
    xml = document.element.xml
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_render_makes_no_queries_and_its_time_is_measured(report, django_assert_num_queries):
    start = time.perf_counter()
    with django_assert_num_queries(0):
        content = render_docx(report)
    elapsed = time.perf_counter() - start
    print(f"\nrender_docx AN 2022: {elapsed:.2f} s, {len(content) / 1024:.0f} kB")
    assert content[:2] == b"PK"
    assert elapsed < 10


def test_the_template_has_the_styles_the_renderer_names(tmp_path):
    made = tmp_path / "mall.docx"
    make_template(made)
    for path in (docx_renderer.DEFAULT_TEMPLATE, made):
        template = Document(str(path))
        names = {style.name for style in template.styles}
        for name in [
            "Normal",
            "Title",
            "Subtitle",
            "Heading 1",
            "Heading 2",
            "Heading 3",
            "Heading 4",
            "List Bullet",
            "List Bullet 2",
            "List Number",
            "List Number 2",
            "Caption",
            "Fotnot",
            "Tabelltext",
            "Försättsblad",
            "Styrkort tabell",
        ]:
            assert name in names, f"{path.name}: {name}"
        assert template.styles["Normal"].font.name == "Liberation Sans"
        section = template.sections[0]
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        assert template.paragraphs == [] and template.tables == []


def test_a_municipalitys_own_template_is_used(report, tmp_path, settings):
    """STYRKORT_DOCUMENT_TEMPLATE names another template; a template without Styrkort's own
    styles (a plain Word document) still gives the whole document, the styles added."""
    own = tmp_path / "kommunens-mall.docx"
    shutil.copy(docx_renderer.DEFAULT_TEMPLATE, own)
    template = Document(str(own))
    template.styles["Heading 1"].font.size = 30 * 12700
    template.save(str(own))
    settings.STYRKORT_DOCUMENT_TEMPLATE = str(own)
    document = Document(io.BytesIO(render_docx(report)))
    assert document.styles["Heading 1"].font.size == 30 * 12700

    plain_template = tmp_path / "vanlig.docx"
    Document().save(str(plain_template))
    settings.STYRKORT_DOCUMENT_TEMPLATE = str(plain_template)
    document = Document(io.BytesIO(render_docx(report)))
    assert [(level, text) for level, text in headings(document)][:1] == [(1, "Nämndens uppdrag")]
    assert len(document.tables) == len(report.tables)
    assert document.tables[0].style.name == "Styrkort tabell"


def test_seed_001s_narrative_texts_are_in_the_document(document):
    """The demo's texts (fixtures/linkoping/narratives.toml, seed 001 verbatim) under their
    headings: whole paragraphs, the "Händelser av väsentlig betydelse" lists and subheadings."""
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    texts = [text for _, text in paragraphs]
    assert "Den nya organisationsstrukturen på IAF verkställs den 1 februari 2023." in texts
    assert any(
        text.startswith("Arbetsmarknadsnämndens resultat för helår 2022 är 453,3 mnkr.")
        and text.endswith("de flesta vakanser nu är tillsatta.")
        for text in texts
    )
    events = texts.index("Händelser av väsentlig betydelse")
    assert paragraphs[events][0] == "Heading 2"
    # The section's own "### " subheadings sit one level below (Heading 3), in seed order.
    subheadings = [
        text
        for style, text in paragraphs[events + 1 : texts.index("Ekonomi, belopp i tkr")]
        if style == "Heading 3"
    ]
    assert subheadings == [
        "Arbete med organisationsstruktur",
        "Heltidsaktivering: Breddinförande av Arena Arbetsmarknad och förberedelser "
        "Sysselsättning Arena Arbetsmarknad",
        "Mottagande av flyktingar",
        "Samverkan med Arbetsförmedlingen",
        "Nytt verksamhetssystem: Förberedelser och införande",
        "Samverkansavtal",
    ]
    items = [text for style, text in paragraphs[events:] if style == "List Bullet"][:4]
    assert items == [
        "Ta fram en beskrivning av modell och arbetssätt för sysselsättning som har sin "
        "utgångspunkt i modellen för Arena arbetsmarknad.",
        "Kartlägga befintliga sysselsättningsplatser inom arbetsmarknadsnämndens egna "
        "verksamhetsområden, avtal och IOP samt hos samarbetspartners.",
        "Förtydliga det koordinerande arbetssättet för deltagare som ingår i sysselsättning.",
        "Förtydliga kopplingen mellan Arena Arbetsmarknad och Sysselsättning.",
    ]
    analysis = texts.index("Analys av verksamhetens resultat, ekonomi och personal")
    listed = [text for style, text in paragraphs[analysis:events] if style == "List Bullet"]
    assert listed[:6] == [
        "Arbete med organisationsstruktur",
        "Stegvis införande av Heltidsaktiveringen",
        "Mottagande av flyktingar",
        "Samverkan med Arbetsförmedlingen",
        "Införande av nytt verksamhetssystem",
        "Partsgemensamt förberedelsearbete inför införande av samverkansavtal",
    ]
    italic = next(p for p in document.paragraphs if "i aktiv planering" in p.text)
    assert [run.text for run in italic.runs if run.italic] == ["i aktiv planering"]


@pytest.mark.parametrize(
    ("document_kind", "title"),
    [
        (DocumentKind.INTERNBUDGET, "Internbudget 2022 med plan för 2023–2027"),
        (DocumentKind.VERKSAMHETSPLAN, "Verksamhetsplan 2022"),
    ],
)
def test_the_plans_render_as_documents(demo_data, document_kind, title):
    report = build_document(demo_data, 2022, document_kind)
    document = Document(io.BytesIO(render_docx(report)))
    assert document.paragraphs[0].text == title
    assert document.core_properties.title == title
    assert len(document.tables) == len(report.tables) > 0
    for model, grid in zip(drawn_tables(report), document.tables, strict=True):
        header_rows = 2 if model.has_groups else 1
        assert len(grid.rows) == header_rows + len(model.rows), model.key


def test_a_single_table_download_has_no_contents_field(report):
    """A report of one table (Report.select, no outline) is the cover and the table."""
    document = Document(io.BytesIO(render_docx(report.select("personal"))))
    assert TOC_PLACEHOLDER not in [p.text for p in document.paragraphs]
    assert len(document.tables) == 1
    assert plain(document.tables[0].rows[0].cells[0]) == "Personal"


def test_rows_keep_together_unless_longer_than_a_page(report, document):
    """Short rows may not split across pages; a Målredovisning row of a page's text or more
    may (a row that cannot split and does not fit would be cut at the page's foot)."""
    drift = table_titled(report, document, "driftsammandrag")
    assert all("cantSplit" in tr_flags(row) for row in drift.rows)
    goals = table_titled(report, document, "malredovisning")
    long_rows = [row for row in goals.rows if max(len(plain(c)) for c in row.cells) > 2000]
    assert long_rows
    assert all("cantSplit" not in tr_flags(row) for row in long_rows)
