"""The AN 2022 verksamhetsberättelse as an accessible PDF, converted by LibreOffice.

Tagged, in Swedish, with its title and every font embedded (what DOS-lagen and EN 301 549 ask
of a published document, as poppler reads it), and nothing of any table cut at the page edge:
every word lies inside its page, every heading and cell of every table is in the text, and the
rendered pages' outermost pixels are white. One conversion for the module (each takes
seconds). Skips without LibreOffice unless STYRKORT_REQUIRE_BROWSER is true (CI): then it fails.
"""

from __future__ import annotations

import re
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from reports.renderers.pdf import render_pdf
from reports.report import build_report
from reports.report.model import Report

# The module's fixture reads the demo database (pytest-django sets it up only for marked tests).
pytestmark = pytest.mark.django_db

# Words closer to the paper's edge than this (pt) would be cut by a printer's unprintable rim.
EDGE_MARGIN = 12
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Converted:
    report: Report
    pdf: Path


@pytest.fixture(scope="module")
def an_2022(soffice_path, django_db_setup, django_db_blocker, demo_rows, tmp_path_factory):
    """The demo's AN 2022 report and its PDF, built once in a transaction rolled back after."""
    from goals.models import Board
    from tests import demo_database

    with django_db_blocker.unblock(), transaction.atomic():
        if demo_database.is_untouched(demo_rows):
            demo_database.insert(demo_rows)
        else:
            call_command("load_demo", verbosity=0)
        report = build_report(Board.objects.get(code="AN"), 2022)
        content = render_pdf(report)
        transaction.set_rollback(True)
    path = tmp_path_factory.mktemp("pdf") / "verksamhetsberattelse-AN-2022.pdf"
    path.write_bytes(content)
    return Converted(report, path)


