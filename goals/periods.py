"""Periods of the year and the reporting occasions that fall due in them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models

# The months' Swedish names, indexed by month number (MONTH_NAMES[8] == "augusti").
MONTH_NAMES = (
    "",
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def swedish_date(day: datetime.date) -> str:
    """A day as Swedish text writes it: "20 oktober 2021"."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


INVALID_DAY = "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2021-10-20."
FUTURE_DAY = "Datumet {date} har inte varit än: välj i dag eller en tidigare dag."


def parse_day(text: str, *, today: datetime.date) -> datetime.date:
    """A day as typed for "as of" (ISO, 2021-10-20) that has been; ValueError with the
    Swedish message otherwise. The one reader of such a day: pages, forms and commands."""
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(INVALID_DAY) from None
    if day > today:
        raise ValueError(FUTURE_DAY.format(date=swedish_date(day)))
    return day


class PeriodType(models.TextChoices):
    YEAR = "ar", "År"
    TERTIAL = "tertial", "Tertial"
    QUARTER = "kvartal", "Kvartal"
    MONTH = "manad", "Månad"

    @property
    def periods_per_year(self) -> int:
        return {"ar": 1, "tertial": 3, "kvartal": 4, "manad": 12}[self.value]

    @property
    def months(self) -> int:
        return 12 // self.periods_per_year


@dataclass(frozen=True, order=True)
class Period:
    """A year, tertial, quarter or month, e.g. Period(2023, PeriodType.QUARTER, 3)."""

    year: int
    type: PeriodType
    number: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.number <= PeriodType(self.type).periods_per_year:
            raise ValueError(f"{self.type} has no period number {self.number}")

    @property
    def end_month(self) -> int:
        return self.number * PeriodType(self.type).months

    @property
    def end_date(self) -> datetime.date:
        month = self.end_month
        next_month = datetime.date(self.year + month // 12, month % 12 + 1, 1)
        return next_month - datetime.timedelta(days=1)

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.year, self.type, self.number - 1)
        return Period(self.year - 1, self.type, PeriodType(self.type).periods_per_year)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.type, self.number)

    @property
    def label(self) -> str:
        period_type = PeriodType(self.type)
        if period_type == PeriodType.YEAR:
            return str(self.year)
        if period_type == PeriodType.MONTH:
            return f"{self.year}-{self.number:02d}"
        short = {"tertial": "T", "kvartal": "K"}[period_type.value]
        return f"{self.year} {short}{self.number}"


class OccasionKind(models.TextChoices):
    QUARTER_1 = "k1", "Kvartal 1"
    INTERIM_1 = "d1", "Delår 1"
    QUARTER_2 = "k2", "Kvartal 2"
    INTERIM_2 = "d2", "Delår 2"
    QUARTER_3 = "k3", "Kvartal 3"
    FULL_YEAR = "helar", "Helår"

    @property
    def end_month(self) -> int:
        return {"k1": 3, "d1": 4, "k2": 6, "d2": 8, "k3": 9, "helar": 12}[self.value]

    @property
    def assesses_goals(self) -> bool:
        """Goals are assessed at the delår and at helår, not at the plain quarters."""
        return self.value in {"d1", "d2", "helar"}

    def due_periods(self) -> list[tuple[PeriodType, int]]:
        """The periods whose values fall due at this occasion.

        A period is due when it ends in this occasion's month: quarter 3 at kvartal 3,
        tertial 2 at delår 2, the year (and its last quarter, tertial, month) at helår.
        """
        month = self.end_month
        due = []
        for period_type in (PeriodType.MONTH, PeriodType.QUARTER, PeriodType.TERTIAL):
            if month % period_type.months == 0:
                due.append((period_type, month // period_type.months))
        if month == 12:
            due.append((PeriodType.YEAR, 1))
        return due
