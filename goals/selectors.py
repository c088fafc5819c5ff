"""Reads of the occasion workflow: what is still missing before submit, and send-back notes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from goals.models import OccasionTransition, ReportingOccasion
from goals.providers import entry_sheet

State = ReportingOccasion.State


@dataclass
class SubmissionGaps:
    """What a submit would send in without: each list holds the labels shown to the user."""

    values: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    total: int = 0  # every field, assessment and status the occasion asks for

    @property
    def count(self) -> int:
        return (
            len(self.values) + len(self.assessments) + len(self.assignments) + len(self.activities)
        )

    @property
    def everything_missing(self) -> bool:
        return self.total > 0 and self.count == self.total

    def groups(self) -> list[tuple[str, list[str]]]:
        """The non-empty groups with their Swedish headings, in page order."""
        named = [
            ("Fält utan värde eller I.U.", self.values),
            ("Nämndmål utan bedömning", self.assessments),
            ("Uppdrag utan status", self.assignments),
            ("Aktiviteter utan status", self.activities),
        ]
        return [(heading, items) for heading, items in named if items]

    def summary(self) -> str:
        """Plain text for the workflow step: one line per gap under its heading."""
        lines = []
        for heading, items in self.groups():
            lines.append(f"{heading} ({len(items)}):")
            lines += [f"- {item}" for item in items]
        return "\n".join(lines)


def submission_gaps(sheet: Any) -> SubmissionGaps:
    """Read the gaps from an entry sheet (indicators.entry.EntrySheet), with no further query.

    Typed Any: goals may not import indicators, where the sheet's type lives.
    """
    gaps = SubmissionGaps()
    gaps.values = [entry.label for entry in sheet.missing]
    gaps.total = sheet.field_count
    if sheet.occasion.assesses_goals:
        blocks = [block for area in sheet.areas for block in area.goals]
        gaps.assessments = [block.goal.title for block in blocks if block.assessment is None]
        gaps.total += len(blocks)
    gaps.assignments = [str(item.item) for item in sheet.assignments if item.status is None]
    gaps.activities = [str(item.item) for item in sheet.activities if item.status is None]
    gaps.total += len(sheet.assignments) + len(sheet.activities)
    return gaps


def occasion_gaps(occasion: ReportingOccasion) -> SubmissionGaps:
    # The sheet is built by indicators, which registers its builder (goals.providers).
    return submission_gaps(entry_sheet(occasion))


def send_back_notes(occasions: Iterable[ReportingOccasion]) -> dict[int, OccasionTransition]:
    """Per open occasion whose last step was a send-back: that step (one query for all).

    The reason stays on the controller's page until the occasion is submitted again.
    """
    open_ids = [occasion.pk for occasion in occasions if occasion.state == State.OPEN]
    if not open_ids:
        return {}
    latest: dict[int, OccasionTransition] = {}
    steps = (
        OccasionTransition.objects.filter(occasion_id__in=open_ids)
        .select_related("user")
        .order_by("occasion_id", "-at", "-pk")
    )
    for step in steps:
        latest.setdefault(step.occasion_id, step)
    return {
        occasion_id: step
        for occasion_id, step in latest.items()
        if step.from_state == State.SUBMITTED and step.to_state == State.OPEN
    }
