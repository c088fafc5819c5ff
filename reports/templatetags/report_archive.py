"""`{% archived_reports occasion %}`: the occasion's archived report copies with their SHA-256.

A template tag, so the occasion's page (an indicators template) lists the copies without
indicators importing reports. Shown to users who may export the board's reports
(goals.access Action.EXPORT); one query, whatever the number of copies.
"""

from __future__ import annotations

from django import template

from goals.access import Action, can
from reports.archive import archives_of

register = template.Library()


@register.inclusion_tag("reports/_archived_reports.html", takes_context=True)
def archived_reports(context, occasion):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can(user, Action.EXPORT, occasion.board_id):
        return {"show": False}
    return {"show": True, "occasion": occasion, "archives": list(archives_of(occasion))}
