"""Budget follow-up: driftsammandrag lines, amounts per year and kind, plan changes, investments.

How the seeds are modelled
--------------------------
* **Amounts are whole kronor** (BigIntegerField). Reports show tkr, rounded half up per printed
  figure (`budget.formatting.to_tkr`); a deviation is rounded from the kronor difference, so
  308 752 400 − 303 503 600 prints 5 249 although the rounded figures differ by 5 248.
* **Lines belong to a scheme (indelning) and a range of years.** The verksamhetsberättelse's
  driftsammandrag is split by *verksamhet* (Nämnd- och styrelseverksamhet, Ekonomiskt bistånd,
  Flyktingmottagande, …; `Scheme.DRIFT`), the internbudget's by the board's organisation of
  the time (Nämnden, Avdelningen vuxna, …; `Scheme.INTERNBUDGET`). Both exist for 2022 in the
  seeds and classify the same money differently, so a line says which table it belongs to.
  Like goals, lines are closed and reopened when the structure changes (`valid_from/valid_to`).
* **A year's own figures come from the lines valid in that year**: the DRIFT scheme when the
  board has DRIFT lines that year, otherwise the internbudget lines (for AN 2020–2021, the
  organisation of the time). A comparison column (Bokslut N-1 in the N report) is read from
  the *report year's* lines: amounts of year N-1 stored on lines valid from N are the previous
  year's outcome restated to the new structure (seed 001: "bokslutet 2021 för de verksamheter
  som ingår … från och med 2022", 458 476 tkr, while AN's own 2021 result was 459 221 tkr).
* **Kinds of amount**: `budget` is the year's current (revised) budget including allocations
  decided during the year (2022: 465 446 tkr); `plan` is a figure of an internbudget document
  (`document_year` N): its "Budget N" column when year == N (2022: 462 147 tkr) and "Plan N+k"
  for later years; `bokslut` is the year-end outcome; `prognos` is a forecast made at the end
  of `month` (30 april = 4, 31 augusti = 8, 31 oktober = 10, or any month end entered).
* **Costs and revenues**: an amount is the net cost; `revenues` (varav intäkter, ≤ 0) is kept
  where the split is known and costs are derived as net − revenues, so nothing is stored twice.
* **Sums are never stored**: Summa nettokostnader, varav kostnader/intäkter, the total including
  municipal units and every avvikelse (budget − bokslut, positive = surplus) are computed by
  `budget.tables`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.audit import HistorySourceMixin
from goals import locks
from goals.models import (
    Board,
    LinkRulesMixin,
    OccasionLockedError,
    ReportingOccasion,
    YearRange,
    related_or_none,
    years_text,
)
from goals.periods import MONTH_NAMES, PeriodType

# The follow-up dates of the year: delår 1 (30 april), delår 2 (31 augusti), 31 oktober.
STANDARD_FORECAST_MONTHS = (4, 8, 10)
PLAN_YEARS = 5  # an internbudget has Budget N and Plan N+1 … N+5


def forecast_label(year: int, month: int) -> str:
    """`30 april`, `31 augusti`, `28 februari` – the month's last day as the reports say it."""
    return f"{calendar.monthrange(year, month)[1]} {MONTH_NAMES[month]}"


class Scheme(models.TextChoices):
    DRIFT = "drift", "Driftsammandrag per verksamhet (verksamhetsberättelse)"
    INTERNBUDGET = "internbudget", "Internbudgetens indelning"


class Section(models.TextChoices):
    OPERATIONS = "verksamhet", "Verksamhet (ingår i summa nettokostnader)"
    MUNICIPAL_UNITS = "enheter", "Nämndens enheter (kommunala enheter)"


class AmountKind(models.TextChoices):
    BUDGET = "budget", "Budget"
    PLAN = "plan", "Internbudget/plan"
    OUTCOME = "bokslut", "Bokslut"
    FORECAST = "prognos", "Prognos"


