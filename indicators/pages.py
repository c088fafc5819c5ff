"""What the apps above indicators show on, or link from, indicators' pages.

indicators may not import a higher app, load its tag library or reverse its URLs. An app that
wants to show something on an occasion's entry page registers a panel here when it starts
(reports registers the occasion's archived report copies), and the app that owns the indicator
page registers where it is (reports, for the link from a value's history). Both happen in
ReportsConfig.ready(), as budget registers its computed indicators with indicators.computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from goals.models import ReportingOccasion

# A panel gets the request and the occasion and returns its HTML, rendered from its own
# template (so user text is escaped there), or "" to show nothing.
Panel = Callable[[HttpRequest | None, "ReportingOccasion"], str]
IndicatorPage = Callable[[int], str]

_panels: list[Panel] = []
_indicator_page: IndicatorPage | None = None


def register_panel(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def render_panels(request: HttpRequest | None, occasion: ReportingOccasion) -> SafeString:
    """The registered panels in the order they were registered."""
    # A panel that returns plain text gets it escaped: only a rendered template is markup.
    return mark_safe("".join(conditional_escape(panel(request, occasion)) for panel in _panels))


def register_indicator_page(url_of: IndicatorPage) -> None:
    global _indicator_page
    _indicator_page = url_of


def indicator_page(indicator_id: int) -> str:
    """The URL of the page that shows the indicator, or "" when no app shows one."""
    return _indicator_page(indicator_id) if _indicator_page is not None else ""
