"""build_document(board, year, document): any of a board's documents as a Report.

The one dispatcher the downloads, `manage.py export_report --kind` and the archive use; each
kind has its own builder. `document` is a goals.models.DocumentKind value.
"""

from __future__ import annotations

import datetime

from goals.models import Board, DocumentKind, PlanKind
from reports.report.build import build_report
from reports.report.model import Report
from reports.report.plan_data import plan_years
from reports.report.plans import build_plan


def document_years(year: int) -> range:
    """The years any document of `year` reads (its data token): a plan's, which include a
    report's (reports.report.data.report_years)."""
    return plan_years(year)


def build_document(
    board: Board,
    year: int,
    document: str,
    *,
    now: datetime.datetime | None = None,
    as_of: datetime.datetime | None = None,
) -> Report:
    kind = DocumentKind(document)
    if kind == DocumentKind.VERKSAMHETSBERATTELSE:
        return build_report(board, year, now=now, as_of=as_of)
    if kind in (DocumentKind.INTERNBUDGET, DocumentKind.VERKSAMHETSPLAN):
        return build_plan(board, year, PlanKind(kind.value), as_of=as_of, now=now)
    from reports.report.interim import build_interim  # the delårsrapport (issue 15)

    return build_interim(board, year, kind, now=now)


def document_for_occasion(occasion_kind: str) -> DocumentKind:
    """The document an approved occasion archives: its delårsrapport, else the year's
    verksamhetsberättelse (helår and the plain quarters)."""
    return DocumentKind.for_occasion(occasion_kind) or DocumentKind.VERKSAMHETSBERATTELSE
