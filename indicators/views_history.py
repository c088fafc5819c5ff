"""The audit trail in the UI: a value's history, and everything changed at an occasion.

Each line says who, when (Europe/Stockholm, as every other page), the value before and after, and the source (formulär,
import, admin, kommando), from django-simple-history's rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.audit import ChangeSource
from goals.access import Action, require
from goals.models import (
    ActivityStatus,
    AssignmentStatus,
    GoalAssessment,
    ReportingOccasion,
    kinds_covering,
)
from goals.periods import OccasionKind, Period, PeriodType
from goals.users import SYSTEM, user_label
from indicators.formatting import format_exact
from indicators.models import Footnote, Indicator, IndicatorValue, MissingReason
from indicators.pages import indicator_page
from indicators.views_entry import get_occasion_for_user

# A row of a simple-history table, which simple-history ships no types for.
HistoryRow = Any

CHANGE_TYPES = {"+": "Skapat", "~": "Ändrat", "-": "Borttaget"}
SOURCE_LABELS = dict(ChangeSource.choices)
REASON_LABELS = dict(MissingReason.choices)
LOG_LIMIT = 500
ASSESSMENT_TEXTS = [
    ("analysis", "Analys"),
    ("results", "Resultat som bidragit"),
    ("other_activities", "Övriga aktiviteter"),
    ("deviations", "Avvikelser"),
]


@dataclass
class HistoryLine:
    when: datetime.datetime
    user: str
    change: str
    source: str
    subject: str
    before: str
    after: str
    comment: str = ""

    @classmethod
    def of(cls, row: HistoryRow, **rest: Any) -> HistoryLine:
        """A line for one simple-history row: its time, user, kind of change and source."""
        return cls(
            when=row.history_date,
            user=_user(row),
            change=CHANGE_TYPES.get(row.history_type, row.history_type),
            source=SOURCE_LABELS.get(row.history_source, "Okänd"),
            **rest,
        )

    @property
    def when_local(self) -> str:
        """The time in Europe/Stockholm (settings.TIME_ZONE), like every other page."""
        return timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M:%S")


def text_change(label: str, before: str | None, after: str | None) -> str:
    """`Analys: ”gammal” → ”ny”` when a text changed, else ''."""
    before, after = (before or "").strip(), (after or "").strip()
    if before == after:
        return ""
    return f"{label}: ”{before or '(tom)'}” → ”{after or '(tom)'}”"


def _user(row: HistoryRow) -> str:
    return user_label(row.history_user, missing=SYSTEM)


def _value_text(row: HistoryRow | None, decimals: int) -> str:
    if row is None or row.history_type == "-":
        return "–"
    if getattr(row, "text", ""):
        return f"\u201d{row.text}\u201d"  # a text outcome
    if row.value is None:
        reason = REASON_LABELS.get(row.missing_reason, row.missing_reason)
        return f"I.U. ({reason})"
    shown = row.decimals if row.decimals is not None else decimals
    # Exactly the stored figure: a rounded Före/Efter would hide a change (9,5 → 10).
    return format_exact(row.value, shown)


def value_lines(
    rows: Iterable[HistoryRow],
    indicators: dict[int, Indicator],
    subjects: Callable[[HistoryRow], str] | None = None,
) -> list[HistoryLine]:
    """History rows of values → lines with the value before and after each change."""
    previous: dict[int, HistoryRow] = {}
    lines: list[HistoryLine] = []
    for row in sorted(rows, key=lambda item: (item.history_date, item.history_id)):
        indicator = indicators[row.indicator_id]
        before = previous.get(row.id)
        subject = (
            subjects(row)
            if callable(subjects)
            else f"{Period(row.year, PeriodType(row.period_type), row.period_number).label}"
        )
        lines.append(
            HistoryLine.of(
                row,
                subject=subject,
                before=_value_text(before, indicator.decimals) if before else "–",
                after=_value_text(row, indicator.decimals),
                comment=(
                    ""
                    if row.history_type == "-"
                    else row.comment
                    if before is None
                    else text_change("Kommentar", before.comment, row.comment)
                ),
            )
        )
        previous[row.id] = row
    return lines


@require_GET
def value_history(request: HttpRequest, value_id: int) -> HttpResponse:
    rows = list(
        IndicatorValue.history.filter(id=value_id)
        .select_related("history_user", "breakdown__org_unit")
        .order_by("history_date", "history_id")
    )
    if not rows:
        raise Http404("Värdet finns inte.")
    indicator = Indicator.objects.select_related("board").filter(pk=rows[-1].indicator_id).first()
    if indicator is None:
        raise Http404("Värdet finns inte.")
    require(request.user, Action.VIEW, indicator.board_id)
    last = rows[-1]
    period = Period(last.year, PeriodType(last.period_type), last.period_number)
    lines = value_lines(rows, {indicator.pk: indicator}) + footnote_lines(value_id)
    lines.sort(key=lambda line: line.when, reverse=True)
    current = IndicatorValue.objects.filter(pk=value_id).first()
    occasion = (
        ReportingOccasion.objects.filter(
            board_id=indicator.board_id,
            year=last.year,
            kind__in=kinds_covering(last.period_type, last.period_number),
        )
        .select_related("board")
        .first()
    )
    return render(
        request,
        "indicators/history/value.html",
        {
            "indicator": indicator,
            "indicator_url": indicator_page(indicator.pk),  # reports registers the page
            "period": period,
            "breakdown": last.breakdown,
            "lines": lines,
            "current": current,
            "deleted": lines[0] if current is None and lines[0].change == "Borttaget" else None,
            "entry_url": reverse(
                "indicators:entry_page", args=[occasion.board.code, occasion.year, occasion.kind]
            )
            if occasion is not None
            else "",
        },
    )


def footnote_lines(value_id: int) -> list[HistoryLine]:
    """Edits of the value's footnote, old text → new text (footnotes have their own history)."""
    previous: dict[int, HistoryRow] = {}
    lines: list[HistoryLine] = []
    rows = (
        Footnote.history.filter(value_id=value_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for row in rows:
        before = previous.get(row.id)
        old = before.text if before is not None else ""
        new = "" if row.history_type == "-" else row.text
        lines.append(
            HistoryLine.of(
                row,
                subject="Fotnot",
                before="–",
                after="–",
                comment=text_change("Fotnot", old, new),
            )
        )
        previous[row.id] = row
    return lines


def _status_lines(
    rows: Iterable[HistoryRow], label_of: Callable[[HistoryRow], str]
) -> list[HistoryLine]:
    previous: dict[int, HistoryRow] = {}
    lines: list[HistoryLine] = []
    for row in sorted(rows, key=lambda item: (item.history_date, item.history_id)):
        before = previous.get(row.id)
        lines.append(
            HistoryLine.of(
                row,
                subject=label_of(row),
                before=before.get_status_display() if before else "–",
                after=row.get_status_display(),
                comment=row.comment
                if before is None
                else text_change("Kommentar", before.comment, row.comment),
            )
        )
        previous[row.id] = row
    return lines


@require_GET
def occasion_log(request: HttpRequest, board_code: str, year: int, kind: str) -> HttpResponse:
    """Every change of the occasion's values, assessments, statuses and state."""
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.VIEW)
    lines = _value_log_lines(occasion)
    lines += _assessment_lines(occasion)
    lines += _status_lines(
        AssignmentStatus.history.filter(occasion_id=occasion.pk).select_related(
            "history_user", "assignment"
        ),
        lambda row: f"Uppdrag: {row.assignment}",
    )
    lines += _status_lines(
        ActivityStatus.history.filter(occasion_id=occasion.pk).select_related(
            "history_user", "activity"
        ),
        lambda row: f"Aktivitet: {row.activity}",
    )
    lines += _transition_lines(occasion)
    lines.sort(key=lambda line: line.when, reverse=True)
    return render(
        request,
        "indicators/history/occasion.html",
        {"occasion": occasion, "lines": lines, "limit": LOG_LIMIT},
    )


def _value_log_lines(occasion: ReportingOccasion) -> list[HistoryLine]:
    """The latest LOG_LIMIT changes of the values due at the occasion (two queries)."""
    periods = reduce(
        or_,
        (
            Q(period_type=period_type, period_number=number)
            for period_type, number in OccasionKind(occasion.kind).due_periods()
        ),
    )
    value_rows = list(
        IndicatorValue.history.filter(year=occasion.year)
        .filter(periods)
        .filter(indicator__board_id=occasion.board_id)
        .select_related("history_user", "breakdown__org_unit")
        .order_by("-history_date")[:LOG_LIMIT]
    )
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(pk__in={row.indicator_id for row in value_rows})
    }

    def subject(row: HistoryRow) -> str:
        period = Period(row.year, PeriodType(row.period_type), row.period_number)
        return f"{indicators[row.indicator_id].name}, {row.breakdown.label}, {period.label}"

    return value_lines(value_rows, indicators, subject)


