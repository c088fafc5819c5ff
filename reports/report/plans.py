"""build_plan(board, year, kind): a plan document (internbudget, verksamhetsplan) as a Report.

The one entry point pages, downloads and `manage.py export_plan` use; each kind has its own
builder module. `as_of` is the moment the plan's figures stand as of (goals.selectors
.plan_cutoff gives a decided plan's); `occasion` makes a verksamhetsplan its follow-up.
"""

from __future__ import annotations

import datetime

from goals.models import Board, PlanKind, ReportingOccasion
from reports.report.document import attach_document
from reports.report.internbudget import build_internbudget
from reports.report.model import Report
from reports.report.verksamhetsplan import build_verksamhetsplan


def build_plan(
    board: Board,
    year: int,
    kind: str,
    *,
    as_of: datetime.datetime | None = None,
    occasion: ReportingOccasion | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    if kind == PlanKind.INTERNBUDGET:
        report = build_internbudget(board, year, as_of=as_of, now=now)
    elif kind == PlanKind.VERKSAMHETSPLAN:
        report = build_verksamhetsplan(board, year, occasion=occasion, now=now)
    else:
        raise ValueError(f"Okänt slag av plan: {kind!r}")
    return attach_document(report, board, year)
