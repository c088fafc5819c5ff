"""The organisation and the goal chain: målområde → kommunövergripande mål → nämndmål.

Every structural row carries the years it applies to (`valid_from`, `valid_to`). A year's
structure is the set of rows valid in that year, so changing a goal for 2023 means closing the
old row at 2022 and opening a new one, and the 2022 report still finds exactly what it had.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.audit import ChangeSource, HistorySourceMixin
from goals.periods import OccasionKind, PeriodType

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LOCKED_MESSAGE = (
    "{occasion} är godkänt och låst. Inga värden kan ändras; en administratör kan öppna "
    "tillfället igen med en motivering."
)
SUBMITTED_MESSAGE = (
    "Tillfället {occasion} är inskickat för godkännande och kan inte ändras. En "
    "nämndsekreterare skickar tillbaka det (då kan det ändras igen) eller godkänner det."
)
LOCKED_OCCASION_CHANGE_MESSAGE = (
    "Ett godkänt uppföljningstillfälle kan inte tas bort eller flyttas till en annan nämnd, "
    "ett annat år eller ett annat tillfälle."
)


class OccasionLockedError(ValidationError):
    """A write reached data that a submitted or an approved (locked) occasion covers.

    The message says which lock applies: a submitted occasion waits for the approver, an
    approved one is locked until an administratör reopens it.
    """

    def __init__(self, occasion: object) -> None:
        self.occasion = occasion
        if getattr(occasion, "state", None) == ReportingOccasion.State.SUBMITTED:
            super().__init__(SUBMITTED_MESSAGE.format(occasion=occasion), code="submitted")
        else:
            super().__init__(LOCKED_MESSAGE.format(occasion=occasion), code="locked")


def kinds_covering(period_type: str, period_number: int) -> list[str]:
    """The occasion kinds whose due periods include this period (helår covers the year, K4…)."""
    return [
        kind.value
        for kind in OccasionKind
        if (PeriodType(period_type), period_number) in kind.due_periods()
    ]


def unchanged_in_database(instance: models.Model, ignore: tuple[str, ...] = ()) -> bool:
    """Whether a saved row already holds exactly the instance's field values."""
    if instance.pk is None:
        return False
    names = [
        field.attname
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.attname not in ignore
    ]
    stored = type(instance)._base_manager.filter(pk=instance.pk).values(*names).first()
    if stored is None:
        return False
    return all(stored[name] == getattr(instance, name) for name in names)


class YearRangeQuerySet(models.QuerySet):
    def valid_in(self, year: int) -> YearRangeQuerySet:
        return self.filter(valid_from__lte=year).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=year)
        )

    def valid_between(self, first: int, last: int) -> YearRangeQuerySet:
        """Rows valid in at least one year of first..last."""
        return self.filter(valid_from__lte=last).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first)
        )


class YearRange(models.Model):
    valid_from = models.PositiveSmallIntegerField("gäller från år")
    valid_to = models.PositiveSmallIntegerField(
        "gäller till och med år", null=True, blank=True, help_text="Tomt betyder tills vidare."
    )

    objects = YearRangeQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_from_before_to",
                violation_error_message="Giltig från-året måste vara före eller lika med till-året.",
            ),
        ]

    def is_valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def years_label(self) -> str:
        return f"{self.valid_from}–{self.valid_to or ''}"


# --- integrity of links (clean() of the models below; the database has triggers too) -------
LINK_GOAL_OTHER_BOARD = "Nämndmålet hör till en annan nämnd."
LINK_COUNCIL_GOAL_YEARS = (
    "Nämndmålets år ({goal}) överlappar inte det kommunövergripande målets år ({council})."
)
LINK_GOAL_PREDECESSOR_OTHER_BOARD = "Ett nämndmål kan bara ersätta ett nämndmål i samma nämnd."
LINK_ASSIGNMENT_PREDECESSOR_OTHER_BOARD = (
    "Ett uppdrag kan bara ersätta ett uppdrag av samma nämnd (eller ett kommungemensamt "
    "uppdrag ett kommungemensamt)."
)
LINK_ACTIVITY_YEAR_OUTSIDE_BOARD = "Året {year} ligger utanför nämndens år ({years})."
LINK_ACTIVITY_ASSIGNMENT_OTHER_BOARD = (
    "Uppdraget hör till en annan nämnd; en aktivitet kan höra till ett kommungemensamt uppdrag "
    "eller ett av den egna nämnden."
)
LINK_ACTIVITY_ASSIGNMENT_YEAR = "Uppdraget gäller inte år {year} (det gäller {years})."
LINK_ACTIVITY_POLICY_YEAR = "Styrdokumentet gäller inte år {year} (det gäller {years})."
LINK_ACTIVITY_GOAL_OTHER_BOARD = "Nämndmålet ”{goal}” hör till en annan nämnd än aktiviteten."
LINK_NOT_OWN_PREDECESSOR = "En rad kan inte ersätta sig själv."
LINK_ACTIVITY_GOAL_YEAR = "Nämndmålet ”{goal}” gäller inte år {year} (det gäller {years})."


