from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from simple_history.admin import SimpleHistoryAdmin

from core.audit import ChangeSource, change_source
from goals import integrity, models

admin.site.site_header = "Styrkort – administration"
admin.site.site_title = "Styrkort"
admin.site.index_title = "Målstruktur, organisation och behörigheter"


class AuditedHistoryAdmin(SimpleHistoryAdmin):
    """The history rows are the audit trail: the admin shows them and never reverts to one.

    SIMPLE_HISTORY_REVERT_DISABLED only hides the button; a POST to a history row's form would
    still write it back, so that is refused here.
    """

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# The mixin's super() calls reach ModelAdmin through the class it is mixed into.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class LockedRowsAdminMixin(_AdminBase):
    """The admin meets the lock of approved occasions like every other path.

    Locked rows are shown read-only and cannot be deleted; a new or changed row that an
    approved occasion covers is refused at the form; bulk deletes skip nothing silently but
    refuse. Writes are recorded with the source "admin" and bump the version, so a form
    opened elsewhere from the old version is refused instead of overwriting the change.
    """

    def locking_occasion_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.pk is not None and self.locking_occasion_of(obj) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk is not None and self.locking_occasion_of(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        admin_instance = self

        class LockCheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                occasion = admin_instance.locking_occasion_of(self.instance)
                if occasion is not None:
                    self.add_error(None, models.OccasionLockedError(occasion))

        return LockCheckedForm

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "version") and change:
            obj.version = (obj.version or 0) + 1
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = request.user
        with change_source(ChangeSource.ADMIN):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with change_source(ChangeSource.ADMIN):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        try:
            with change_source(ChangeSource.ADMIN):
                super().delete_queryset(request, queryset)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)


STRUCTURE_LOCKED_IN_ADMIN = (
    "{occasion} är godkänt och täcker den här raden, så den visas bara här. Ändra den på "
    "strukturssidan: där sparas ändringen som en rättelse med motivering, och den godkända "
    "rapporten skrivs aldrig om i tysthet."
)


def occasions_over(
    *, board_id: int | None, municipality_id: int | None, first: int, last: int | None
) -> QuerySet[models.ReportingOccasion]:
    """The occasions in the years first..last of one board, else of every board of the
    municipality (a common assignment, a styrdokument), else of every board (a KF goal)."""
    occasions = models.ReportingOccasion.objects.filter(year__gte=first)
    if last is not None:
        occasions = occasions.filter(year__lte=last)
    if board_id is not None:
        return occasions.filter(board_id=board_id)
    if municipality_id is not None:
        return occasions.filter(board__municipality_id=municipality_id)
    return occasions


