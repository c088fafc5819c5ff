"""`{% entry_panels occasion %}`: the panels higher apps registered for the entry page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from goals.models import ReportingOccasion
from indicators.pages import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def entry_panels(context: template.Context, occasion: ReportingOccasion) -> SafeString:
    return render_panels(context.get("request"), occasion)