def years_overlap(first: YearRange, second: YearRange) -> bool:
    """Whether two rows' years share at least one year (an empty end means open)."""
    return (second.valid_to is None or first.valid_from <= second.valid_to) and (
        first.valid_to is None or second.valid_from <= first.valid_to
    )


def years_within(inner: YearRange, outer: YearRange, *, from_year: int | None = None) -> bool:
    """Whether every year of `inner` is a year of `outer` (whose start may be moved back to
    `from_year`)."""
    start = outer.valid_from if from_year is None else min(from_year, outer.valid_from)
    if inner.valid_from < start:
        return False
    if outer.valid_to is None:
        return True
    return inner.valid_to is not None and inner.valid_to <= outer.valid_to


def years_text(row: YearRange) -> str:
    """'2021–2022', '2021–' for an open end: the row's `YearRange.years_label`."""
    return row.years_label


def related_or_none(instance: models.Model, name: str) -> Any:
    """The related row of FK `name`, or None when unset (no query when it is unset)."""
    if getattr(instance, f"{name}_id") is None:
        return None
    return getattr(instance, name)


class LinkRulesMixin:
    """Model.clean() of a model with link rules raises errors keyed by field; a form (or a
    service's full_clean(exclude=…)) that leaves a field out gets that error as a non-field
    error instead of Django's ValueError for a field it does not have."""

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        try:
            super().full_clean(  # type: ignore[misc]
                exclude=exclude,
                validate_unique=validate_unique,
                validate_constraints=validate_constraints,
            )
        except ValidationError as error:
            excluded = set(exclude or ())
            if not hasattr(error, "error_dict") or not excluded & set(error.error_dict):
                raise
            folded: dict[str, list[ValidationError]] = {}
            for field, errors in error.error_dict.items():
                key = NON_FIELD_ERRORS if field in excluded else field
                folded.setdefault(key, []).extend(errors)
            raise ValidationError(folded) from None


class Municipality(models.Model):
    name = models.CharField("namn", max_length=100, unique=True)
    code = models.CharField(
        "kommunkod",
        max_length=4,
        blank=True,
        help_text="SCB:s fyrsiffriga kommunkod, t.ex. 0580 för Linköping (används mot Kolada).",
    )

    class Meta:
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"

    def __str__(self) -> str:
        return self.name


class Board(YearRange):
    """A nämnd, e.g. Arbetsmarknadsnämnden (AN)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="boards", verbose_name="kommun"
    )
    code = models.CharField("kortnamn", max_length=12, unique=True)
    name = models.CharField("namn", max_length=150)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta(YearRange.Meta):
        verbose_name = "nämnd"
        verbose_name_plural = "nämnder"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class OrganisationUnit(YearRange):
    """A förvaltning (UAF, SOF, IAF) or an enhet (AMC, AMF, OSA) that values are split by."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "forvaltning", "Förvaltning"
        UNIT = "enhet", "Enhet"

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="units", verbose_name="kommun"
    )
    kind = models.CharField("typ", max_length=12, choices=Kind.choices)
    code = models.CharField("kortnamn", max_length=20, unique=True)
    name = models.CharField("namn", max_length=150)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="ingår i",
    )
    boards = models.ManyToManyField(
        Board, blank=True, related_name="units", verbose_name="arbetar för nämnder"
    )

    class Meta(YearRange.Meta):
        verbose_name = "förvaltning eller enhet"
        verbose_name_plural = "förvaltningar och enheter"
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.code


