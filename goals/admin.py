from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from goals import models

admin.site.site_header = "Styrkort – administration"
admin.site.site_title = "Styrkort"
admin.site.index_title = "Målstruktur, organisation och behörigheter"


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
class CouncilGoalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "goal_area", "valid_from", "valid_to", "order"]
    list_filter = ["goal_area"]
    search_fields = ["title"]


@admin.register(models.BoardGoal)
class BoardGoalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "board", "council_goal", "valid_from", "valid_to", "order"]
    list_filter = ["board", "council_goal__goal_area"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["predecessor"]
    list_select_related = ["board", "council_goal"]


class TransitionInline(admin.TabularInline):
    model = models.OccasionTransition
    extra = 0
    readonly_fields = ["from_state", "to_state", "user", "at", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.ReportingOccasion)
class ReportingOccasionAdmin(SimpleHistoryAdmin):
    list_display = ["board", "year", "kind", "deadline", "state"]
    list_filter = ["board", "year", "kind", "state"]
    # The state changes only through the workflow (submit, approve, reopen), never by hand.
    readonly_fields = ["state"]
    inlines = [TransitionInline]


@admin.register(models.GoalAssessment)
class GoalAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["board_goal", "occasion", "level"]
    list_filter = ["level", "occasion__year", "occasion__board"]
    list_select_related = ["board_goal", "occasion__board"]


@admin.register(models.StrategicAssignment)
class StrategicAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "scope", "board", "valid_from", "valid_to"]
    list_filter = ["scope", "board"]
    search_fields = ["text"]


@admin.register(models.AssignmentStatus)
class AssignmentStatusAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "occasion", "status"]
    list_filter = ["status", "occasion__year"]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "board", "year", "deadline"]
    list_filter = ["board", "year", "deadline"]
    search_fields = ["title"]


@admin.register(models.ActivityStatus)
class ActivityStatusAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "occasion", "status"]


@admin.register(models.BoardRole)
class BoardRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "board"]
    list_filter = ["role", "board"]
    search_fields = ["user__username"]
