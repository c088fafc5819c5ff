"""A posted value field: found among the occasion's fields, read by its form, made an input."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.http import Http404, QueryDict

from goals.models import ReportingOccasion
from goals.periods import Period, PeriodType
from indicators.entry import periods_for
from indicators.forms import ValueForm
from indicators.models import Breakdown, Indicator, IndicatorBreakdown
from indicators.services import ValueInput

PERIOD_NOT_DUE = "Perioden ingår inte i tillfället."

CLEAR_NEEDS_CONFIRM = (
    "Fältet är tomt men har ett sparat värde. Kryssa i \u201dTa bort det sparade värdet\u201d "
    "och spara igen om värdet ska tas bort."
)
FIELD_NAMES = ("value", "missing_reason", "comment", "footnote", "version", "clear")
KEY_PATTERN = re.compile(r"^v(\d+)-(\d+)-([a-z]+)-(\d+)$")


def field_posted(post: QueryDict, prefix: str) -> dict[str, str]:
    return {name: post.get(prefix + name, "") for name in FIELD_NAMES}


def resolve_field(
    occasion: ReportingOccasion, indicator_id: int, breakdown_id: int
) -> tuple[Indicator, Breakdown]:
    """The posted indicator of the occasion's board and its breakdown, else 404.

    One query for an indicator reported by breakdowns: its links of the year bring the
    indicator and the breakdowns, and are handed to the indicator so the save does not read
    them again. An indicator without breakdowns takes the total only.
    """
    links = list(
        IndicatorBreakdown.objects.valid_in(occasion.year)
        .filter(indicator_id=indicator_id, indicator__board_id=occasion.board_id)
        .select_related("indicator", "breakdown__org_unit")
    )
    if links:
        indicator = links[0].indicator
        breakdown = next(
            (link.breakdown for link in links if link.breakdown_id == breakdown_id), None
        )
    else:
        indicator = Indicator.objects.filter(pk=indicator_id, board_id=occasion.board_id).first()
        breakdown = Breakdown.objects.filter(pk=breakdown_id).first()
        if breakdown is not None and not breakdown.is_total:
            breakdown = None
    if indicator is None or breakdown is None:
        raise Http404("Fältet finns inte.")
    indicator.remember_reported_breakdowns(occasion.year, [link.breakdown_id for link in links])
    return indicator, breakdown


def resolve_fields(
    occasion: ReportingOccasion, ids: set[int]
) -> tuple[dict[int, Indicator], dict[int, Breakdown]]:
    """Indicators of the occasion's board by id and their breakdowns of the year (two queries).

    Each indicator is handed its breakdowns, so "Spara alla" reads them once for all rows.
    """
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(pk__in=ids, board_id=occasion.board_id)
    }
    allowed: dict[int, set[int]] = defaultdict(set)
    breakdowns: dict[int, Breakdown] = {}
    for link in (
        IndicatorBreakdown.objects.valid_in(occasion.year)
        .filter(indicator_id__in=list(indicators))
        .select_related("breakdown__org_unit")
    ):
        allowed[link.indicator_id].add(link.breakdown_id)
        breakdowns[link.breakdown_id] = link.breakdown
    for pk, indicator in indicators.items():
        indicator.remember_reported_breakdowns(occasion.year, allowed.get(pk, ()))
    if any(not allowed.get(pk) for pk in indicators):
        total = Breakdown.objects.filter(code="total").first()
        if total is not None:
            breakdowns[total.pk] = total
    return indicators, breakdowns


@dataclass
class PostedField:
    key: str
    indicator: Indicator
    breakdown: Breakdown
    period: Period
    typed: dict[str, str]
    form: ValueForm


def posted_field(
    occasion: ReportingOccasion,
    *,
    indicator: Indicator,
    breakdown: Breakdown,
    period_type: str,
    period_number: str,
    typed: dict[str, str],
) -> PostedField:
    """One posted field checked against the occasion: 404 if it is not one of its fields."""
    try:
        if len(str(period_number)) > 2:
            raise ValueError(period_number)
        period = Period(occasion.year, PeriodType(period_type), int(period_number))
    except ValueError:
        raise Http404("Fältet finns inte.") from None
    if period not in periods_for(indicator, occasion.kind, occasion.year):
        raise Http404(PERIOD_NOT_DUE)
    form = ValueForm(
        {
            **typed,
            "indicator": indicator.pk,
            "breakdown": breakdown.pk,
            "period_type": period.type.value,
            "period_number": period.number,
        },
        unit=indicator.unit,
    )
    key = f"v{indicator.pk}-{breakdown.pk}-{period.type.value}-{period.number}"
    return PostedField(key, indicator, breakdown, period, typed, form)


def value_input(posted: PostedField) -> tuple[ValueInput | None, list[str]]:
    """The service's input for a posted field, or the form's messages."""
    form = posted.form
    if not form.is_valid():
        return None, [str(message) for messages_ in form.errors.values() for message in messages_]
    data = form.cleaned_data
    clearing = data["number"] is None and not data["is_missing"] and not data["text"]
    if clearing and data["version"] > 0 and not posted.typed.get("clear"):
        return None, [CLEAR_NEEDS_CONFIRM]
    return (
        ValueInput(
            indicator=posted.indicator,
            breakdown=posted.breakdown,
            period=posted.period,
            value=data["number"],
            text=data["text"],
            missing_reason=data["missing_reason"],
            is_missing=data["is_missing"],
            comment=data["comment"],
            footnote=data["footnote"],
            expected_version=data["version"],
            key=posted.key,
        ),
        [],
    )


def field_answer(
    *, state: str, version: int, messages_: list[tuple[str, str]], **extra: Any
) -> dict[str, Any]:
    return {
        "state": state,
        "version": version,
        "messages": [{"kind": kind, "text": text} for kind, text in messages_],
        **extra,
    }
