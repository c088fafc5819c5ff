"""Indicators, their breakdowns, outcome values, targets (målvärden) and footnotes."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.audit import HistorySourceMixin
from goals import locks
from goals.models import (
    Board,
    BoardGoal,
    LinkRulesMixin,
    OrganisationUnit,
    ReportingOccasion,
    YearRange,
    related_or_none,
    years_overlap,
    years_text,
    years_within,
)
from goals.periods import Period, PeriodType

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# The years before an indicator's start whose year values it accepts (see accepts_year).
BASELINE_YEARS = 2

# Link rules (clean() below; the database refuses the cross-board links with triggers).
LINK_INDICATOR_GOAL_OTHER_BOARD = "Nämndmålet hör till en annan nämnd än indikatorn."
LINK_INDICATOR_GOAL_YEARS = "Indikatorns år ({indicator}) överlappar inte nämndmålets år ({goal})."
LINK_INDICATOR_PARENT_OTHER_BOARD = "Huvudindikatorn hör till en annan nämnd än delindikatorn."
LINK_INDICATOR_PARENT_YEARS = (
    "Delindikatorns år ({indicator}) överlappar inte huvudindikatorns år ({parent})."
)
LINK_INDICATOR_PARENT_SELF = "En indikator kan inte vara delindikator till sig själv."
LINK_NOT_OWN_PREDECESSOR = "En indikator kan inte ersätta sig själv."
LINK_BREAKDOWN_YEARS = (
    "Uppdelningens år ({breakdown}) måste ligga inom indikatorns år ({indicator}) eller "
    "dess två jämförelseår före."
)
LINK_TARGET_YEAR = (
    "Målåret {year} ligger utanför indikatorns år ({indicator}) och är inte året efter det sista."
)
LINK_TARGET_BREAKDOWN = (
    "Indikatorn redovisas inte uppdelad på ”{breakdown}” år {year}; välj en uppdelning som "
    "indikatorn redovisas på, eller totalen."
)


class Indicator(LinkRulesMixin, YearRange):
    """A nämndindikator, volume measure or staff figure, valid for a range of years."""

    class Category(models.TextChoices):
        GOAL = "namndindikator", "Nämndindikator"
        VOLUME = "volymmatt", "Volymmått"
        STAFF = "personal", "Personal"

    class Unit(models.TextChoices):
        COUNT = "antal", "Antal"
        PERCENT = "procent", "%"
        DAYS = "dagar", "Dagar"
        MONTHS = "manader", "Månader"
        YEARS = "ar", "År"
        INDEX = "index", "Index"
        KRONOR = "kr", "Kronor"
        RATIO = "kvot", "Kvot"
        TEXT = "text", "Text (kvalitativ)"

    class Direction(models.TextChoices):
        HIGHER = "hogre", "Högre är bättre"
        LOWER = "lagre", "Lägre är bättre"
        NONE = "ingen", "Ingen riktning"

    class Aggregation(models.TextChoices):
        STOCK = "stock", "Läget vid periodens slut"
        FLOW = "flode", "Summa över perioderna"
        AVERAGE = "medel", "Medelvärde över perioderna"
        ONCE = "en_gang", "Mäts en gång per år"

    class Computed(models.TextChoices):
        """Indicators whose values come from other data and are never typed in."""

        NONE = "", "Registreras"
        BUDGET_DEVIATION = "budgetavvikelse", "Avvikelse mot budget (beräknas)"
        FORECAST_AUGUST = "prognos_augusti", "Prognosträffsäkerhet augusti (beräknas)"
        FORECAST_OCTOBER = "prognos_oktober", "Prognosträffsäkerhet oktober (beräknas)"

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="indicators", verbose_name="nämnd"
    )
    category = models.CharField(
        "kategori", max_length=16, choices=Category.choices, default=Category.GOAL
    )
    board_goal = models.ForeignKey(
        BoardGoal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="nämndmål",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="delindikator till",
    )
    name = models.CharField("namn", max_length=400)
    unit = models.CharField("enhet", max_length=10, choices=Unit.choices, default=Unit.COUNT)
    decimals = models.PositiveSmallIntegerField("antal decimaler som visas", default=0)
    direction = models.CharField(
        "önskvärd riktning", max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField("källa", max_length=200, blank=True)
    mandatory = models.BooleanField(
        "obligatorisk (*)", default=False, help_text="Obligatorisk för alla nämnder."
    )
    frequency = models.CharField(
        "rapporteringsfrekvens", max_length=8, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    aggregation = models.CharField(
        "årsvärde bildas som",
        max_length=8,
        choices=Aggregation.choices,
        default=Aggregation.ONCE,
    )
    computed = models.CharField(
        "beräkning", max_length=20, choices=Computed.choices, blank=True, default=""
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name="ersätter",
    )

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för indikator")
    sub_indicators: list[Indicator]  # set by indicators.selectors.group_by_goal

    class Meta(YearRange.Meta):
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"
        ordering = ["board", "category", "board_goal__order", "order"]
        indexes = [models.Index(fields=["board", "category"], name="ind_board_category_idx")]
        constraints = [
            *YearRange.Meta.constraints,
            models.CheckConstraint(
                condition=Q(decimals__lte=4),
                name="indicators_indicator_decimals_at_most_4",
                violation_error_message="Högst fyra decimaler kan visas.",
            ),
            models.CheckConstraint(
                condition=~Q(category="namndindikator")
                | Q(board_goal__isnull=False)
                | Q(parent__isnull=False),
                name="indicators_indicator_goal_indicator_has_goal",
                violation_error_message="En nämndindikator ska följa upp ett nämndmål.",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="indicators_indicator_not_own_parent",
                violation_error_message=LINK_INDICATOR_PARENT_SELF,
            ),
            models.CheckConstraint(
                condition=Q(predecessor__isnull=True) | ~Q(predecessor=F("pk")),
                name="indicators_indicator_not_own_predecessor",
                violation_error_message=LINK_NOT_OWN_PREDECESSOR,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        goal = related_or_none(self, "board_goal")
        if goal is not None:
            if goal.board_id != self.board_id:
                errors["board_goal"] = LINK_INDICATOR_GOAL_OTHER_BOARD
            elif self.valid_from is not None and not years_overlap(self, goal):
                errors["board_goal"] = LINK_INDICATOR_GOAL_YEARS.format(
                    indicator=years_text(self), goal=years_text(goal)
                )
        parent = related_or_none(self, "parent")
        if parent is not None:
            if self.pk is not None and parent.pk == self.pk:
                errors["parent"] = LINK_INDICATOR_PARENT_SELF
            elif parent.board_id != self.board_id:
                errors["parent"] = LINK_INDICATOR_PARENT_OTHER_BOARD
            elif self.valid_from is not None and not years_overlap(self, parent):
                errors["parent"] = LINK_INDICATOR_PARENT_YEARS.format(
                    indicator=years_text(self), parent=years_text(parent)
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_computed(self) -> bool:
        return bool(self.computed)

    @property
    def is_qualitative(self) -> bool:
        return self.unit == self.Unit.TEXT

    def accepts_year(self, year: int) -> bool:
        """Whether outcomes may be stored for `year`: the indicator's years, or a baseline.

        A new board or goal prints the two years before it began as comparison
        (jämförelsevärden), so those years take year values without moving the start.
        """
        return self.is_valid_in(year) or self.valid_from - BASELINE_YEARS <= year < self.valid_from

    @property
    def is_share(self) -> bool:
        return self.unit == self.Unit.PERCENT

    # The breakdowns an indicator is reported by, per year. A reader that already has the
    # year's links (the entry views read them to find the posted field) hands them over, so a
    # save does not ask again; otherwise they are read once per instance and year.
    def reported_breakdown_ids(self, year: int) -> frozenset[int]:
        """The breakdowns the indicator is reported by in `year`; none means the total only."""
        known = self.__dict__.setdefault("_reported_breakdowns", {})
        if year not in known:
            known[year] = frozenset(
                IndicatorBreakdown.objects.valid_in(year)
                .filter(indicator=self)
                .values_list("breakdown_id", flat=True)
            )
        return known[year]

    def remember_reported_breakdowns(self, year: int, breakdown_ids: Iterable[int]) -> None:
        """Hand over the year's breakdown ids a reader already has (see reported_breakdown_ids)."""
        self.__dict__.setdefault("_reported_breakdowns", {})[year] = frozenset(breakdown_ids)

    def reports_breakdown(self, breakdown: Breakdown, year: int) -> bool:
        """Whether a value may be stored for the breakdown in `year` (no breakdowns: the total)."""
        allowed = self.reported_breakdown_ids(year)
        return breakdown.pk in allowed if allowed else breakdown.is_total


