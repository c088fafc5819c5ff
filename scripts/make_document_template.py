"""Make reports/document_template/styrkort.docx, the styled template of the Word documents.

    .venv/bin/python scripts/make_document_template.py [output.docx]

The renderer (reports/renderers/docx.py) opens the template, clears its body and writes the
document with these style names only: Normal, Title, Subtitle, Heading 1–4, List Bullet,
List Bullet 2, List Number, List Number 2, Caption, TOC Heading, "Försättsblad" (the cover's
lines), "Tabelltext" (table cells), "Fotnot" (paragraphs) and
"Styrkort tabell" (tables). A municipality with its own graphic profile makes its own template
in Word or LibreOffice with the same style names (fonts, colours, spacing, header and footer
as it likes) and points STYRKORT_DOCUMENT_TEMPLATE to it. The page size and margins of the
template's last section are kept; landscape pages for wide tables swap them.

Fonts: Liberation Sans (metric-compatible with Arial) covers Swedish and is installed in CI
(fonts-liberation), so LibreOffice embeds the same font in the PDF that Word shows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor

OUTPUT = Path(__file__).resolve().parent.parent / "reports" / "document_template" / "styrkort.docx"
FONT = "Liberation Sans"
LANGUAGE = "sv-SE"
TEXT_COLOUR = RGBColor(0x1A, 0x1A, 0x1A)
HEADING_COLOUR = RGBColor(0x0B, 0x3D, 0x5C)
BORDER_COLOUR = "8C9BA5"
# Heading N: size in points, space before and after.
HEADINGS = {1: (18, 18, 8), 2: (14, 14, 6), 3: (12, 12, 4), 4: (11, 10, 4)}


def _set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """One font for every script, replacing the theme fonts the default template names."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{name}"), None)
    for name in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{name}"), font)


def _set_language(rpr: BaseOxmlElement) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _defaults(document: DocxDocument) -> None:
    """rPrDefault: the font and the language every style inherits."""
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FONT)
    _set_language(rpr)


def _paragraph_style(document: DocxDocument, name: str, *, base: str = "Normal") -> Any:
    styles = document.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        return style


def _styles(document: DocxDocument) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = TEXT_COLOUR
    _set_fonts(normal.element.get_or_add_rPr(), FONT)
    _set_language(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    title = styles["Title"]
    title.font.name = FONT
    title.font.size = Pt(28)
    title.font.bold = True
    title.font.color.rgb = HEADING_COLOUR
    _set_fonts(title.element.get_or_add_rPr(), FONT)
    title.paragraph_format.space_before = Pt(120)
    title.paragraph_format.space_after = Pt(12)
    # The default Title has a bottom border; the cover has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)

    subtitle = styles["Subtitle"]
    subtitle.font.name = FONT
    subtitle.font.size = Pt(16)
    subtitle.font.italic = False
    subtitle.font.color.rgb = HEADING_COLOUR
    _set_fonts(subtitle.element.get_or_add_rPr(), FONT)
    subtitle.paragraph_format.space_after = Pt(10)

    for level, (size, before, after) in HEADINGS.items():
        heading = styles[f"Heading {level}"]
        heading.font.name = FONT
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = HEADING_COLOUR
        _set_fonts(heading.element.get_or_add_rPr(), FONT)
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(after)
        heading.paragraph_format.keep_with_next = True

    for name in ("List Bullet", "List Bullet 2", "List Number", "List Number 2"):
        style = styles[name]
        style.font.name = FONT
        style.paragraph_format.space_after = Pt(3)

    caption = styles["Caption"]
    caption.font.name = FONT
    caption.font.size = Pt(10)
    caption.font.bold = True
    caption.font.italic = False
    caption.font.color.rgb = TEXT_COLOUR
    caption.paragraph_format.space_before = Pt(8)
    caption.paragraph_format.space_after = Pt(4)
    caption.paragraph_format.keep_with_next = True

    footnote = _paragraph_style(document, "Fotnot")
    footnote.font.size = Pt(8.5)
    footnote.paragraph_format.space_before = Pt(0)
    footnote.paragraph_format.space_after = Pt(2)
    footnote.paragraph_format.line_spacing = 1.0

    # Table cells: a paragraph style, since a paragraph style's size wins over a table style's.
    cell_text = _paragraph_style(document, "Tabelltext")
    cell_text.font.size = Pt(9)
    cell_text.paragraph_format.space_before = Pt(0)
    cell_text.paragraph_format.space_after = Pt(0)
    cell_text.paragraph_format.line_spacing = 1.0

    cover = _paragraph_style(document, "Försättsblad")
    cover.font.size = Pt(12)
    cover.paragraph_format.space_after = Pt(4)
    cover.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    toc = _paragraph_style(document, "TOC Heading", base="Heading 1")
    toc.paragraph_format.space_before = Pt(0)
    # "Innehåll" is not itself an entry of the table of contents.
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "9")
    toc_ppr = toc.element.get_or_add_pPr()
    for old in toc_ppr.findall(qn("w:outlineLvl")):
        toc_ppr.remove(old)
    toc_ppr.append(outline)

    _table_style(document)


def _table_style(document: DocxDocument) -> None:
    """ "Styrkort tabell": thin grey borders, small cell margins, 9 pt text."""
    styles = document.styles
    try:
        style = styles["Styrkort tabell"]
    except KeyError:
        style = styles.add_style("Styrkort tabell", WD_STYLE_TYPE.TABLE)
    style.font.name = FONT
    style.font.size = Pt(9)
    element = style.element
    ppr = element.get_or_add_pPr()
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)
    tblpr = element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        element.append(tblpr)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{edge}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), "4")
        border.set(qn("w:space"), "0")
        border.set(qn("w:color"), BORDER_COLOUR)
        borders.append(border)
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("top", 20), ("left", 70), ("bottom", 20), ("right", 70)):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(width))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblpr.append(margins)


def _page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2.5)
    section.bottom_margin = Cm(2.0)
    section.left_margin = Cm(2.0)
    section.right_margin = Cm(2.0)
    section.header_distance = Cm(1.25)
    section.footer_distance = Cm(1.0)


def _page_numbers(document: DocxDocument) -> None:
    """A page number in the footer, as a PAGE field."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def make_template(output: Path) -> None:
    document = Document()
    _defaults(document)
    _styles(document)
    _page(document)
    _page_numbers(document)
    properties = document.core_properties
    properties.title = "Styrkort"
    properties.author = "Styrkort"
    properties.language = LANGUAGE
    properties.comments = "Mall för Styrkorts dokument: byt stilarna, behåll deras namn."
    # The default template's body holds nothing but its section; keep it empty.
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    output.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(output))


if __name__ == "__main__":
    make_template(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"Skrev {sys.argv[1] if len(sys.argv) > 1 else OUTPUT}")
