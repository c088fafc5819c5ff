"""A document's outline: the municipality's own (OutlineItem rows) or the defaults.

The defaults are data too (reports/outlines.toml, following seed 001's table of contents).
This module is the one reader of both; builders call `outline_for` and renderers only see
the OutlineEntry list on the Report.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from goals.models import DocumentKind
from reports.models import OutlineItem
from reports.report.model import OutlineEntry, OutlineKind

DEFAULTS_PATH = Path(__file__).with_name("outlines.toml")


@dataclass(frozen=True)
class OutlineLine:
    """One line of an outline before the year is filled in (a row or a default)."""

    kind: OutlineKind
    title: str = ""
    level: int = 1
    key: str = ""

    def entry(self, year: int) -> OutlineEntry:
        title = self.title.format(year=year, previous_year=year - 1) if self.title else ""
        return OutlineEntry(self.kind, title, self.level, self.key)


def _line(raw: dict) -> OutlineLine:
    if "heading" in raw:
        return OutlineLine(OutlineKind.HEADING, raw["heading"], int(raw.get("level", 1)))
    if "text" in raw:
        return OutlineLine(OutlineKind.NARRATIVE, raw.get("title", ""), 1, raw["text"])
    return OutlineLine(OutlineKind.TABLE, raw.get("title", ""), 1, raw["table"])


@cache
def _defaults() -> dict:
    with DEFAULTS_PATH.open("rb") as file:
        return tomllib.load(file)


def default_lines(document: str) -> tuple[OutlineLine, ...]:
    return tuple(_line(raw) for raw in _defaults()[DocumentKind(document).value])


def table_choices(document: str) -> dict[str, str]:
    """The tables (and sheets) the document offers its outline: key → name."""
    return dict(_defaults()["tables"][DocumentKind(document).value])


def is_customised(document: str) -> bool:
    return OutlineItem.objects.filter(document=document).exists()


def outline_lines(document: str) -> list[OutlineLine]:
    """The municipality's outline of the document, else the default. One query."""
    rows = OutlineItem.objects.filter(document=document).order_by("position")
    lines = [OutlineLine(OutlineKind(row.item_kind), row.title, row.level, row.key) for row in rows]
    return lines or list(default_lines(document))


def outline_for(document: str, year: int) -> list[OutlineEntry]:
    return [line.entry(year) for line in outline_lines(document)]


def narrative_sections(document: str) -> list[OutlineLine]:
    """The narrative sections of the document, in outline order (the Texter page's fields)."""
    return [line for line in outline_lines(document) if line.kind == OutlineKind.NARRATIVE]
