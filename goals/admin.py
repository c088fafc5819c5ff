from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from core.audit import ChangeSource, change_source
from goals import models

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
    list_display = ["code", "name", "valid_from", "valid_to"]
    search_fields = ["code", "name"]


@admin.register(models.OrganisationUnit)
class OrganisationUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    filter_horizontal = ["boards"]


@admin.register(models.GoalArea)
class GoalAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]


@admin.register(models.CouncilGoal)
class CouncilGoalAdmin(AuditedHistoryAdmin):
    list_display = ["title", "goal_area", "valid_from", "valid_to", "order"]
    list_filter = ["goal_area"]
    search_fields = ["title"]


@admin.register(models.BoardGoal)
class BoardGoalAdmin(AuditedHistoryAdmin):
    list_display = ["title", "board", "council_goal", "valid_from", "valid_to", "order"]
    list_filter = ["board", "council_goal__goal_area"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["predecessor"]
    list_select_related = ["board", "council_goal"]


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
    list_display = ["board", "year", "kind", "deadline", "state"]
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
class GoalAssessmentAdmin(OccasionOwnedAdmin):
    list_display = ["board_goal", "occasion", "level"]
    list_filter = ["level", "occasion__year", "occasion__board"]
    list_select_related = ["board_goal", "occasion__board"]


@admin.register(models.StrategicAssignment)
class StrategicAssignmentAdmin(AuditedHistoryAdmin):
    list_display = ["__str__", "scope", "board", "valid_from", "valid_to"]
    list_filter = ["scope", "board"]
    search_fields = ["text"]


@admin.register(models.AssignmentStatus)
class AssignmentStatusAdmin(OccasionOwnedAdmin):
    list_display = ["assignment", "occasion", "status"]
    list_filter = ["status", "occasion__year"]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "board", "year", "deadline", "due_quarter"]
    list_filter = ["board", "year", "due_quarter"]
    search_fields = ["title"]
    filter_horizontal = ["board_goals"]


@admin.register(models.ActivityStatus)
class ActivityStatusAdmin(OccasionOwnedAdmin):
    list_display = ["activity", "occasion", "status"]


@admin.register(models.BoardRole)
class BoardRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "board"]
    list_filter = ["role", "board"]
    search_fields = ["user__username"]
