"""The economy dashboard: budget vs bokslut per driftsammandrag line and the year's forecasts."""

from __future__ import annotations

from dataclasses import dataclass, field

from goals.models import Board


@dataclass
class EconomyDashboard:
    board: Board
    year: int
    lines: list = field(default_factory=list)


def economy_dashboard(board: Board, year: int) -> EconomyDashboard:
    return EconomyDashboard(board=board, year=year)