def _assessment_lines(occasion: ReportingOccasion) -> list[HistoryLine]:
    """Each saved goal assessment: the level before and after, the suggestion, text changes."""
    assessment_rows = (
        GoalAssessment.history.filter(occasion_id=occasion.pk)
        .select_related("history_user", "board_goal")
        .order_by("history_date")
    )
    lines = []
    previous: dict[int, HistoryRow] = {}
    for row in assessment_rows:
        before = previous.get(row.id)
        lines.append(
            HistoryLine.of(
                row,
                subject=f"Bedömning: {row.board_goal.title}",
                before=before.get_level_display() if before else "–",
                after=row.get_level_display(),
                comment=" · ".join(
                    part
                    for part in [
                        f"Förslag: {row.get_suggested_level_display()}"
                        if row.suggested_level
                        else "",
                        *(
                            text_change(label, getattr(before, name, ""), getattr(row, name))
                            for name, label in ASSESSMENT_TEXTS
                        ),
                    ]
                    if part
                ),
            )
        )
        previous[row.id] = row
    return lines


def _transition_lines(occasion: ReportingOccasion) -> list[HistoryLine]:
    """The occasion's state changes (submitted, approved, sent back, reopened)."""
    state_labels = dict(occasion.State.choices)
    lines = []
    for transition in occasion.transitions.select_related("user"):
        lines.append(
            HistoryLine(
                when=transition.at,
                user=user_label(transition.user, missing=SYSTEM),
                change="Status",
                source=SOURCE_LABELS.get(transition.source, "Okänd"),
                subject="Tillfällets status",
                before=state_labels.get(transition.from_state, transition.from_state),
                after=state_labels.get(transition.to_state, transition.to_state),
                comment=transition.reason,
            )
        )
    return lines
