"""How a status is shown: always a symbol and a text, never colour alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from goals.models import AssessmentLevel

NOT_ASSESSED = "ej_bedomd"


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    symbol: str

    @property
    def css_class(self) -> str:
        return f"status-{self.key}"


GOAL_STATUSES: dict[str, Status] = {
    AssessmentLevel.ACHIEVED.value: Status(AssessmentLevel.ACHIEVED.value, "Uppnått", "✔"),
    AssessmentLevel.PARTLY.value: Status(AssessmentLevel.PARTLY.value, "Delvis uppnått", "◐"),
    AssessmentLevel.NOT_ACHIEVED.value: Status(
        AssessmentLevel.NOT_ACHIEVED.value, "Ej uppnått", "✖"
    ),
    NOT_ASSESSED: Status(NOT_ASSESSED, "Ej bedömd", "○"),
}
GOAL_STATUS_ORDER = [
    AssessmentLevel.ACHIEVED.value,
    AssessmentLevel.PARTLY.value,
    AssessmentLevel.NOT_ACHIEVED.value,
    NOT_ASSESSED,
]

TARGET_MET = "nadd"
TARGET_NOT_MET = "ej_nadd"
TARGET_UNKNOWN = "kan_ej_bedomas"

TARGET_STATUSES: dict[str, Status] = {
    TARGET_MET: Status(TARGET_MET, "Målvärdet nås", "✔"),
    TARGET_NOT_MET: Status(TARGET_NOT_MET, "Målvärdet nås inte", "✖"),
    TARGET_UNKNOWN: Status(TARGET_UNKNOWN, "Kan inte bedömas", "–"),
}
TARGET_STATUS_ORDER = [TARGET_MET, TARGET_NOT_MET, TARGET_UNKNOWN]


def goal_status(level: str | None) -> Status:
    return GOAL_STATUSES[level or NOT_ASSESSED]


def target_status(met: bool | None) -> Status:
    if met is None:
        return TARGET_STATUSES[TARGET_UNKNOWN]
    return TARGET_STATUSES[TARGET_MET if met else TARGET_NOT_MET]


def suggest_level(judgements: Iterable[bool | None]) -> str | None:
    """The assessment the indicators point to: all met = Uppnått, none met = Ej uppnått.

    Indicators that cannot be judged (I.U., text targets, no target) are not counted;
    with nothing to judge there is no suggestion.
    """
    judged = [met for met in judgements if met is not None]
    if not judged:
        return None
    if all(judged):
        return AssessmentLevel.ACHIEVED.value
    if not any(judged):
        return AssessmentLevel.NOT_ACHIEVED.value
    return AssessmentLevel.PARTLY.value
