"""Template filters of the dashboards and the indicator page."""

from __future__ import annotations

from django import template

from core.audit import history_type_label as label_of

register = template.Library()


@register.filter
def history_type_label(history_type: str) -> str:
    """ "+" → "Skapad": simple-history's kind of change in Swedish."""
    return label_of(history_type)
