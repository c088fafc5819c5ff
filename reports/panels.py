"""The occasion's archived report copies with their SHA-256, as a panel on its entry page.

Registered with indicators.pages in ReportsConfig.ready(), so the occasion's page (an
indicators template) lists the copies without indicators importing reports. Shown to users
who may export the board's reports (goals.access Action.EXPORT); one query, whatever the number
of copies.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from goals.access import Action, can
from goals.models import ReportingOccasion
from reports.archive import archives_of


def archived_reports(request: HttpRequest | None, occasion: ReportingOccasion) -> str:
    user = getattr(request, "user", None)
    context: dict[str, object]
    if user is None or not can(user, Action.EXPORT, occasion.board_id):
        context = {"show": False}
    else:
        context = {"show": True, "occasion": occasion, "archives": list(archives_of(occasion))}
    return render_to_string("reports/_archived_reports.html", context)
