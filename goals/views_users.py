"""The list of users and their roles, read-only (issue 18 adds editing). Administrators only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.lists import render_list
from core.security import SecurityEvent, log_security_event
from goals.filters import UserFilter
from goals.selectors import may_list_users, users_for_administrator
from goals.tables import UserTable

NOT_ADMINISTRATOR = "Sidan finns inte eller så saknar du behörighet."


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    if not may_list_users(request.user):
        log_security_event(SecurityEvent.ACCESS_DENIED, user=request.user, action="user_list")
        raise Http404(NOT_ADMINISTRATOR)
    filterset = UserFilter(
        request.GET, queryset=users_for_administrator(request.user), request=request
    )
    return render_list(
        request, table=UserTable(filterset.qs), filterset=filterset, heading="Användare"
    )