class GoalArea(models.Model):
    """One of KF's five målområden: Samhälle, Medborgare, Ekonomi, Verksamhet, Medarbetare."""

    name = models.CharField("namn", max_length=60, unique=True)
    description = models.TextField("beskrivning", blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "målområde"
        verbose_name_plural = "målområden"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class MandatePeriod(models.Model):
    """A mandatperiod (e.g. 2019–2022): goals set by one council usually run to its end.

    The year rollover asks the administrator what continues when N+1 starts a new period.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="mandate_periods",
        verbose_name="kommun",
    )
    first_year = models.PositiveSmallIntegerField("första år")
    last_year = models.PositiveSmallIntegerField("sista år")

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för mandatperiod"
    )

    class Meta:
        verbose_name = "mandatperiod"
        verbose_name_plural = "mandatperioder"
        ordering = ["municipality", "first_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")),
                name="goals_mandateperiod_first_before_last",
                violation_error_message="Mandatperiodens första år måste vara före dess sista år.",
            ),
            models.UniqueConstraint(
                fields=["municipality", "first_year"],
                name="goals_mandateperiod_unique_start",
                violation_error_message="Det finns redan en mandatperiod som börjar det året.",
            ),
        ]

    def __str__(self) -> str:
        return f"Mandatperiod {self.first_year}–{self.last_year}"

    def includes(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


class PolicyDocument(YearRange):
    """A prioriterat styrdokument: a policy the council asks the boards to prioritise."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="policy_documents",
        verbose_name="kommun",
    )
    title = models.CharField("namn", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för styrdokument"
    )

    class Meta(YearRange.Meta):
        verbose_name = "prioriterat styrdokument"
        verbose_name_plural = "prioriterade styrdokument"
        ordering = ["order", "title"]
        constraints = [
            *YearRange.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "title", "valid_from"],
                name="goals_policydocument_unique_title_per_start",
                violation_error_message="Det finns redan ett styrdokument med det namnet från samma år.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CouncilGoal(YearRange):
    """Kommunövergripande mål, set by kommunfullmäktige."""

    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.PROTECT, related_name="council_goals", verbose_name="målområde"
    )
    title = models.CharField("rubrik", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för kommunövergripande mål"
    )

    class Meta(YearRange.Meta):
        verbose_name = "kommunövergripande mål"
        verbose_name_plural = "kommunövergripande mål"
        ordering = ["goal_area__order", "order", "valid_from"]
        constraints = [
            *YearRange.Meta.constraints,
            models.UniqueConstraint(
                fields=["goal_area", "title", "valid_from"],
                name="goals_councilgoal_unique_title_per_start",
                violation_error_message="Det finns redan ett mål med den rubriken från samma år.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BoardGoal(LinkRulesMixin, YearRange):
    """Nämndmål: the board's own goal under a KF goal."""

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="goals", verbose_name="nämnd"
    )
    council_goal = models.ForeignKey(
        CouncilGoal,
        on_delete=models.PROTECT,
        related_name="board_goals",
        verbose_name="kommunövergripande mål",
    )
    title = models.CharField("rubrik", max_length=200)
    description = models.TextField("beskrivande text", blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name="ersätter",
    )

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för nämndmål")
    # Set on the goal tree's copies (reports.views.pages), never stored.
    assessment: GoalAssessment | None
    rows: list[dict[str, Any]]

    class Meta(YearRange.Meta):
        verbose_name = "nämndmål"
        verbose_name_plural = "nämndmål"
        ordering = ["council_goal__goal_area__order", "council_goal__order", "order"]
        constraints = [
            *YearRange.Meta.constraints,
            models.UniqueConstraint(
                fields=["board", "title", "valid_from"],
                name="goals_boardgoal_unique_title_per_start",
                violation_error_message="Nämnden har redan ett nämndmål med den rubriken från samma år.",
            ),
            models.CheckConstraint(
                condition=Q(predecessor__isnull=True) | ~Q(predecessor=F("pk")),
                name="goals_boardgoal_not_own_predecessor",
                violation_error_message=LINK_NOT_OWN_PREDECESSOR,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        council = related_or_none(self, "council_goal")
        if council is not None and self.valid_from is not None and not years_overlap(self, council):
            errors["council_goal"] = LINK_COUNCIL_GOAL_YEARS.format(
                goal=self.years_label, council=council.years_label
            )
        predecessor = related_or_none(self, "predecessor")
        if predecessor is not None and predecessor.board_id != self.board_id:
            errors["predecessor"] = LINK_GOAL_PREDECESSOR_OTHER_BOARD
        if errors:
            raise ValidationError(errors)


class ReportingOccasionQuerySet(models.QuerySet):
    def covering(
        self, *, board_id: int, year: int, period_type: str, period_number: int
    ) -> ReportingOccasionQuerySet:
        """The board's occasions whose due periods include this period."""
        return self.filter(
            board_id=board_id, year=year, kind__in=kinds_covering(period_type, period_number)
        )

    def approved(self) -> ReportingOccasionQuerySet:
        return self.filter(state=ReportingOccasion.State.APPROVED)

    def closed_for_entry(self) -> ReportingOccasionQuerySet:
        """Submitted or approved: nothing they cover may be written (see is_open_for_entry)."""
        return self.exclude(state=ReportingOccasion.State.OPEN)


class ReportingOccasion(models.Model):
    """Uppföljningstillfälle: one board's delår 1, delår 2, helår (or a quarter) of a year.

    An approved occasion locks everything it covers: the indicator values of its due periods
    (see `covering`), its goal assessments and the statuses of assignments and activities.
    The guard is in the models' save() and delete() and in their querysets' bulk methods,
    all asking goals.locks, so every path (form, import, admin, command) meets it; the state
    itself changes only through goals.services (submit, approve, reopen), which records each
    transition.
    """

    class State(models.TextChoices):
        OPEN = "oppen", "Öppen"
        SUBMITTED = "inskickad", "Inskickad"
        APPROVED = "godkand", "Godkänd"

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="occasions", verbose_name="nämnd"
    )
    year = models.PositiveSmallIntegerField("år")
    kind = models.CharField("tillfälle", max_length=8, choices=OccasionKind.choices)
    deadline = models.DateField("sista dag för inrapportering", null=True, blank=True)
    state = models.CharField("status", max_length=10, choices=State.choices, default=State.OPEN)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för uppföljningstillfälle"
    )
    objects = ReportingOccasionQuerySet.as_manager()
    _history_user: User | None  # set by a service so simple-history records who changed it
    _change_reason: str  # the same for the reason of a command's change

    class Meta:
        verbose_name = "uppföljningstillfälle"
        verbose_name_plural = "uppföljningstillfällen"
        ordering = ["board__order", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year", "kind"],
                name="goals_occasion_unique_per_board_year_kind",
                violation_error_message="Nämnden har redan det uppföljningstillfället det året.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board.code} {self.get_kind_display()} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An approved occasion keeps its board, year and kind: moving it would unlock
        # what it covers. Its state changes only through goals.services.
        if self.pk is not None:
            stored = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values("state", "board_id", "year", "kind")
                .first()
            )
            if (
                stored is not None
                and stored["state"] == self.State.APPROVED
                and (stored["board_id"], stored["year"], stored["kind"])
                != (self.board_id, self.year, self.kind)
            ):
                raise ValidationError(LOCKED_OCCASION_CHANGE_MESSAGE, code="locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self)._base_manager.filter(pk=self.pk, state=self.State.APPROVED).exists():
            raise ValidationError(LOCKED_OCCASION_CHANGE_MESSAGE, code="locked")
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        """Approved: locked by the model guard on every path until an administratör reopens."""
        return self.state == self.State.APPROVED

    @property
    def is_open_for_entry(self) -> bool:
        """Values, assessments and statuses may be written only while the occasion is open.

        Inskickad is read-only for everyone: the approver sends it back (open again) or
        approves it. This is the one rule every write path asks (save_value and the goal
        services, the import, the admin); the model-level guard (goals.locks) holds the
        approved lock.
        """
        return self.state == self.State.OPEN

    def ensure_open_for_entry(self) -> None:
        """Raise OccasionLockedError, saying which lock applies, unless the occasion is open."""
        if not self.is_open_for_entry:
            raise OccasionLockedError(self)

    @property
    def assesses_goals(self) -> bool:
        return OccasionKind(self.kind).assesses_goals

    def due_periods(self) -> list[tuple[PeriodType, int]]:
        return OccasionKind(self.kind).due_periods()


class OccasionOwnedQuerySet(models.QuerySet):
    """Bulk writes of rows that belong to an occasion refuse to touch an approved one."""

    def _refuse_if_locked(self) -> None:
        from goals import locks

        locks.refuse(locks.approved_occasion_among(self.values("occasion_id")))

    def update(self, **kwargs: Any) -> int:
        self._refuse_if_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()

    def _refuse_objects(self, objs: Iterable[OccasionOwnedModel]) -> None:
        from goals import locks

        locks.refuse(locks.approved_occasion_among(obj.occasion_id for obj in objs))

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_objects(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_objects(objs)
        return super().bulk_update(objs, *args, **kwargs)


class OccasionOwnedModel(models.Model):
    """A row that belongs to one occasion and is locked with it (model-level guard, goals.locks)."""

    objects = OccasionOwnedQuerySet.as_manager()
    occasion_id: int  # each subclass declares its occasion foreign key
    _history_user: User | None  # set by a service so simple-history records who changed it

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from goals import locks

        if not locks.may_save(self, locks.approved_occasion_among([self.occasion_id])):
            return
        if self.pk is not None:
            # Moving a row out of an approved occasion changes that occasion too.
            stored = (
                # The lookup is checked per subclass; the abstract model has no fields.
                type(self)._base_manager.filter(pk=self.pk).values_list("occasion_id")  # type: ignore[misc]
            )
            moved_from = [pk for (pk,) in stored if pk != self.occasion_id]
            locks.refuse(locks.approved_occasion_among(moved_from))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from goals import locks

        locks.refuse(locks.approved_occasion_among([self.occasion_id]))
        return super().delete(*args, **kwargs)


class OccasionTransition(models.Model):
    """Every change of an occasion's state, with who, when and why."""

    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name="uppföljningstillfälle",
    )
    from_state = models.CharField(
        "från status", max_length=10, choices=ReportingOccasion.State.choices
    )
    to_state = models.CharField(
        "till status", max_length=10, choices=ReportingOccasion.State.choices
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="användare",
    )
    at = models.DateTimeField("tidpunkt", auto_now_add=True)
    reason = models.TextField("motivering", blank=True)
    source = models.CharField(
        "källa", max_length=10, choices=ChangeSource.choices, blank=True, default=""
    )
    # A submit with gaps needs the controller's explicit confirmation; what was missing then
    # is kept on the step, so the approver (and the log) sees what was sent in incomplete.
    missing_count = models.PositiveIntegerField("saknade uppgifter vid inskickning", default=0)
    missing_summary = models.TextField("saknades vid inskickning", blank=True, default="")

    class Meta:
        verbose_name = "statusändring"
        verbose_name_plural = "statusändringar"
        ordering = ["occasion", "at"]

    def __str__(self) -> str:
        return f"{self.occasion}: {self.from_state} → {self.to_state}"


class AssessmentLevel(models.TextChoices):
    ACHIEVED = "uppnatt", "Uppnått"
    PARTLY = "delvis", "Delvis uppnått"
    NOT_ACHIEVED = "ej_uppnatt", "Ej uppnått"

    @property
    def short_label(self) -> str:
        """The word the indicator tables print in the column "Mål uppnått"."""
        return {"uppnatt": "Ja", "delvis": "Delvis", "ej_uppnatt": "Nej"}[self.value]


class GoalAssessment(OccasionOwnedModel):
    """A nämndmål's assessment at an occasion (delår or helår)."""

    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="uppföljningstillfälle",
    )
    board_goal = models.ForeignKey(
        BoardGoal, on_delete=models.PROTECT, related_name="assessments", verbose_name="nämndmål"
    )
    level = models.CharField("bedömning", max_length=12, choices=AssessmentLevel.choices)
    suggested_level = models.CharField(
        "föreslagen bedömning",
        max_length=12,
        choices=AssessmentLevel.choices,
        blank=True,
        help_text="Förslaget utifrån indikatorerna när bedömningen gjordes.",
    )
    analysis = models.TextField("analys", blank=True)
    results = models.TextField("resultat som bidragit", blank=True)
    other_activities = models.TextField("övriga aktiviteter som bidragit", blank=True)
    deviations = models.TextField("avvikelser", blank=True)
    version = models.PositiveIntegerField("version", default=1)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för målbedömning"
    )

    class Meta:
        verbose_name = "målbedömning"
        verbose_name_plural = "målbedömningar"
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "board_goal"],
                name="goals_assessment_unique_per_occasion_goal",
                violation_error_message="Nämndmålet är redan bedömt vid det tillfället.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board_goal}: {self.get_level_display()}"