class ApprovedStructureAdminMixin(_AdminBase):
    """Structure an approved occasion covers is read-only in the admin, like locked values.

    The structure pages change it as a recorded correction with a reason
    (goals.structure_services); the admin has no reason field, so it changes nothing that an
    approved report shows. A new row reaching an approved year is refused at the form.
    """

    def covering_occasions(self, obj: Any) -> QuerySet[models.ReportingOccasion] | None:
        raise NotImplementedError

    def approved_occasion_of(
        self, obj: Any, request: Any = None
    ) -> models.ReportingOccasion | None:
        """The first approved occasion over the row's years. With `request`, each distinct
        question is asked once per request: a change page asks it for the permission checks,
        the note and the form, about the same rows."""
        occasions = self.covering_occasions(obj)
        if occasions is None:
            return None
        approved = (
            occasions.filter(state=models.ReportingOccasion.State.APPROVED)
            .select_related("board")
            .order_by("year", "kind")
        )
        if request is None:
            return approved.first()
        asked: dict = request.__dict__.setdefault("_approved_structure_occasions", {})
        key = approved.query.sql_with_params()
        if key not in asked:
            asked[key] = approved.first()
        return asked[key]

    def has_change_permission(self, request, obj=None):
        if (
            obj is not None
            and obj.pk is not None
            and self.approved_occasion_of(obj, request) is not None
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if (
            obj is not None
            and obj.pk is not None
            and self.approved_occasion_of(obj, request) is not None
        ):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        occasion = self.approved_occasion_of(obj, request) if obj is not None else None
        if occasion is not None and request.method == "GET":
            self.message_user(
                request, STRUCTURE_LOCKED_IN_ADMIN.format(occasion=occasion), messages.WARNING
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        admin_instance = self

        class StructureLockCheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                try:
                    occasion = admin_instance.approved_occasion_of(self.instance, request)
                except Exception:  # an incomplete row: its own field errors say why
                    return
                if occasion is not None:
                    self.add_error(None, STRUCTURE_LOCKED_IN_ADMIN.format(occasion=occasion))

        return StructureLockCheckedForm

    def save_model(self, request, obj, form, change):
        with change_source(ChangeSource.ADMIN):
            super().save_model(request, obj, form, change)


def year_range_occasions(
    obj: Any, *, board_id: int | None, municipality_id: int | None
) -> QuerySet[models.ReportingOccasion] | None:
    """The occasions over a YearRange row's years (None until the row has a start year)."""
    if getattr(obj, "valid_from", None) is None:
        return None
    return occasions_over(
        board_id=board_id, municipality_id=municipality_id, first=obj.valid_from, last=obj.valid_to
    )


# --- years and goal pickers ------------------------------------------------------------------
# USE_THOUSAND_SEPARATOR is on, so an admin list would show a year field as "2 019": every year
# column is a method returning the year as text.


def year_column(field: str, description: str) -> Callable[[Model], str]:
    """A list_display column showing the year field `field` as plain digits ("2019")."""

    def show(obj: Model) -> str:
        value = getattr(obj, field)
        return "" if value is None else str(value)

    show.__name__ = f"{field}_text"
    return admin.display(description=description, ordering=field)(show)


VALID_FROM = year_column("valid_from", "gäller från år")
VALID_TO = year_column("valid_to", "gäller till och med år")
YEAR = year_column("year", "år")


def picker_label(row: Any) -> str:
    """ "Rubrik (AN, 2021–2022)": a goal (or indicator) with its board and years; KF for a
    kommunövergripande mål, which has no board."""
    title = getattr(row, "title", None) or getattr(row, "name", None) or str(row)
    board = getattr(row, "board", None) if hasattr(row, "board_id") else None
    owner = board.code if board is not None else "KF"
    return f"{title} ({owner}, {row.years_label})"


class PickerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return picker_label(obj)


class PickerMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return picker_label(obj)


def newest_first(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """A picker's rows, the newest first (then by board and title)."""
    model = queryset.model
    names = {field.name for field in model._meta.get_fields()}
    order = ["-valid_from"]
    if "board" in names:
        queryset = queryset.select_related("board")
        order.append("board__order")
    order += [name for name in ("title", "name", "order") if name in names][:1]
    return queryset.order_by(*order, "pk")


class GoalPickerAdminMixin(_AdminBase):
    """Goal (and indicator) pickers labelled "rubrik (AN, 2021–2022)", newest first, and
    restricted to the edited object's board when the form knows it (a change form). An add
    form offers every board's rows; the model's clean() refuses a link to another board.

    `picker_fields` names the foreign keys and many-to-many fields to treat so; `board_of`
    says which board an object belongs to.
    """

    picker_fields: tuple[str, ...] = ()

    def board_of(self, obj: Any) -> int | None:
        return getattr(obj, "board_id", None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The pickers are built inside super().get_form, which hands them only the request.
        request._picker_board_id = self.board_of(obj) if obj is not None else None
        return super().get_form(request, obj, change=change, **kwargs)

    def picker_queryset(self, request: Any, db_field: Any) -> QuerySet[Any]:
        queryset = db_field.remote_field.model._default_manager.all()
        board_id = getattr(request, "_picker_board_id", None)
        if board_id is not None:
            if db_field.remote_field.model is models.StrategicAssignment:
                queryset = queryset.filter(Q(board_id=board_id) | Q(board__isnull=True))
            elif hasattr(db_field.remote_field.model, "board"):
                queryset = queryset.filter(board_id=board_id)
        return newest_first(queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.picker_fields:
            kwargs.setdefault("queryset", self.picker_queryset(request, db_field))
            kwargs.setdefault("form_class", PickerChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.picker_fields:
            kwargs.setdefault("queryset", self.picker_queryset(request, db_field))
            kwargs.setdefault("form_class", PickerMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OccasionOwnedAdmin(LockedRowsAdminMixin, AuditedHistoryAdmin):
    def locking_occasion_of(self, obj):
        if obj.occasion_id is None:
            return None
        occasion = models.ReportingOccasion.objects.select_related("board").get(pk=obj.occasion_id)
        return None if occasion.is_open_for_entry else occasion


@admin.register(models.Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", VALID_FROM, VALID_TO]
    search_fields = ["code", "name"]


@admin.register(models.OrganisationUnit)
class OrganisationUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", VALID_FROM, VALID_TO]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    filter_horizontal = ["boards"]


@admin.register(models.GoalArea)
class GoalAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]


@admin.register(models.CouncilGoal)
class CouncilGoalAdmin(ApprovedStructureAdminMixin, AuditedHistoryAdmin):
    list_display = ["title", "goal_area", VALID_FROM, VALID_TO, "order"]
    list_filter = ["goal_area"]
    search_fields = ["title"]

    def covering_occasions(self, obj):
        # A KF goal is every board's: any board's approved year in its range locks it.
        return year_range_occasions(obj, board_id=None, municipality_id=None)


@admin.register(models.BoardGoal)
class BoardGoalAdmin(ApprovedStructureAdminMixin, GoalPickerAdminMixin, AuditedHistoryAdmin):
    list_display = ["title", "board", "council_goal", VALID_FROM, VALID_TO, "order"]
    list_filter = ["board", "council_goal__goal_area"]
    search_fields = ["title", "description"]
    picker_fields = ("council_goal", "predecessor")
    list_select_related = ["board", "council_goal"]

    def covering_occasions(self, obj):
        if obj.board_id is None:
            return None
        return year_range_occasions(obj, board_id=obj.board_id, municipality_id=None)


class TransitionInline(admin.TabularInline):
    """The workflow steps are the audit trail: shown, never added, changed or deleted here."""

    model = models.OccasionTransition
    extra = 0
    readonly_fields = ["from_state", "to_state", "user", "at", "reason", "source"]
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ReportingOccasion)
class ReportingOccasionAdmin(AuditedHistoryAdmin):
    list_display = ["board", YEAR, "kind", "deadline", "state"]
    list_filter = ["board", "year", "kind", "state"]
    # The state changes only through the workflow (submit, approve, reopen), never by hand.
    readonly_fields = ["state"]
    inlines = [TransitionInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving an approved occasion to another board, year or kind would unlock what it covers.
        if obj is not None and not obj.is_open_for_entry:
            return ["state", "board", "year", "kind"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_open_for_entry:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(models.GoalAssessment)
class GoalAssessmentAdmin(GoalPickerAdminMixin, OccasionOwnedAdmin):
    list_display = ["board_goal", "occasion", "level"]
    picker_fields = ("board_goal",)

    def board_of(self, obj):
        return obj.occasion.board_id if obj.occasion_id else None

    list_filter = ["level", "occasion__year", "occasion__board"]
    list_select_related = ["board_goal", "occasion__board"]


@admin.register(models.StrategicAssignment)
class StrategicAssignmentAdmin(ApprovedStructureAdminMixin, AuditedHistoryAdmin):
    list_display = ["__str__", "scope", "board", VALID_FROM, VALID_TO]
    list_filter = ["scope", "board"]
    search_fields = ["text"]

    def covering_occasions(self, obj):
        if obj.board_id is None and obj.municipality_id is None:
            return None
        return year_range_occasions(obj, board_id=obj.board_id, municipality_id=obj.municipality_id)


@admin.register(models.PolicyDocument)
class PolicyDocumentAdmin(ApprovedStructureAdminMixin, AuditedHistoryAdmin):
    list_display = ["title", "municipality", VALID_FROM, VALID_TO, "order"]
    search_fields = ["title"]

    def covering_occasions(self, obj):
        if obj.municipality_id is None:
            return None
        return year_range_occasions(obj, board_id=None, municipality_id=obj.municipality_id)


@admin.register(models.MandatePeriod)
class MandatePeriodAdmin(AuditedHistoryAdmin):
    list_display = ["__str__", "municipality"]


@admin.register(models.StructureCorrection)
class StructureCorrectionAdmin(admin.ModelAdmin):
    """The record of corrections is audit: shown, never added, changed or deleted here."""

    list_display = ["object_label", "board", YEAR, "user", "at"]
    list_filter = ["board", "year"]
    search_fields = ["object_label", "reason", "changes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AssignmentStatus)
class AssignmentStatusAdmin(OccasionOwnedAdmin):
    list_display = ["assignment", "occasion", "status"]
    list_filter = ["status", "occasion__year"]


class ActivityAdminForm(forms.ModelForm):
    """The activity's nämndmål are checked with its board and year before they are set (the
    m2m_changed receiver would otherwise refuse them after the activity is saved)."""

    class Meta:
        model = models.Activity
        fields = [
            "board",
            "year",
            "title",
            "board_goals",
            "assignment",
            "policy_document",
            "goal_area",
            "deadline",
            "due_quarter",
            "order",
            "predecessor",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        goals = cleaned.get("board_goals")
        board, year = cleaned.get("board"), cleaned.get("year")
        if goals and board is not None and year is not None:
            probe = models.Activity(board=board, year=year)
            for message in integrity.activity_link_errors(probe, goals):
                self.add_error("board_goals", message)
        return cleaned


@admin.register(models.Activity)
class ActivityAdmin(ApprovedStructureAdminMixin, GoalPickerAdminMixin, admin.ModelAdmin):
    form = ActivityAdminForm
    list_display = ["title", "board", YEAR, "deadline", "due_quarter"]
    list_filter = ["board", "year", "due_quarter"]
    search_fields = ["title"]
    filter_horizontal = ["board_goals"]
    picker_fields = ("board_goals", "assignment", "policy_document")
    list_select_related = ["board"]

    def covering_occasions(self, obj):
        if obj.board_id is None or obj.year is None:
            return None
        return occasions_over(
            board_id=obj.board_id, municipality_id=None, first=obj.year, last=obj.year
        )


@admin.register(models.ActivityStatus)
class ActivityStatusAdmin(OccasionOwnedAdmin):
    list_display = ["activity", "occasion", "status"]


@admin.register(models.BoardRole)
class BoardRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "board"]
    list_filter = ["role", "board"]
    search_fields = ["user__username"]
