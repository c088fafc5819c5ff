"""Values of computed indicators, supplied by the apps that own the underlying data.

`indicators` must not import `budget`, so budget registers a provider here when it starts
(see budget.apps). Readers ask `computed_values()` and get plain `ComputedValue`s that look
like stored yearly values but are never written to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from goals.periods import PeriodType


@dataclass(frozen=True)
class ComputedValue:
    indicator_id: int
    year: int
    value: Decimal | None
    decimals: int | None = None
    missing_reason: str = ""
    period_type: str = PeriodType.YEAR
    period_number: int = 1
    breakdown_id: int | None = None
    explanation: str = ""
    footnotes: tuple = field(default=())

    is_computed = True

    @property
    def is_missing(self) -> bool:
        return self.value is None


# A provider gets (computed kind → list of indicators of that kind) and the years wanted,
# and returns the values it can compute, in as few queries as it likes but not per indicator.
Provider = Callable[[dict[str, list], Iterable[int]], list[ComputedValue]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def computed_values(indicators: Iterable, years: Iterable[int]) -> list[ComputedValue]:
    by_kind: dict[str, list] = {}
    for indicator in indicators:
        if indicator.computed:
            by_kind.setdefault(indicator.computed, []).append(indicator)
    if not by_kind:
        return []
    years = list(years)
    results: list[ComputedValue] = []
    for provider in _providers:
        results.extend(provider(by_kind, years))
    return results