class StrategicAssignment(LinkRulesMixin, YearRange):
    """Strategiskt utvecklingsuppdrag from KF (common to all boards, or specific to one), or a
    nämnduppdrag the board gives its own administration."""

    class Scope(models.TextChoices):
        COMMON = "kommungemensamt", "Kommungemensamt"
        BOARD = "namndspecifikt", "Nämndspecifikt"
        BOARD_OWN = "namnduppdrag", "Nämnduppdrag"

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="assignments", verbose_name="kommun"
    )
    scope = models.CharField("typ", max_length=16, choices=Scope.choices)
    board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name="nämnd",
    )
    text = models.TextField("uppdrag")
    note = models.CharField(
        "anmärkning", max_length=200, blank=True, help_text="T.ex. Kvarstår från Budget 2021."
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

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för uppdrag")

    class Meta(YearRange.Meta):
        verbose_name = "strategiskt utvecklingsuppdrag"
        verbose_name_plural = "strategiska utvecklingsuppdrag"
        ordering = ["scope", "order"]
        constraints = [
            *YearRange.Meta.constraints,
            models.CheckConstraint(
                condition=Q(scope="kommungemensamt", board__isnull=True)
                | Q(scope__in=["namndspecifikt", "namnduppdrag"], board__isnull=False),
                name="goals_assignment_board_iff_board_specific",
                violation_error_message=(
                    "Ett nämndspecifikt uppdrag och ett nämnduppdrag måste ha en nämnd, "
                    "ett kommungemensamt ingen."
                ),
            ),
            models.CheckConstraint(
                condition=Q(predecessor__isnull=True) | ~Q(predecessor=F("pk")),
                name="goals_assignment_not_own_predecessor",
                violation_error_message=LINK_NOT_OWN_PREDECESSOR,
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        super().clean()
        predecessor = related_or_none(self, "predecessor")
        if predecessor is not None and predecessor.board_id != self.board_id:
            raise ValidationError({"predecessor": LINK_ASSIGNMENT_PREDECESSOR_OTHER_BOARD})


class WorkStatus(models.TextChoices):
    DONE = "genomfort", "Genomfört"
    ONGOING = "pagar", "Pågår"
    NOT_STARTED = "ej_paborjat", "Ej påbörjat"
    NOT_RELEVANT = "ej_relevant", "Ej relevant"


class AssignmentStatus(OccasionOwnedModel):
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="assignment_statuses",
        verbose_name="uppföljningstillfälle",
    )
    assignment = models.ForeignKey(
        StrategicAssignment,
        on_delete=models.PROTECT,
        related_name="statuses",
        verbose_name="uppdrag",
    )
    status = models.CharField("status", max_length=12, choices=WorkStatus.choices)
    comment = models.TextField("kommentar vid avvikelse", blank=True)
    version = models.PositiveIntegerField("version", default=1)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för uppdragsstatus"
    )

    class Meta:
        verbose_name = "status för uppdrag"
        verbose_name_plural = "status för uppdrag"
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "assignment"],
                name="goals_assignmentstatus_unique_per_occasion",
                violation_error_message="Uppdraget har redan en status vid det tillfället.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.get_status_display()}"


