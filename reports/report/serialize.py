"""The report as JSON-ready data (for the archive) and back, without loss.

Numbers are written as strings of their exact Decimal value with the cell's format, so a
report read back renders the same figures as the one that was stored.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from reports.report.model import (
    TEXT,
    Cell,
    Column,
    Footnote,
    OutlineEntry,
    OutlineKind,
    Part,
    Report,
    ReportKind,
    ReportTable,
    Row,
    RowKind,
)

FORMAT_VERSION = 1


def _cell_to_json(cell: Cell) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if cell.covered:
        return {"covered": True}
    value = cell.value
    if isinstance(value, Decimal):
        data["value"] = str(value)
    elif value is not None:
        data["value"] = value
    if cell.format != TEXT:
        data["format"] = cell.format
    if cell.suffix:
        data["suffix"] = cell.suffix
    if cell.parts is not None:
        data["parts"] = [
            {
                "text": part.text,
                **({"italic": True} if part.italic else {}),
                **({"marks": part.marks} if part.marks else {}),
            }
            for part in cell.parts
        ]
    for name in ("marks",):
        if getattr(cell, name):
            data[name] = getattr(cell, name)
    for name in ("bold", "italic"):
        if getattr(cell, name):
            data[name] = True
    for name in ("rowspan", "colspan"):
        if getattr(cell, name) != 1:
            data[name] = getattr(cell, name)
    return data


def _cell_from_json(data: dict[str, Any]) -> Cell:
    if data.get("covered"):
        return Cell.covered_cell()
    cell_format = data.get("format", TEXT)
    value = data.get("value")
    if cell_format != TEXT and isinstance(value, str):
        value = Decimal(value)
    parts = data.get("parts")
    return Cell(
        value=value,
        format=cell_format,
        suffix=data.get("suffix", ""),
        parts=None
        if parts is None
        else [
            Part(p["text"], italic=p.get("italic", False), marks=p.get("marks", [])) for p in parts
        ],
        marks=data.get("marks", []),
        bold=data.get("bold", False),
        italic=data.get("italic", False),
        rowspan=data.get("rowspan", 1),
        colspan=data.get("colspan", 1),
    )


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "board": {"code": report.board_code, "name": report.board_name},
        "year": report.year,
        "kind": report.kind.value,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "subtitle": report.subtitle,
        "generated_at": report.generated_at.isoformat(),
        "status_line": report.status_line,
        "outline": [
            {"kind": entry.kind.value, "title": entry.title, "level": entry.level, "key": entry.key}
            for entry in report.outline
        ],
        "narratives": report.narratives,
        "tables": [
            {
                "key": table.key,
                "title": table.title,
                "sheet": table.sheet,
                "sheet_title": table.sheet_title,
                "headings": table.headings,
                "columns": [
                    {
                        "key": column.key,
                        "label": column.label,
                        "numeric": column.numeric,
                        "group": column.group,
                        "width": column.width,
                        "wrap": column.wrap,
                    }
                    for column in table.columns
                ],
                "rows": [
                    {"kind": row.kind.value, "cells": [_cell_to_json(cell) for cell in row.cells]}
                    for row in table.rows
                ],
                "footnotes": [
                    {"number": note.number, "text": note.text} for note in table.footnotes
                ],
                "notes": table.notes,
            }
            for table in report.tables
        ],
    }


def report_from_json(data: dict[str, Any]) -> Report:
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"Okänt format på sparad rapport: {data.get('format_version')!r}")
    report = Report(
        board_code=data["board"]["code"],
        board_name=data["board"]["name"],
        year=data["year"],
        generated_at=datetime.datetime.fromisoformat(data["generated_at"]),
        # Reports archived before kinds existed are verksamhetsberättelser.
        kind=ReportKind(data.get("kind", ReportKind.VERKSAMHETSBERATTELSE)),
        as_of=datetime.datetime.fromisoformat(data["as_of"]) if data.get("as_of") else None,
        subtitle=data.get("subtitle", ""),
        status_line=data.get("status_line", ""),
        # Reports archived before outlines existed are their tables alone.
        outline=[
            OutlineEntry(OutlineKind(entry["kind"]), entry["title"], entry["level"], entry["key"])
            for entry in data.get("outline", [])
        ],
        narratives=dict(data.get("narratives", {})),
    )
    for table in data["tables"]:
        report.tables.append(
            ReportTable(
                key=table["key"],
                title=table["title"],
                sheet=table["sheet"],
                sheet_title=table["sheet_title"],
                headings=table["headings"],
                columns=[Column(**column) for column in table["columns"]],
                rows=[
                    Row(RowKind(row["kind"]), [_cell_from_json(cell) for cell in row["cells"]])
                    for row in table["rows"]
                ],
                footnotes=[Footnote(**note) for note in table["footnotes"]],
                notes=table["notes"],
            )
        )
    return report
