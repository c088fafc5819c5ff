"""What the apps above goals provide for a reporting occasion, registered when they start.

goals runs an occasion's workflow (submit, approve, send back, reopen) but two things it needs
belong to `indicators`, which goals may not import or reverse: the page where the occasion is
worked on (the entry page, to send the user back after a step) and the occasion's entry sheet
(what is to be reported, to list what is missing before a submit). indicators registers both in
IndicatorsConfig.ready(), the way budget registers its computed indicators with
indicators.computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from goals.models import ReportingOccasion

OccasionPage = Callable[["ReportingOccasion"], str]
# The sheet needs `missing`, `field_count`, `areas`, `assignments`, `activities` and
# `occasion` (indicators.entry.EntrySheet); see goals.selectors.submission_gaps.
EntrySheetBuilder = Callable[["ReportingOccasion"], Any]

_occasion_page: OccasionPage | None = None
_entry_sheet: EntrySheetBuilder | None = None

NOT_REGISTERED = "Ingen app har registrerat {what} för ett uppföljningstillfälle."


def register_occasion_page(url_of: OccasionPage) -> None:
    global _occasion_page
    _occasion_page = url_of


def register_entry_sheet(build: EntrySheetBuilder) -> None:
    global _entry_sheet
    _entry_sheet = build


def occasion_page(occasion: ReportingOccasion) -> str:
    """The URL of the page where the occasion is worked on."""
    if _occasion_page is None:
        raise ImproperlyConfigured(NOT_REGISTERED.format(what="sidan"))
    return _occasion_page(occasion)


def entry_sheet(occasion: ReportingOccasion) -> Any:
    """The occasion's entry sheet, as the app that owns outcome entry builds it."""
    if _entry_sheet is None:
        raise ImproperlyConfigured(NOT_REGISTERED.format(what="inmatningsbladet"))
    return _entry_sheet(occasion)