class Activity(LinkRulesMixin, models.Model):
    """An activity of the administration's verksamhetsplan, for one year.

    It serves one or more nämndmål, an assignment (KF's or the board's own nämnduppdrag), a
    prioriterat styrdokument, or only a målområde; services check that it serves something.
    The deadline is kept as the plan wrote it ("Succesivt avslut Q4"); `due_quarter` is what
    it is sorted and judged by (goals.deadlines reads it from the text).
    """

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="activities", verbose_name="nämnd"
    )
    year = models.PositiveSmallIntegerField("år")
    title = models.CharField("aktivitet", max_length=300)
    board_goals = models.ManyToManyField(
        BoardGoal, blank=True, related_name="activities", verbose_name="nämndmål"
    )
    assignment = models.ForeignKey(
        StrategicAssignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="uppdrag",
    )
    policy_document = models.ForeignKey(
        PolicyDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="prioriterat styrdokument",
    )
    goal_area = models.ForeignKey(
        GoalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="målområde",
        help_text="För en aktivitet som bara hör till ett målområde.",
    )
    deadline = models.CharField(
        "klart senast", max_length=100, blank=True, help_text="Som planen skriver det."
    )
    due_quarter = models.PositiveSmallIntegerField(
        "klart senast kvartal",
        null=True,
        blank=True,
        help_text="Kvartalet (1–4) aktiviteten sorteras och bedöms efter; tomt för löpande.",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name="fortsätter",
    )

    history = HistoricalRecords(
        bases=[HistorySourceMixin],
        verbose_name="historik för aktivitet",
        m2m_fields=[board_goals],
    )

    class Meta:
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        ordering = ["board", "year", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_quarter__isnull=True) | Q(due_quarter__gte=1, due_quarter__lte=4),
                name="goals_activity_due_quarter_1_to_4",
                violation_error_message="Kvartalet ska vara 1, 2, 3 eller 4.",
            ),
            models.CheckConstraint(
                condition=Q(predecessor__isnull=True) | ~Q(predecessor=F("pk")),
                name="goals_activity_not_own_predecessor",
                violation_error_message=LINK_NOT_OWN_PREDECESSOR,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.year is None:
            return
        errors: dict[str, str] = {}
        board = related_or_none(self, "board")
        if board is not None and not board.is_valid_in(self.year):
            errors["year"] = LINK_ACTIVITY_YEAR_OUTSIDE_BOARD.format(
                year=self.year, years=board.years_label
            )
        assignment = related_or_none(self, "assignment")
        if assignment is not None:
            if (
                assignment.scope != StrategicAssignment.Scope.COMMON
                and assignment.board_id != self.board_id
            ):
                errors["assignment"] = LINK_ACTIVITY_ASSIGNMENT_OTHER_BOARD
            elif not assignment.is_valid_in(self.year):
                errors["assignment"] = LINK_ACTIVITY_ASSIGNMENT_YEAR.format(
                    year=self.year, years=assignment.years_label
                )
        policy = related_or_none(self, "policy_document")
        if policy is not None and not policy.is_valid_in(self.year):
            errors["policy_document"] = LINK_ACTIVITY_POLICY_YEAR.format(
                year=self.year, years=policy.years_label
            )
        if errors:
            raise ValidationError(errors)


class ActivityStatus(OccasionOwnedModel):
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="activity_statuses",
        verbose_name="uppföljningstillfälle",
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="statuses", verbose_name="aktivitet"
    )
    status = models.CharField("status", max_length=12, choices=WorkStatus.choices)
    comment = models.TextField("kommentar", blank=True)
    version = models.PositiveIntegerField("version", default=1)

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för aktivitetsstatus"
    )

    class Meta:
        verbose_name = "status för aktivitet"
        verbose_name_plural = "status för aktiviteter"
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "activity"],
                name="goals_activitystatus_unique_per_occasion",
                violation_error_message="Aktiviteten har redan en status vid det tillfället.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_status_display()}"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administratör"
    CONTROLLER = "controller", "Controller"
    SECRETARY = "namndsekreterare", "Nämndsekreterare"
    MANAGER = "chef", "Chef"


