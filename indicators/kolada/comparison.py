"""The comparison with similar municipalities: Kolada's figures for a board's linked indicators.

For each indicator with a `KoladaLink` and each year asked for: the municipality's own Kolada
figure, the peer group's mean (and median when at least MEDIAN_MIN_PEERS peers have a value),
Riket, and the municipality's rank among the peers following the indicator's direction. Own
figures are Kolada's for the municipality (`Municipality.code`), never `IndicatorValue`: the
terms let only Kolada's own figures carry "Källa: Kolada".

Four queries whatever the number of indicators, peers and years: the links with their KPIs,
the board's peer group, its members, and the values of all of them at once.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from goals.models import Board
from indicators.models import (
    Indicator,
    KoladaGender,
    KoladaKpi,
    KoladaLink,
    KoladaPeerGroup,
    KoladaValue,
)

RIKET = "0000"
MEDIAN_MIN_PEERS = 5  # a median of fewer says little, and names single municipalities


@dataclass(frozen=True)
class YearComparison:
    year: int
    own: Decimal | None
    peer_mean: Decimal | None
    peer_median: Decimal | None
    riket: Decimal | None
    rank: int | None  # 1 = best among the municipality and its peers with a value
    ranked: int  # how many were ranked: the peers with a value and the municipality
    peers_with_value: int
    preliminary: bool

    @property
    def has_figures(self) -> bool:
        return any(v is not None for v in (self.own, self.peer_mean, self.riket))


@dataclass(frozen=True)
class IndicatorComparison:
    indicator: Indicator
    kpi: KoladaKpi
    years: list[YearComparison]


@dataclass
class Comparison:
    municipality_code: str
    group_title: str = ""
    peer_count: int = 0
    indicators: list[IndicatorComparison] = field(default_factory=list)

    def for_indicator(self, indicator_id: int) -> IndicatorComparison | None:
        for item in self.indicators:
            if item.indicator.pk == indicator_id:
                return item
        return None


def is_preliminary(stored: bool, kpi: KoladaKpi, year: int, today: datetime.date) -> bool:
    """Preliminary as imported, until the KPI's publication date for the year has passed."""
    if not stored:
        return False
    published = kpi.publication_date is not None and kpi.publication_date <= today
    period = int(kpi.publ_period) if kpi.publ_period.isdigit() else None
    return not (published and period is not None and year <= period)


def rank_among(own: Decimal | None, peers: Sequence[Decimal], direction: str) -> int | None:
    """1 + the number of peers strictly better; ties share a rank. None without a direction."""
    if own is None:
        return None
    if direction == Indicator.Direction.HIGHER:
        return 1 + sum(1 for value in peers if value > own)
    if direction == Indicator.Direction.LOWER:
        return 1 + sum(1 for value in peers if value < own)
    return None


def compare(
    *,
    board: Board,
    indicators: Iterable[Indicator],
    years: Sequence[int],
    today: datetime.date | None = None,
) -> Comparison:
    """The comparison for the linked ones of `indicators` (all of one board) in `years`."""
    today = today or datetime.date.today()
    code = board.municipality.code
    by_id = {indicator.pk: indicator for indicator in indicators}
    result = Comparison(municipality_code=code)
    links = list(
        KoladaLink.objects.filter(indicator_id__in=list(by_id)).select_related("kpi")
        if by_id
        else []
    )
    peer_group = (
        KoladaPeerGroup.objects.filter(board=board).select_related("group").first()
        if links
        else None
    )
    peers: list[str] = []
    if peer_group is not None:
        result.group_title = peer_group.group.title
        members = peer_group.group.members.values_list("id", flat=True)
        # The municipality is ranked beside its peers, never counted among them.
        peers = [member for member in members if member not in (code, RIKET)]
        result.peer_count = len(peers)
    if not links or not years:
        return result
    figures: dict[tuple[str, str, int], tuple[Decimal | None, bool]] = {}
    rows = KoladaValue.objects.filter(
        kpi_id__in={link.kpi_id for link in links},
        year__in=list(years),
        gender=KoladaGender.TOTAL,
        municipality_id__in=[code, RIKET, *peers],
    ).values_list("kpi_id", "municipality_id", "year", "value", "preliminary")
    for kpi_id, municipality_id, year, value, preliminary in rows:
        figures[(kpi_id, municipality_id, year)] = (value, preliminary)

    def figure(kpi: KoladaKpi, municipality: str, year: int) -> tuple[Decimal | None, bool]:
        value, stored = figures.get((kpi.id, municipality, year), (None, False))
        return value, is_preliminary(stored, kpi, year, today)

    order = {indicator.pk: index for index, indicator in enumerate(by_id.values())}
    for link in sorted(links, key=lambda link: order[link.indicator_id]):
        indicator, kpi = by_id[link.indicator_id], link.kpi
        per_year = []
        for year in years:
            own, own_prel = figure(kpi, code, year) if code else (None, False)
            riket, riket_prel = figure(kpi, RIKET, year)
            peer_figures = [figure(kpi, peer, year) for peer in peers]
            values = [value for value, _ in peer_figures if value is not None]
            preliminary = (
                (own_prel and own is not None)
                or (riket_prel and riket is not None)
                or any(prel for value, prel in peer_figures if value is not None)
            )
            per_year.append(
                YearComparison(
                    year=year,
                    own=own,
                    peer_mean=sum(values, Decimal(0)) / len(values) if values else None,
                    peer_median=(
                        statistics.median(values) if len(values) >= MEDIAN_MIN_PEERS else None
                    ),
                    riket=riket,
                    rank=rank_among(own, values, indicator.direction) if values else None,
                    ranked=len(values) + 1,
                    peers_with_value=len(values),
                    preliminary=preliminary,
                )
            )
        result.indicators.append(IndicatorComparison(indicator=indicator, kpi=kpi, years=per_year))
    return result
