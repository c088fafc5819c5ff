"""Mapping as data: which Kolada KPI an indicator is compared with, which group of similar
municipalities a board compares itself with, and the municipality's Kolada code.

Only an administrator of every board may change them (`on_every_board(ADMINISTER)`): the
KPI list and the groups are the municipality's, not one board's. Each write checks the right,
runs `full_clean()` in one transaction and refuses with a Swedish message (constants below,
reused by the tests); a refused write changes nothing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from core.lists import contains_text
from core.types import AnyUser
from goals.access import Action, on_every_board
from goals.models import Board, Municipality
from indicators.models import Indicator, KoladaGroup, KoladaKpi, KoladaLink, KoladaPeerGroup

NO_RIGHT = "Bara systemförvaltaren kan ändra kopplingarna till Kolada."
NO_KPI_CHOSEN = "Välj ett nyckeltal att koppla indikatorn till."
UNKNOWN_KPI = "Nyckeltalet {kpi} finns inte bland de hämtade nyckeltalen från Kolada."
NOT_LINKED = "Indikatorn är inte kopplad till något nyckeltal."
NO_GROUP_CHOSEN = "Välj en kommungrupp."
UNKNOWN_GROUP = "Kommungruppen finns inte bland de hämtade grupperna från Kolada."
BAD_CODE = "Kolada-koden är fyra siffror, t.ex. 0580 för Linköping."
SEARCH_TOO_SHORT = "Skriv minst två tecken: ett KPI-id (t.ex. N00097) eller ord ur titeln."
SEARCH_LIMIT = 50
CODE_PATTERN = re.compile(r"\d{4}")


def _require(user: AnyUser) -> None:
    if not on_every_board(user, Action.ADMINISTER):
        raise ValidationError(NO_RIGHT, code="no_right")


def search_kpis(text: str, *, limit: int = SEARCH_LIMIT) -> QuerySet[KoladaKpi]:
    """Imported KPIs whose id starts with the text or whose title holds every word of it."""
    words = text.split()
    condition = Q(id__istartswith=text.strip())
    if words:
        by_title = Q()
        for word in words:
            by_title &= contains_text(["title"], word)
        condition |= by_title
    return KoladaKpi.objects.filter(condition).order_by("id")[:limit]


@transaction.atomic
def link_indicator(*, user: AnyUser, indicator: Indicator, kpi_id: str) -> KoladaLink:
    """Compare the indicator with the KPI (replacing any earlier link)."""
    _require(user)
    kpi_id = kpi_id.strip()
    if not kpi_id:
        raise ValidationError(NO_KPI_CHOSEN, code="no_kpi")
    kpi = KoladaKpi.objects.filter(pk=kpi_id).first()
    if kpi is None:
        raise ValidationError(UNKNOWN_KPI.format(kpi=kpi_id), code="unknown_kpi")
    link = KoladaLink.objects.select_for_update().filter(indicator=indicator).first()
    link = link or KoladaLink(indicator=indicator)
    link.kpi = kpi
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def unlink_indicator(*, user: AnyUser, indicator: Indicator) -> None:
    _require(user)
    deleted, _ = KoladaLink.objects.filter(indicator=indicator).delete()
    if not deleted:
        raise ValidationError(NOT_LINKED, code="not_linked")


@transaction.atomic
def set_peer_group(*, user: AnyUser, board: Board, group_id: str) -> KoladaPeerGroup | None:
    """The board's group of similar municipalities; an empty id removes the choice."""
    _require(user)
    group_id = group_id.strip()
    if not group_id:
        KoladaPeerGroup.objects.filter(board=board).delete()
        return None
    group = KoladaGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise ValidationError(UNKNOWN_GROUP, code="unknown_group")
    chosen = KoladaPeerGroup.objects.select_for_update().filter(board=board).first()
    chosen = chosen or KoladaPeerGroup(board=board)
    chosen.group = group
    chosen.full_clean()
    chosen.save()
    return chosen


@transaction.atomic
def set_municipality_code(*, user: AnyUser, municipality: Municipality, code: str) -> Municipality:
    _require(user)
    code = code.strip()
    if code and not CODE_PATTERN.fullmatch(code):
        raise ValidationError({"code": BAD_CODE}, code="bad_code")
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    municipality.code = code
    municipality.full_clean()
    municipality.save(update_fields=["code"])
    return municipality