class BudgetLine(YearRange):
    """One row of a driftsammandrag, e.g. Ekonomiskt bistånd, valid for a range of years."""

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="budget_lines", verbose_name="nämnd"
    )
    scheme = models.CharField("indelning", max_length=12, choices=Scheme.choices)
    section = models.CharField(
        "del", max_length=10, choices=Section.choices, default=Section.OPERATIONS
    )
    code = models.SlugField("kod", max_length=60, allow_unicode=True)
    name = models.CharField("namn", max_length=200)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för budgetrad")

    class Meta(YearRange.Meta):
        verbose_name = "budgetrad"
        verbose_name_plural = "budgetrader"
        ordering = ["board", "scheme", "section", "order", "valid_from"]
        constraints = [
            *YearRange.Meta.constraints,
            models.UniqueConstraint(
                fields=["board", "scheme", "code", "valid_from"],
                name="budget_line_unique_code_per_start",
                violation_error_message="Nämnden har redan en budgetrad med den koden från samma år.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipal_unit(self) -> bool:
        return self.section == Section.MUNICIPAL_UNITS


LOCK_KINDS = {AmountKind.BUDGET, AmountKind.OUTCOME}


def _locked_period(kind: str, month: int | None) -> tuple[str, int] | None:
    if kind in LOCK_KINDS:
        return (PeriodType.YEAR, 1)
    if kind == AmountKind.FORECAST and month:
        return (PeriodType.MONTH, month)
    return None


def locking_occasion(
    keys: Iterable[tuple[int | None, int, str, int | None]],
) -> ReportingOccasion | None:
    """The approved occasion that locks one of these (board id, year, kind, month), if any.

    The year's budget and bokslut are locked with the approved helår; a forecast made at a
    month end is locked with the approved occasion whose due periods include that month
    (delår 1 for 30 april, delår 2 for 31 augusti). Plans are documents of their own. Which
    occasion locks a period is goals.locks' rule; here only the amount's period. One query.
    """
    return locks.locking_occasion(
        (board_id, year, *period)
        for board_id, year, kind, month in keys
        if (period := _locked_period(kind, month)) is not None
    )


class BudgetAmountQuerySet(models.QuerySet):
    """Bulk writes refuse to touch amounts that an approved occasion locks."""

    def _refuse_stored(self) -> None:
        locked = locking_occasion(self.values_list("line__board_id", "year", "kind", "month"))
        if locked is not None:
            raise OccasionLockedError(locked)

    def _refuse_objects(self, objs: Iterable[BudgetAmount]) -> None:
        boards = dict(
            BudgetLine.objects.filter(pk__in={obj.line_id for obj in objs}).values_list(
                "pk", "board_id"
            )
        )
        locked = locking_occasion(
            (boards.get(obj.line_id), obj.year, obj.kind, obj.month) for obj in objs
        )
        if locked is not None:
            raise OccasionLockedError(locked)

    def update(self, **kwargs: Any) -> int:
        self._refuse_stored()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_stored()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_objects(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_objects(objs)
        self.filter(pk__in=[obj.pk for obj in objs])._refuse_stored()
        return super().bulk_update(objs, *args, **kwargs)


class AmountBase(models.Model):
    """Fields shared by driftsammandrag and investment amounts."""

    year = models.PositiveSmallIntegerField("år")
    kind = models.CharField("typ", max_length=8, choices=AmountKind.choices)
    document_year = models.PositiveSmallIntegerField(
        "internbudget för år",
        null=True,
        blank=True,
        help_text="För plan: året för internbudgeten beloppet kommer från.",
    )
    amount = models.BigIntegerField("belopp netto, kr")

    class Meta:
        abstract = True

    @property
    def is_plan(self) -> bool:
        return self.kind == AmountKind.PLAN


def _plan_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(kind="plan", document_year__isnull=False, year__gte=F("document_year"))
            & Q(year__lte=F("document_year") + PLAN_YEARS)
        )
        | (~Q(kind="plan") & Q(document_year__isnull=True)),
        name=f"{prefix}_plan_has_document_year",
        violation_error_message=(
            "Ett planbelopp behöver internbudgetens år och får gälla det året eller högst fem år "
            "framåt; andra belopp har inget internbudgetår."
        ),
    )


class BudgetAmount(AmountBase):
    """One amount of one driftsammandrag line: budget, plan, bokslut or a forecast, in kronor."""

    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="amounts", verbose_name="budgetrad"
    )
    month = models.PositiveSmallIntegerField(
        "prognos per månadsskifte",
        null=True,
        blank=True,
        help_text="För prognos: månaden vars sista dag prognosen avser (4 = 30 april).",
    )
    revenues = models.BigIntegerField(
        "varav intäkter, kr",
        null=True,
        blank=True,
        help_text="Negativt belopp. Tomt när fördelningen på kostnader och intäkter inte är känd.",
    )
    comment = models.TextField("kommentar", blank=True)
    version = models.PositiveIntegerField("version", default=1)
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="senast ändrad av",
    )

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för belopp")
    objects = BudgetAmountQuerySet.as_manager()

    class Meta:
        verbose_name = "belopp"
        verbose_name_plural = "belopp"
        ordering = ["line", "year", "kind", "month"]
        indexes = [models.Index(fields=["year", "kind"], name="budget_amount_year_kind_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "year", "kind"],
                condition=Q(kind__in=["budget", "bokslut"]),
                name="budget_amount_unique_budget_outcome",
                violation_error_message="Raden har redan ett belopp av den typen för året.",
            ),
            models.UniqueConstraint(
                fields=["line", "year", "month"],
                condition=Q(kind="prognos"),
                name="budget_amount_unique_forecast",
                violation_error_message="Raden har redan en prognos för det datumet.",
            ),
            models.UniqueConstraint(
                fields=["line", "year", "document_year"],
                condition=Q(kind="plan"),
                name="budget_amount_unique_plan",
                violation_error_message="Raden har redan ett planbelopp för året i den internbudgeten.",
            ),
            models.CheckConstraint(
                condition=(Q(kind="prognos") & Q(month__gte=1) & Q(month__lte=12))
                | (~Q(kind="prognos") & Q(month__isnull=True)),
                name="budget_amount_forecast_has_month",
                violation_error_message="En prognos behöver en månad (1–12); andra belopp ingen.",
            ),
            _plan_constraint("budget_amount"),
            models.CheckConstraint(
                condition=Q(revenues__isnull=True) | Q(revenues__lte=0),
                name="budget_amount_revenues_not_positive",
                violation_error_message="Intäkter anges som ett negativt belopp.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.year} {self.label}"

    # The lock guard sits on the model and its queryset so every path (form, admin, command,
    # loader) meets it. Saving a locked row unchanged writes nothing (idempotent loaders).
    def save(self, *args: Any, **kwargs: Any) -> None:
        if locks.may_save(self, self.locking_occasion(), ignore=("updated_at",)):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        locked = locking_occasion(
            type(self)
            ._base_manager.filter(pk=self.pk)
            .values_list("line__board_id", "year", "kind", "month")
        )
        if locked is not None:
            raise OccasionLockedError(locked)
        return super().delete(*args, **kwargs)

    def locking_occasion(self) -> ReportingOccasion | None:
        """The approved occasion that locks this amount as it is or as it is stored, if any."""
        keys = [(self._board_id(), self.year, self.kind, self.month)]
        if self.pk is not None:
            keys += (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values_list("line__board_id", "year", "kind", "month")
            )
        return locking_occasion(keys)

    def _board_id(self) -> int | None:
        if "line" in self._state.fields_cache:
            return self.line.board_id
        return BudgetLine.objects.filter(pk=self.line_id).values_list("board_id", flat=True).first()

    @property
    def label(self) -> str:
        if self.kind == AmountKind.FORECAST and self.month:
            return f"Prognos {forecast_label(self.year, self.month)}"
        if self.kind == AmountKind.PLAN and self.year != self.document_year:
            return f"Plan (internbudget {self.document_year})"
        if self.kind == AmountKind.PLAN:
            return f"Budget (internbudget {self.document_year})"
        return self.get_kind_display()

    @property
    def costs(self) -> int | None:
        """Varav kostnader: net − revenues when the split is known."""
        if self.revenues is None:
            return None
        return self.amount - self.revenues


LINK_PLAN_CHANGE_LINE_OTHER_BOARD = "Budgetraden hör till en annan nämnd än förändringen."
LINK_PLAN_CHANGE_LINE_YEAR = "Budgetraden gäller inte år {year} (den gäller {years})."


class PlanChange(LinkRulesMixin, models.Model):
    """A row of the internbudget's "Specifikation av förändringar" or of its budget frame.

    A specification item belongs to a line (e.g. "Heltidsaktiveringen" under Arbetsmarknads-
    och integrationsinsatser); the frame rows (KF's budgetram and the ramjusteringar between
    boards) belong to the board's whole budget and have no line. "Budgetram inkl justering" is
    computed (frame + adjustments).
    """

    class Kind(models.TextChoices):
        SPECIFICATION = "specifikation", "Specifikation av förändringar"
        FRAME = "ram", "Budgetram enligt beslut i KF"
        FRAME_ADJUSTMENT = "ramjustering", "Ramjustering"
        INVESTMENT_FRAME = "investeringsram", "Investeringsram enligt beslut i KF"

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="plan_changes", verbose_name="nämnd"
    )
    document_year = models.PositiveSmallIntegerField("internbudget för år")
    kind = models.CharField("typ", max_length=16, choices=Kind.choices)
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_changes",
        verbose_name="budgetrad",
    )
    text = models.CharField("text", max_length=300)
    note = models.CharField(
        "fotnot",
        max_length=400,
        blank=True,
        help_text="T.ex. Del av det extra statsbidrag som beslutades i KS 6 oktober 2020.",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för förändring i plan"
    )

    class Meta:
        verbose_name = "förändring i internbudget"
        verbose_name_plural = "förändringar i internbudget"
        ordering = ["board", "document_year", "kind", "line", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="specifikation", line__isnull=False)
                | (~Q(kind="specifikation") & Q(line__isnull=True)),
                name="budget_planchange_line_iff_specification",
                violation_error_message=(
                    "En specifikation hör till en budgetrad; ram och ramjusteringar hör till hela "
                    "nämnden."
                ),
            ),
            models.UniqueConstraint(
                fields=["line", "document_year", "text"],
                condition=Q(line__isnull=False),
                name="budget_planchange_unique_text_per_line",
                violation_error_message="Raden har redan en förändring med den texten.",
            ),
            models.UniqueConstraint(
                fields=["board", "document_year", "kind", "text"],
                condition=Q(line__isnull=True),
                name="budget_planchange_unique_text_per_board",
                violation_error_message="Nämnden har redan en ramrad med den texten.",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        super().clean()
        line = related_or_none(self, "line")
        if line is None:
            return
        if line.board_id != self.board_id:
            raise ValidationError({"line": LINK_PLAN_CHANGE_LINE_OTHER_BOARD})
        if self.document_year is not None and not line.is_valid_in(self.document_year):
            raise ValidationError(
                {
                    "line": LINK_PLAN_CHANGE_LINE_YEAR.format(
                        year=self.document_year, years=years_text(line)
                    )
                }
            )


class PlanChangeAmount(models.Model):
    change = models.ForeignKey(
        PlanChange, on_delete=models.CASCADE, related_name="amounts", verbose_name="förändring"
    )
    year = models.PositiveSmallIntegerField("år")
    amount = models.BigIntegerField("belopp, kr")

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för belopp i förändring"
    )

    class Meta:
        verbose_name = "belopp för förändring"
        verbose_name_plural = "belopp för förändringar"
        ordering = ["change", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "year"],
                name="budget_planchangeamount_unique_year",
                violation_error_message="Förändringen har redan ett belopp för året.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change} {self.year}"