def poppler(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


def info(pdf: Path) -> dict[str, str]:
    fields = {}
    for line in poppler("pdfinfo", str(pdf)).splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def test_tagged_swedish_and_titled(an_2022):
    fields = info(an_2022.pdf)
    assert fields["Tagged"] == "yes"
    assert an_2022.report.title in fields["Title"]
    assert "ä" in fields["Title"]  # Verksamhetsberättelse, not a mangled encoding
    assert int(fields["Pages"]) >= 5
    # The catalog's language (pdfinfo does not print it): Swedish, not LibreOffice's en-US.
    languages = set(re.findall(rb"/Lang\s*\(([^)]*)\)", an_2022.pdf.read_bytes()))
    assert languages == {b"sv-SE"}


def test_every_font_is_embedded(an_2022):
    lines = poppler("pdffonts", str(an_2022.pdf)).splitlines()
    header, rows = lines[0], lines[2:]
    assert rows, "inga typsnitt"
    emb = header.index("emb")
    for row in rows:
        assert row[emb : emb + 3].strip() == "yes", row


def pages(pdf: Path) -> list[ET.Element]:
    text = poppler("pdftotext", "-bbox-layout", str(pdf), "-")
    return list(ET.fromstring(text).iter(f"{XHTML}page"))


def test_every_word_lies_inside_its_page(an_2022):
    outside = []
    for number, page in enumerate(pages(an_2022.pdf), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for word in page.iter(f"{XHTML}word"):
            x_min, y_min = float(word.get("xMin")), float(word.get("yMin"))
            x_max, y_max = float(word.get("xMax")), float(word.get("yMax"))
            if (
                x_min < EDGE_MARGIN
                or y_min < EDGE_MARGIN
                or x_max > width - EDGE_MARGIN
                or y_max > height - EDGE_MARGIN
            ):
                outside.append(f"sida {number}: {word.text!r} ({x_min:.0f}–{x_max:.0f} pt)")
    assert not outside, outside[:20]


def squeezed(text: str) -> str:
    """Text as compared: no whitespace (wrapped lines, the thousands separator in "453 257"),
    no list marks ("- " in a cell's text may be drawn as a bullet) and no hyphens at all: a
    line broken at "SFI-|undervisning" reads as "SFIundervisning" from the PDF and a word
    hyphenated by the layout ("Integrations-|och") comes out either way."""
    text = re.sub(r"(?m)^[ \t]*[-•–][ \t]+(?=\S)", "", text)
    return re.sub(r"[\s\u00ad•\-‐]+", "", text)


# A gap between two words of one pdftotext line wider than a space (about 3.5 pt at 11 pt):
# the words stand in neighbouring table cells.
CELL_GAP = 6.0


def cell_stacks(pdf: Path) -> list[str]:
    """The document's text pieces stacked by their left edge, top to bottom and page after
    page: the lines of a text wrapped inside one table cell follow each other here even where
    reading order interleaves them with the neighbouring cells of its row, and a row that
    breaks across a page boundary goes on with the next page's lines at the same edge. A
    pdftotext line spanning neighbouring cells is split where its words are a cell gap apart."""
    columns: dict[int, list[tuple[int, float, str]]] = {}
    for number, page in enumerate(pages(pdf)):
        for line in page.iter(f"{XHTML}line"):
            top = float(line.get("yMin"))
            piece: list[str] = []
            left = right = 0.0
            for word in line.iter(f"{XHTML}word"):
                x_min, x_max = float(word.get("xMin")), float(word.get("xMax"))
                if piece and x_min - right > CELL_GAP:
                    columns.setdefault(round(left), []).append((number, top, " ".join(piece)))
                    piece = []
                if not piece:
                    left = x_min
                piece.append(word.text or "")
                right = x_max
            if piece:
                columns.setdefault(round(left), []).append((number, top, " ".join(piece)))
    return ["\n".join(text for _, _, text in sorted(lines)) for lines in columns.values()]


def test_every_table_cell_and_heading_is_in_the_text(an_2022):
    # Reading order first (not -layout, which sets a table's columns side by side), then the
    # lines stacked per left edge for multi-line cells whose row reading order interleaves.
    plain = squeezed(poppler("pdftotext", str(an_2022.pdf), "-"))
    stacked = "|".join(squeezed(stack) for stack in cell_stacks(an_2022.pdf))
    wanted = []
    for table in an_2022.report.tables:
        wanted.append(table.title)
        wanted.extend(column.label for column in table.columns)
        wanted.extend(cell.text for row in table.rows for cell in row.cells if not cell.covered)
    needles = [text for text in dict.fromkeys(wanted) if squeezed(text)]
    # Last, word by word: a wrapped heading in a right-aligned column starts each line at
    # another left edge, and a word broken at its hyphen joins the next line's. Every word is inside its page (the test above), so a cell whose
    # words are all in the PDF is whole on paper.
    missing = [
        text
        for text in needles
        if squeezed(text) not in plain
        and squeezed(text) not in stacked
        and not all(squeezed(word) in plain for word in text.split())
    ]
    assert len(needles) > 300  # the whole report, not a few cells
    assert not missing, missing[:20]
    assert "453257" in plain  # a driftsammandrag figure, printed as "453 257"


def png_rows(data: bytes) -> tuple[int, int, list[list[int]]]:
    """An 8-bit grayscale or RGB PNG (as pdftoppm writes) as rows of each pixel's darkest
    channel (0 black, 255 white). Pillow is not a dependency; PNG's filters are few."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, width, height, channels = 8, b"", 0, 0, 1
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            assert depth == 8 and color in (0, 2) and interlace == 0, (depth, color, interlace)
            channels = 1 if color == 0 else 3
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[list[int]] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        previous = line
        rows.append([min(line[x : x + channels]) for x in range(0, stride, channels)])
    return width, height, rows


def test_pages_render_with_white_edges(an_2022, tmp_path):
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(an_2022.pdf), str(tmp_path / "sida")],
        check=True,
        timeout=120,
    )
    images = sorted(tmp_path.glob("sida-*.png"))
    assert len(images) == int(info(an_2022.pdf)["Pages"])
    for image in images:
        width, height, rows = png_rows(image.read_bytes())
        right = [row[width - 1] for row in rows]
        bottom = rows[height - 1]
        assert min(right) >= 250, f"{image.name}: något når högerkanten"
        assert min(bottom) >= 250, f"{image.name}: något når nederkanten"


def test_the_contents_list_the_headings_with_the_pages_they_are_on(an_2022):
    """LibreOffice updates the .docx's contents field before the export (the macro in
    reports/renderers/libreoffice/), so the PDF's contents give each heading's real page."""
    contents = poppler("pdftotext", "-f", "2", "-l", "3", "-layout", str(an_2022.pdf), "-")
    assert "Innehåll" in contents
    for heading in ("Målredovisning", "Investeringar", "Nämndindikatorer", "Internkontroll"):
        found = re.search(rf"^\s*{re.escape(heading)}\s*\.{{3,}}\s*(\d+)\s*$", contents, re.M)
        assert found, (heading, contents[:2000])
        page = int(found.group(1))
        assert page > 3
        text = poppler("pdftotext", "-f", str(page), "-l", str(page), str(an_2022.pdf), "-")
        assert heading in text.splitlines(), (heading, page)