class RoleSource(models.TextChoices):
    """Where a role comes from: granted on the user page, or from an identity provider group."""

    MANUAL = "manuell", "Tilldelad för hand"
    GROUP = "grupp", "Från grupp i identitetstjänsten"


class BoardRole(models.Model):
    """Who may do what where. No board means every board.

    A role from a group (`source` GROUP) is recomputed at every login through the identity
    provider; a role granted by hand stays until an administrator revokes it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="board_roles",
        verbose_name="användare",
    )
    role = models.CharField("roll", max_length=20, choices=Role.choices)
    board = models.ForeignKey(
        Board,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name="nämnd",
        help_text="Tomt betyder alla nämnder.",
    )
    source = models.CharField(
        "ursprung", max_length=10, choices=RoleSource.choices, default=RoleSource.MANUAL
    )

    class Meta:
        verbose_name = "behörighet"
        verbose_name_plural = "behörigheter"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "board"],
                condition=Q(board__isnull=False),
                name="goals_boardrole_unique_per_board",
                violation_error_message="Användaren har redan den rollen för nämnden.",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(board__isnull=True),
                name="goals_boardrole_unique_all_boards",
                violation_error_message="Användaren har redan den rollen för alla nämnder.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} ({self.board or 'alla nämnder'})"


class StructureCorrection(models.Model):
    """A recorded change to structure that an approved occasion covers.

    A goal, indicator or target of an approved year is never rewritten silently: the change
    is made with a reason, and this row says who changed what, when and why.
    """

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="structure_corrections", verbose_name="nämnd"
    )
    year = models.PositiveSmallIntegerField("år")
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="structure_corrections",
        verbose_name="godkänt tillfälle",
    )
    object_label = models.CharField("vad som ändrades", max_length=400)
    changes = models.TextField("ändringar", blank=True)
    reason = models.TextField("motivering")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ändrad av",
    )
    at = models.DateTimeField("tidpunkt", auto_now_add=True)

    class Meta:
        verbose_name = "rättelse av struktur"
        verbose_name_plural = "rättelser av struktur"
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="goals_structurecorrection_has_reason",
                violation_error_message="En rättelse av ett godkänt år behöver en motivering.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_label} ({self.year})"


class PlanKind(models.TextChoices):
    INTERNBUDGET = "internbudget", "Internbudget"
    VERKSAMHETSPLAN = "verksamhetsplan", "Verksamhetsplan"


class BoardPlan(models.Model):
    """A board's plan document for a year (its internbudget, its administration's
    verksamhetsplan), with the date it was decided.

    The decision date is the plan's cut-off: its outcome columns hold what was known that day
    (an internbudget is decided in the autumn before its year, when the current year is known
    only as far as its latest reported period). A plan without a date shows today's figures.
    """

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="plans", verbose_name="nämnd"
    )
    year = models.PositiveSmallIntegerField("år")
    kind = models.CharField("slag", max_length=16, choices=PlanKind.choices)
    decided_on = models.DateField(
        "beslutsdatum",
        null=True,
        blank=True,
        help_text="Utfallen i planen visas som de var kända vid dagens slut.",
    )
    decision = models.CharField(
        "beslut", max_length=200, blank=True, help_text="T.ex. ”Arbetsmarknadsnämnden § 85”."
    )

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för plan")

    class Meta:
        verbose_name = "plan"
        verbose_name_plural = "planer"
        ordering = ["board", "year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year", "kind"],
                name="goals_boardplan_unique_per_year",
                violation_error_message="Nämnden har redan en sådan plan det året.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["internbudget", "verksamhetsplan"]),
                name="goals_boardplan_kind_valid",
                violation_error_message="Okänt slag av plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} – {self.board}"


class DocumentKind(models.TextChoices):
    """The documents a board decides on. The follow-up documents belong to an occasion (their
    texts are locked with it); the plans to the board's year. reports.report.model.ReportKind
    has the same values."""

    VERKSAMHETSBERATTELSE = "verksamhetsberattelse", "Verksamhetsberättelse"
    DELAR1 = "delar1", "Delårsrapport 1 (30 april)"
    DELAR2 = "delar2", "Delårsrapport 2 (31 augusti)"
    INTERNBUDGET = "internbudget", "Internbudget"
    VERKSAMHETSPLAN = "verksamhetsplan", "Verksamhetsplan"

    @property
    def occasion_kind(self) -> OccasionKind | None:
        """The occasion whose document this is; None for the plans."""
        return {
            "verksamhetsberattelse": OccasionKind.FULL_YEAR,
            "delar1": OccasionKind.INTERIM_1,
            "delar2": OccasionKind.INTERIM_2,
        }.get(self.value)

    @classmethod
    def for_occasion(cls, kind: str) -> DocumentKind | None:
        for document in cls:
            if document.occasion_kind == kind:
                return document
        return None


class NarrativeText(OccasionOwnedModel):
    """One narrative section of a board's document for a year, e.g. the verksamhetsberättelse's
    "Händelser av väsentlig betydelse". The text is plain text with paragraphs, "- " lists,
    "### " headings and *kursiv*/**fet** (reports.narrative reads it; it never becomes markup).

    Which sections a document has is its outline (reports.models.OutlineItem); a section's key
    ties the text to its place there. Texts of a follow-up document belong to its occasion and
    are locked with it; texts of a plan have no occasion.
    """

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="narratives", verbose_name="nämnd"
    )
    year = models.PositiveSmallIntegerField("år")
    document = models.CharField("dokument", max_length=24, choices=DocumentKind.choices)
    section = models.SlugField("avsnitt", max_length=60)
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="narratives",
        null=True,
        blank=True,
        verbose_name="uppföljningstillfälle",
    )
    text = models.TextField("text", blank=True)
    version = models.PositiveIntegerField("version", default=1)

    history = HistoricalRecords(bases=[HistorySourceMixin], verbose_name="historik för text")

    class Meta:
        verbose_name = "text i rapport"
        verbose_name_plural = "texter i rapporter"
        ordering = ["board", "year", "document", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year", "document", "section"],
                name="goals_narrative_unique_per_section",
                violation_error_message="Avsnittet har redan en text i det dokumentet.",
            ),
            models.CheckConstraint(
                condition=Q(document__in=["internbudget", "verksamhetsplan"], occasion__isnull=True)
                | Q(
                    document__in=["verksamhetsberattelse", "delar1", "delar2"],
                    occasion__isnull=False,
                ),
                name="goals_narrative_occasion_iff_follow_up",
                violation_error_message=(
                    "En text i en uppföljning hör till sitt tillfälle; en text i en plan har inget."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board.code} {self.get_document_display()} {self.year}: {self.section}"

    def clean(self) -> None:
        super().clean()
        expected = DocumentKind(self.document).occasion_kind if self.document else None
        occasion = self.occasion if self.occasion_id is not None else None
        where = (self.board_id, self.year, expected)
        if occasion is not None and (occasion.board_id, occasion.year, occasion.kind) != where:
            raise ValidationError(
                {"occasion": "Tillfället hör inte till nämndens dokument det året."}
            )


class IdentityProvider(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class ExternalIdentity(models.Model):
    """A user as the municipality's identity provider knows them (OIDC `sub`, SAML NameID)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name="användare",
    )
    provider = models.CharField("identitetstjänst", max_length=10, choices=IdentityProvider.choices)
    subject = models.CharField("identitet hos tjänsten", max_length=255)
    groups = models.JSONField("grupper vid senaste inloggning", default=list, blank=True)
    last_login_at = models.DateTimeField("senaste inloggning", null=True, blank=True)

    class Meta:
        verbose_name = "extern identitet"
        verbose_name_plural = "externa identiteter"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"],
                name="goals_externalidentity_unique_subject",
                violation_error_message="Identiteten hör redan till en annan användare.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.subject}"


class GroupRoleMapping(models.Model):
    """Members of an identity provider's group get a role on a board (no board: every board).

    `group` is what the provider sends in its groups claim: Entra ID sends object ids (GUIDs),
    other providers names. Compared exactly, apart from letter case.
    """

    group = models.CharField(
        "grupp",
        max_length=255,
        help_text="Gruppens id (Entra ID skickar ett GUID) eller namn, som identitetstjänsten skickar det.",
    )
    label = models.CharField("beskrivning", max_length=200, blank=True)
    role = models.CharField("roll", max_length=20, choices=Role.choices)
    board = models.ForeignKey(
        Board,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_mappings",
        verbose_name="nämnd",
        help_text="Tomt betyder alla nämnder.",
    )

    class Meta:
        verbose_name = "gruppmappning"
        verbose_name_plural = "gruppmappningar"
        ordering = ["group", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "role", "board"],
                condition=Q(board__isnull=False),
                name="goals_groupmapping_unique_per_board",
                violation_error_message="Gruppen ger redan den rollen för nämnden.",
            ),
            models.UniqueConstraint(
                fields=["group", "role"],
                condition=Q(board__isnull=True),
                name="goals_groupmapping_unique_all_boards",
                violation_error_message="Gruppen ger redan den rollen för alla nämnder.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.group}: {self.get_role_display()} ({self.board or 'alla nämnder'})"


class AccessChange(models.Model):
    """An append-only line of who changed whose access, and when.

    Written by every path that changes roles, accounts or group mappings: the user pages and
    the role sync at an identity provider login (then `actor` is empty: the login did it).
    """

    class Kind(models.TextChoices):
        USER_CREATED = "konto_skapat", "Konto skapat"
        GRANTED = "roll_tilldelad", "Roll tilldelad"
        REVOKED = "roll_aterkallad", "Roll återkallad"
        DEACTIVATED = "konto_inaktiverat", "Konto inaktiverat"
        ACTIVATED = "konto_aktiverat", "Konto aktiverat"
        MAPPING_ADDED = "mappning_tillagd", "Gruppmappning tillagd"
        MAPPING_REMOVED = "mappning_borttagen", "Gruppmappning borttagen"

    at = models.DateTimeField("tidpunkt", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ändrad av",
        help_text="Tomt: ändrat vid inloggning genom identitetstjänsten.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_changes",
        verbose_name="användare",
    )
    kind = models.CharField("ändring", max_length=20, choices=Kind.choices)
    role = models.CharField("roll", max_length=20, choices=Role.choices, blank=True)
    board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="nämnd",
    )
    detail = models.TextField("detaljer", blank=True)

    class Meta:
        verbose_name = "behörighetsändring"
        verbose_name_plural = "behörighetsändringar"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Notification(models.Model):
    """One e-mail Styrkort sends, recorded before it is sent so that it is sent once.

    `key` names the message (e.g. a reminder for one occasion, deadline and recipient); a
    second run finds the key and sends nothing. `sent_at` stays empty until the SMTP server
    has accepted the message, so a run after a crash sends what was claimed but not sent.
    """

    class Kind(models.TextChoices):
        REMINDER = "paminnelse", "Påminnelse före sista dag"
        SUBMITTED = "inskickat", "Tillfälle inskickat"
        RETURNED = "tillbakaskickat", "Tillfälle tillbakaskickat"
        APPROVED = "godkant", "Tillfälle godkänt"

    key = models.CharField("nyckel", max_length=200, unique=True)
    kind = models.CharField("slag", max_length=20, choices=Kind.choices)
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="uppföljningstillfälle",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="mottagare",
    )
    email = models.EmailField("e-postadress")
    subject = models.CharField("ämne", max_length=255)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    sent_at = models.DateTimeField("skickad", null=True, blank=True)

    class Meta:
        verbose_name = "utskick"
        verbose_name_plural = "utskick"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} till {self.email}"