class InvestmentProject(YearRange):
    """An investment project (or a unit's inventory frame) with its decided budget."""

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="investments", verbose_name="nämnd"
    )
    code = models.SlugField("kod", max_length=60, allow_unicode=True)
    name = models.CharField("namn", max_length=200)
    decided_budget = models.BigIntegerField(
        "beslutad budget, kr",
        null=True,
        blank=True,
        help_text="Utgifter/inkomster sedan projektets start enligt beslut.",
    )
    completed_year = models.PositiveSmallIntegerField(
        "färdigställt år", null=True, blank=True, help_text="Tomt betyder pågående."
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för investeringsprojekt"
    )

    class Meta(YearRange.Meta):
        verbose_name = "investeringsprojekt"
        verbose_name_plural = "investeringsprojekt"
        ordering = ["board", "order", "name"]
        constraints = [
            *YearRange.Meta.constraints,
            models.UniqueConstraint(
                fields=["board", "code"],
                name="budget_investment_unique_code",
                violation_error_message="Nämnden har redan ett investeringsprojekt med den koden.",
            ),
            models.CheckConstraint(
                condition=Q(completed_year__isnull=True) | Q(completed_year__gte=F("valid_from")),
                name="budget_investment_completed_after_start",
                violation_error_message="Projektet kan inte bli färdigställt före sitt första år.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_completed_in(self, year: int) -> bool:
        return self.completed_year is not None and self.completed_year <= year


class InvestmentAmount(AmountBase):
    """A project's budget, plan or outcome (nettoinvestering) for one year, in kronor."""

    project = models.ForeignKey(
        InvestmentProject,
        on_delete=models.PROTECT,
        related_name="amounts",
        verbose_name="investeringsprojekt",
    )

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för investeringsbelopp"
    )

    class Meta:
        verbose_name = "investeringsbelopp"
        verbose_name_plural = "investeringsbelopp"
        ordering = ["project", "year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "kind"],
                condition=Q(kind__in=["budget", "bokslut"]),
                name="budget_investmentamount_unique_budget_outcome",
                violation_error_message="Projektet har redan ett belopp av den typen för året.",
            ),
            models.UniqueConstraint(
                fields=["project", "year", "document_year"],
                condition=Q(kind="plan"),
                name="budget_investmentamount_unique_plan",
                violation_error_message=(
                    "Projektet har redan ett planbelopp för året i den internbudgeten."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="prognos"),
                name="budget_investmentamount_no_forecast",
                violation_error_message="Investeringar följs upp med budget, plan och utfall.",
            ),
            _plan_constraint("budget_investmentamount"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year} {self.get_kind_display()}"