class Breakdown(models.Model):
    """One cell of the breakdown dimensions: kön × organisationsenhet × fri kategori.

    The total is the row with all three empty. "Män, UAF" and "Kvinnor, enbart HÖK-anst"
    are rows of their own, so any combination the seeds print can be stored.
    """

    class Gender(models.TextChoices):
        ALL = "", "Totalt"
        WOMEN = "K", "Kvinnor"
        MEN = "M", "Män"

    code = models.CharField("kod", max_length=80, unique=True)
    gender = models.CharField("kön", max_length=1, choices=Gender.choices, blank=True)
    org_unit = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breakdowns",
        verbose_name="förvaltning/enhet",
    )
    category = models.CharField("kategori", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "uppdelning"
        verbose_name_plural = "uppdelningar"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_total(self) -> bool:
        return not self.gender and self.org_unit_id is None and not self.category

    @property
    def label(self) -> str:
        unit = self.org_unit.code if self.org_unit is not None else ""
        return self.make_label(self.gender, unit, self.category)

    @staticmethod
    def make_label(gender: str = "", org_unit_code: str = "", category: str = "") -> str:
        """The breakdown in plain words: "Kvinnor, UAF", "Totalt" (a row or its three parts)."""
        parts = []
        if gender:
            parts.append(str(dict(Breakdown.Gender.choices).get(gender, gender)))
        if org_unit_code:
            parts.append(org_unit_code)
        if category:
            parts.append(category)
        return ", ".join(parts) or "Totalt"

    @staticmethod
    def make_code(gender: str = "", org_unit_code: str = "", category: str = "") -> str:
        if not (gender or org_unit_code or category):
            return "total"
        return f"k={gender}|e={org_unit_code}|c={category}"


class IndicatorBreakdown(LinkRulesMixin, YearRange):
    """Which breakdowns an indicator is reported by, for which years."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="breakdowns", verbose_name="indikator"
    )
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.PROTECT, related_name="+", verbose_name="uppdelning"
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta(YearRange.Meta):
        verbose_name = "indikatorns uppdelning"
        verbose_name_plural = "indikatorns uppdelningar"
        ordering = ["indicator", "order"]
        constraints = [
            *YearRange.Meta.constraints,
            models.UniqueConstraint(
                fields=["indicator", "breakdown", "valid_from"],
                name="indicators_indicatorbreakdown_unique",
                violation_error_message="Uppdelningen finns redan för indikatorn från det året.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.breakdown}"

    def clean(self) -> None:
        super().clean()
        indicator = related_or_none(self, "indicator")
        # A breakdown may start in the baseline years (accepts_year): their values are split too.
        if (
            indicator is not None
            and self.valid_from is not None
            and not (
                self.valid_from >= indicator.valid_from - BASELINE_YEARS
                and years_within(self, indicator, from_year=self.valid_from)
            )
        ):
            raise ValidationError(
                {
                    "valid_from": LINK_BREAKDOWN_YEARS.format(
                        breakdown=years_text(self), indicator=years_text(indicator)
                    )
                }
            )


class MissingReason(models.TextChoices):
    """Why a value is I.U. (ingen uppgift)."""

    NOT_YET = "ej_tillganglig", "Uppgiften är inte tillgänglig ännu"
    TOO_SMALL = "for_litet_underlag", "För litet underlag"
    NOT_MEASURED = "ej_matt", "Mättes inte"
    NOT_APPLICABLE = "ej_tillamplig", "Ej tillämplig"
    OTHER = "annat", "Annat skäl"


# A stored value's period key as goals.locks reads it: (board id, year, period type, number).
VALUE_PERIOD_KEY = ("indicator__board_id", "year", "period_type", "period_number")


class IndicatorValueQuerySet(models.QuerySet):
    def for_period(self, period: Period) -> IndicatorValueQuerySet:
        return self.filter(year=period.year, period_type=period.type, period_number=period.number)

    def yearly(self) -> IndicatorValueQuerySet:
        return self.filter(period_type=PeriodType.YEAR)

    def locked(self) -> IndicatorValueQuerySet:
        """The values an approved occasion of their board covers (goals.locks)."""
        return self.filter(
            locks.approved_covering(
                board="indicator__board",
                year="year",
                period_type="period_type",
                period_number="period_number",
            )
        )

    # Bulk writes meet the same lock as save(): nothing an approved occasion covers changes.
    def _refuse_if_locked(self) -> None:
        first_locked = self.locked().values_list(*VALUE_PERIOD_KEY)[:1]
        locks.refuse(locks.locking_occasion(first_locked))

    def update(self, **kwargs: Any) -> int:
        self._refuse_if_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()

    def _refuse_objects(self, objs: list[IndicatorValue]) -> None:
        """One query for the indicators' boards and one for the approved occasions."""
        if not objs:
            return
        boards = dict(
            Indicator.objects.filter(pk__in={obj.indicator_id for obj in objs}).values_list(
                "pk", "board_id"
            )
        )
        locks.refuse(
            locks.locking_occasion(
                (boards.get(obj.indicator_id), obj.year, obj.period_type, obj.period_number)
                for obj in objs
            )
        )

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_objects(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_objects(objs)
        return super().bulk_update(objs, *args, **kwargs)


class IndicatorValue(models.Model):
    """One outcome: a number, a text (a qualitative indicator's result), or I.U. with a reason.

    Exactly one of the three. No row at all is "not yet given", printed "–", never I.U.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name="indikator"
    )
    year = models.PositiveSmallIntegerField("år")
    period_type = models.CharField(
        "periodtyp", max_length=8, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    period_number = models.PositiveSmallIntegerField("period", default=1)
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.PROTECT, related_name="values", verbose_name="uppdelning"
    )
    value = models.DecimalField("värde", max_digits=16, decimal_places=4, null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(
        "decimaler som visas",
        null=True,
        blank=True,
        help_text="Tomt betyder indikatorns antal decimaler.",
    )
    missing_reason = models.CharField(
        "skäl till I.U.", max_length=20, choices=MissingReason.choices, blank=True
    )
    text = models.TextField(
        "textutfall", blank=True, help_text="Resultatet i ord, för en kvalitativ indikator."
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

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för utfall")
    objects = IndicatorValueQuerySet.as_manager()
    _history_user: User | None  # set by a service so simple-history records who changed it
    expected: int  # the version a save read (indicators.services), compared when it writes

    class Meta:
        verbose_name = "utfall"
        verbose_name_plural = "utfall"
        ordering = ["indicator", "year", "period_type", "period_number", "breakdown__order"]
        indexes = [models.Index(fields=["year", "period_type"], name="value_year_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "period_type", "period_number", "breakdown"],
                name="indicators_value_unique_per_period_breakdown",
                violation_error_message="Det finns redan ett utfall för perioden och uppdelningen.",
            ),
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(missing_reason="") & Q(text=""))
                | (Q(value__isnull=True) & ~Q(missing_reason="") & Q(text=""))
                | (Q(value__isnull=True) & Q(missing_reason="") & ~Q(text="")),
                name="indicators_value_number_text_or_missing",
                violation_error_message=(
                    "Ange ett värde, en text eller I.U. med skäl – precis ett av dem."
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_type="ar", period_number=1)
                | Q(period_type="tertial", period_number__gte=1, period_number__lte=3)
                | Q(period_type="kvartal", period_number__gte=1, period_number__lte=4)
                | Q(period_type="manad", period_number__gte=1, period_number__lte=12),
                name="indicators_value_period_number_in_range",
                violation_error_message="Periodnumret finns inte för periodtypen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period.label}: {self.display_value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The model-level lock (goals.locks): a value an approved occasion covers is never
        # written, by any path. Saving it unchanged writes nothing, so idempotent loaders run.
        if locks.may_save(self, self.locking_occasion(), ignore=("updated_at",)):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        locks.refuse(self.locking_occasion())
        return super().delete(*args, **kwargs)

    def locking_occasion(self) -> ReportingOccasion | None:
        """The approved occasion that locks this value as it is or as it is stored, if any.

        A value moved out of a locked period is a change of the locked period too.
        """
        board_id: int | None
        if "indicator" in self._state.fields_cache:
            board_id = self.indicator.board_id
        else:
            board_id = (
                Indicator.objects.filter(pk=self.indicator_id)
                .values_list("board_id", flat=True)
                .first()
            )
        keys = [(board_id, self.year, self.period_type, self.period_number)]
        if self.pk is not None:
            keys += type(self)._base_manager.filter(pk=self.pk).values_list(*VALUE_PERIOD_KEY)
        return locks.locking_occasion(keys)

    @property
    def period(self) -> Period:
        return Period(self.year, PeriodType(self.period_type), self.period_number)

    @property
    def is_missing(self) -> bool:
        """I.U.: neither a number nor a text."""
        return self.value is None and not self.text

    @property
    def is_text(self) -> bool:
        return self.value is None and bool(self.text)

    @property
    def shown_decimals(self) -> int:
        return self.decimals if self.decimals is not None else self.indicator.decimals

    @property
    def display_value(self) -> str:
        from indicators.formatting import format_outcome

        return format_outcome(self.value, self.shown_decimals, stored=True, text=self.text)


def target_year_allowed(indicator: Indicator, year: int) -> bool:
    """A target is for one of the indicator's years, or for the year after its last: the
    internbudget of year N decides the targets for N and N+1, and the N+1 target is stored
    before the rollover carries it to the indicator's successor."""
    return indicator.is_valid_in(year) or (
        indicator.valid_to is not None and year == indicator.valid_to + 1
    )


class Target(LinkRulesMixin, models.Model):
    """Målvärde for an indicator and year: a value, a bound, a direction, a text, or I.U."""

    class Kind(models.TextChoices):
        VALUE = "varde", "Värde"
        BOUND = "grans", "Gräns"
        DIRECTION = "riktning", "Riktning"
        TEXT = "text", "Text"
        MISSING = "iu", "I.U."

    class Operator(models.TextChoices):
        GE = ">=", "≥"
        GT = ">", ">"
        LE = "<=", "≤"
        LT = "<", "<"

    class TrendDirection(models.TextChoices):
        """Compared with the previous year's outcome, or with the base value when given."""

        INCREASE = "oka", "Ska öka"
        DECREASE = "minska", "Ska minska"
        NOT_INCREASE = "ej_oka", "Ska inte öka"
        NOT_DECREASE = "ej_minska", "Ska inte minska"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name="indikator"
    )
    year = models.PositiveSmallIntegerField("år")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.PROTECT, related_name="targets", verbose_name="uppdelning"
    )
    kind = models.CharField("typ av målvärde", max_length=8, choices=Kind.choices)
    operator = models.CharField("jämförelse", max_length=2, choices=Operator.choices, blank=True)
    value = models.DecimalField("värde", max_digits=16, decimal_places=4, null=True, blank=True)
    decimals = models.PositiveSmallIntegerField("decimaler som visas", null=True, blank=True)
    trend = models.CharField("riktning", max_length=10, choices=TrendDirection.choices, blank=True)
    base_value = models.DecimalField(
        "basvärde", max_digits=16, decimal_places=4, null=True, blank=True
    )
    base_year = models.PositiveSmallIntegerField("basår", null=True, blank=True)
    text = models.CharField("text", max_length=300, blank=True)

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för målvärde")

    class Meta:
        verbose_name = "målvärde"
        verbose_name_plural = "målvärden"
        ordering = ["indicator", "year", "breakdown__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "breakdown"],
                name="indicators_target_unique_per_year_breakdown",
                violation_error_message="Indikatorn har redan ett målvärde för året och uppdelningen.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["varde", "grans"]) | Q(value__isnull=False),
                name="indicators_target_value_kinds_have_value",
                violation_error_message="Ett målvärde av typen värde eller gräns behöver ett tal.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="grans") | ~Q(operator=""),
                name="indicators_target_bound_has_operator",
                violation_error_message="En gräns behöver en jämförelse (≥, >, ≤ eller <).",
            ),
            models.CheckConstraint(
                condition=~Q(kind="riktning") | ~Q(trend=""),
                name="indicators_target_direction_has_trend",
                violation_error_message="Ett riktningsmål behöver riktningen ska öka eller ska minska.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="text") | ~Q(text=""),
                name="indicators_target_text_has_text",
                violation_error_message="Ett textmål behöver en text.",
            ),
            models.CheckConstraint(
                condition=Q(base_year__isnull=True) | Q(base_year__lte=F("year")),
                name="indicators_target_base_year_not_after_year",
                violation_error_message="Basåret kan inte ligga efter målåret.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.display}"

    def clean(self) -> None:
        super().clean()
        indicator = related_or_none(self, "indicator")
        if indicator is None or self.year is None:
            return
        if not target_year_allowed(indicator, self.year):
            raise ValidationError(
                {"year": LINK_TARGET_YEAR.format(year=self.year, indicator=years_text(indicator))}
            )
        breakdown = related_or_none(self, "breakdown")
        if (
            breakdown is not None
            and not breakdown.is_total
            and not IndicatorBreakdown.objects.valid_in(self.year)
            .filter(indicator_id=indicator.pk, breakdown_id=breakdown.pk)
            .exists()
        ):
            raise ValidationError(
                {"breakdown": LINK_TARGET_BREAKDOWN.format(breakdown=breakdown, year=self.year)}
            )

    @property
    def shown_decimals(self) -> int:
        return self.decimals if self.decimals is not None else self.indicator.decimals

    @property
    def display(self) -> str:
        from indicators.formatting import format_target

        return format_target(self)

    def is_met_by(self, outcome: Decimal | None) -> bool | None:
        """Whether an outcome meets this target; None when it cannot be judged."""
        from indicators.evaluation import target_met

        return target_met(self, outcome, direction=self.indicator.direction)


class Footnote(models.Model):
    """A footnote attached to exactly one indicator, value, target or nämndmål.

    Reports number footnotes in the order they appear, so only the text and the position
    among the footnotes of the same object are stored here.
    """

    text = models.TextField("text")
    order = models.PositiveSmallIntegerField("ordning", default=0)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
        verbose_name="indikator",
    )
    value = models.ForeignKey(
        IndicatorValue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
        verbose_name="utfall",
    )
    target = models.ForeignKey(
        Target,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
        verbose_name="målvärde",
    )
    board_goal = models.ForeignKey(
        BoardGoal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
        verbose_name="nämndmål",
    )
    year = models.PositiveSmallIntegerField(
        "gäller rapporter för år",
        null=True,
        blank=True,
        help_text="För fotnoter på indikator eller nämndmål: tomt betyder alla år.",
    )
    shared_values = models.ManyToManyField(
        IndicatorValue,
        blank=True,
        related_name="shared_footnotes",
        verbose_name="gäller även utfallen",
        help_text="En fotnot på ett utfall som även gäller andra utfall: skrivs ut en gång, med ett nummer.",
    )

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för fotnot")
    _history_user: User | None  # set by a service so simple-history records who changed it

    class Meta:
        verbose_name = "fotnot"
        verbose_name_plural = "fotnoter"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        indicator__isnull=False,
                        value__isnull=True,
                        target__isnull=True,
                        board_goal__isnull=True,
                    )
                    | Q(
                        indicator__isnull=True,
                        value__isnull=False,
                        target__isnull=True,
                        board_goal__isnull=True,
                    )
                    | Q(
                        indicator__isnull=True,
                        value__isnull=True,
                        target__isnull=False,
                        board_goal__isnull=True,
                    )
                    | Q(
                        indicator__isnull=True,
                        value__isnull=True,
                        target__isnull=True,
                        board_goal__isnull=False,
                    )
                ),
                name="indicators_footnote_exactly_one_owner",
                violation_error_message=(
                    "En fotnot ska höra till exakt en indikator, ett utfall, ett målvärde eller ett nämndmål."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    # A footnote on a locked value is part of the approved figure (goals.locks).
    def save(self, *args: Any, **kwargs: Any) -> None:
        if locks.may_save(self, self._locking_occasion({self.value_id, self._stored_value_id()})):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        locks.refuse(self._locking_occasion({self._stored_value_id()}))
        return super().delete(*args, **kwargs)

    @staticmethod
    def _locking_occasion(value_ids: set[int | None]) -> ReportingOccasion | None:
        ids = value_ids - {None}
        if not ids:
            return None
        stored = IndicatorValue._base_manager.filter(pk__in=ids).values_list(*VALUE_PERIOD_KEY)
        return locks.locking_occasion(stored)

    def _stored_value_id(self) -> int | None:
        if self.pk is None:
            return None
        return (
            type(self)._base_manager.filter(pk=self.pk).values_list("value_id", flat=True).first()
        )


# --- Kolada: the national key figures, kept beside the municipality's own values -------------
# External values are never mixed into IndicatorValue or the reports: a page that shows them
# says "Källa: Kolada" (its terms), and a figure Kolada revises is recorded as a revision.


class KoladaKpi(models.Model):
    """A Kolada key figure (nyckeltal), e.g. N00097, with its publication dates."""

    id = models.CharField("KPI-id", max_length=20, primary_key=True)
    title = models.CharField("titel", max_length=500)
    description = models.TextField("beskrivning", blank=True)
    unit = models.CharField("enhet", max_length=100, blank=True)
    operating_area = models.CharField("verksamhetsområde", max_length=300, blank=True)
    is_divided_by_gender = models.BooleanField("uppdelad på kön", default=False)
    municipality_type = models.CharField("kommuntyp", max_length=5, blank=True)
    prel_publication_date = models.DateField("preliminär publicering", null=True, blank=True)
    publication_date = models.DateField("publiceringsdatum", null=True, blank=True)
    publ_period = models.CharField("senast publicerade period", max_length=20, blank=True)
    imported_at = models.DateTimeField("hämtad", null=True, blank=True)

    class Meta:
        verbose_name = "Kolada-nyckeltal"
        verbose_name_plural = "Kolada-nyckeltal"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


class KoladaMunicipality(models.Model):
    """A municipality, region or Riket (0000) as Kolada names it."""

    id = models.CharField("kommun-id", max_length=10, primary_key=True)
    title = models.CharField("namn", max_length=200)
    type = models.CharField("typ", max_length=5, blank=True)

    class Meta:
        verbose_name = "Kolada-kommun"
        verbose_name_plural = "Kolada-kommuner"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class KoladaGroup(models.Model):
    """A Kolada municipality group, e.g. "Liknande kommuner ekonomiskt bistånd, Linköping"."""

    id = models.CharField("grupp-id", max_length=20, primary_key=True)
    title = models.CharField("namn", max_length=300)
    members = models.ManyToManyField(
        KoladaMunicipality, related_name="groups", verbose_name="medlemmar", blank=True
    )

    class Meta:
        verbose_name = "Kolada-kommungrupp"
        verbose_name_plural = "Kolada-kommungrupper"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class KoladaImport(models.Model):
    """One run of import_kolada: what it asked for, from where, and what it changed."""

    class Source(models.TextChoices):
        API = "api", "Kolada API"
        FILES = "filer", "Sparade svar"

    started_at = models.DateTimeField("startad", auto_now_add=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    source = models.CharField("källa", max_length=10, choices=Source.choices)
    parameters = models.TextField("parametrar", blank=True)
    created_count = models.PositiveIntegerField("nya värden", default=0)
    revised_count = models.PositiveIntegerField("reviderade värden", default=0)
    unchanged_count = models.PositiveIntegerField("oförändrade värden", default=0)

    class Meta:
        verbose_name = "Kolada-import"
        verbose_name_plural = "Kolada-importer"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Kolada-import {self.started_at:%Y-%m-%d %H:%M}"


class KoladaGender(models.TextChoices):
    TOTAL = "T", "Totalt"
    WOMEN = "K", "Kvinnor"
    MEN = "M", "Män"


class KoladaValue(models.Model):
    """A Kolada figure for one KPI, municipality (or group), year and gender, as last imported.

    `value` is empty when Kolada gives none (then `status` says why, e.g. "Missing").
    `preliminary` is true while the KPI's publication date for the year lies ahead.
    """

    kpi = models.ForeignKey(
        KoladaKpi, on_delete=models.CASCADE, related_name="values", verbose_name="nyckeltal"
    )
    municipality = models.ForeignKey(
        KoladaMunicipality, on_delete=models.CASCADE, related_name="values", verbose_name="kommun"
    )
    year = models.PositiveSmallIntegerField("år")
    gender = models.CharField(
        "kön", max_length=1, choices=KoladaGender.choices, default=KoladaGender.TOTAL
    )
    value = models.DecimalField("värde", max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField("status", max_length=40, blank=True)
    count = models.PositiveIntegerField("antal", default=1)
    preliminary = models.BooleanField("preliminärt", default=False)
    imported = models.ForeignKey(
        KoladaImport, on_delete=models.PROTECT, related_name="values", verbose_name="import"
    )
    updated_at = models.DateTimeField("senast hämtad", auto_now=True)

    class Meta:
        verbose_name = "Kolada-värde"
        verbose_name_plural = "Kolada-värden"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "municipality", "year", "gender"],
                name="indicators_koladavalue_unique",
                violation_error_message="Värdet finns redan för nyckeltalet, kommunen och året.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.municipality_id} {self.year} {self.gender}: {self.value}"


class KoladaRevision(models.Model):
    """A figure that changed between two imports: Kolada revises without notice."""

    imported = models.ForeignKey(
        KoladaImport, on_delete=models.CASCADE, related_name="revisions", verbose_name="import"
    )
    kpi = models.ForeignKey(
        KoladaKpi, on_delete=models.CASCADE, related_name="revisions", verbose_name="nyckeltal"
    )
    municipality = models.ForeignKey(
        KoladaMunicipality, on_delete=models.CASCADE, related_name="+", verbose_name="kommun"
    )
    year = models.PositiveSmallIntegerField("år")
    gender = models.CharField("kön", max_length=1, choices=KoladaGender.choices)
    old_value = models.DecimalField(
        "tidigare värde", max_digits=20, decimal_places=6, null=True, blank=True
    )
    new_value = models.DecimalField(
        "nytt värde", max_digits=20, decimal_places=6, null=True, blank=True
    )
    old_status = models.CharField("tidigare status", max_length=40, blank=True)
    new_status = models.CharField("ny status", max_length=40, blank=True)

    class Meta:
        verbose_name = "Kolada-revidering"
        verbose_name_plural = "Kolada-revideringar"
        ordering = ["-imported__started_at", "kpi", "municipality", "year", "gender"]

    def __str__(self) -> str:
        return (
            f"{self.kpi_id} {self.municipality_id} {self.year}: {self.old_value} → {self.new_value}"
        )


class KoladaLink(models.Model):
    """A Styrkort indicator compared with a Kolada KPI (set by the administrator)."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="kolada_link", verbose_name="indikator"
    )
    kpi = models.ForeignKey(
        KoladaKpi, on_delete=models.PROTECT, related_name="links", verbose_name="nyckeltal"
    )

    class Meta:
        verbose_name = "koppling till Kolada"
        verbose_name_plural = "kopplingar till Kolada"

    def __str__(self) -> str:
        return f"{self.indicator} ↔ {self.kpi_id}"


class KoladaPeerGroup(models.Model):
    """The group of similar municipalities a board compares itself with."""

    board = models.OneToOneField(
        Board, on_delete=models.CASCADE, related_name="kolada_peer_group", verbose_name="nämnd"
    )
    group = models.ForeignKey(
        KoladaGroup, on_delete=models.PROTECT, related_name="+", verbose_name="kommungrupp"
    )

    class Meta:
        verbose_name = "jämförelsegrupp"
        verbose_name_plural = "jämförelsegrupper"

    def __str__(self) -> str:
        return f"{self.board}: {self.group}"
