"""Words of a PDF per page with their boxes (pdftotext -bbox), for the print tests."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import BROWSER_REQUIRED


@dataclass
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    def outside(self) -> list[Word]:
        """Words that lie (partly) beyond the page's edges."""
        return [
            word
            for word in self.words
            if word.x_min < 0
            or word.y_min < 0
            or word.x_max > self.width + 0.5
            or word.y_max > self.height + 0.5
        ]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[Page] = []
        self.word: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "page":
            self.pages.append(
                Page(len(self.pages) + 1, float(values["width"]), float(values["height"]), [])
            )
        elif tag == "word":
            self.word = values

    def handle_data(self, data):
        if self.word is not None and self.pages:
            box = self.word
            self.pages[-1].words.append(
                Word(
                    data,
                    float(box["xmin"]),
                    float(box["ymin"]),
                    float(box["xmax"]),
                    float(box["ymax"]),
                )
            )
            self.word = None


def pdf_pages(pdf: Path) -> list[Page]:
    if shutil.which("pdftotext") is None:
        if BROWSER_REQUIRED:
            pytest.fail("pdftotext (poppler-utils) krävs men finns inte")
        pytest.skip("pdftotext saknas: installera poppler-utils")
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    reader = _Reader()
    reader.feed(html)
    return reader.pages
