"""User and role administration: the users, one user's roles and account, the group mappings
and the Behörighetslogg. Only an administrator of every board reaches them (404 for everyone
else); every write goes through goals.user_services, which audits it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import render_list
from core.security import SecurityEvent, log_security_event
from core.types import AuthenticatedHttpRequest
from goals import user_services as services
from goals.filters import AccessChangeFilter, UserFilter
from goals.forms_users import GrantRoleForm, GroupMappingForm
from goals.models import BoardRole, GroupRoleMapping, RoleSource
from goals.selectors import (
    access_changes,
    group_mappings,
    may_list_users,
    user_administration,
    user_list_boards,
    users_for_administrator,
)
from goals.tables import AccessChangeTable, UserTable, role_label
from goals.users import user_label

NOT_ADMINISTRATOR = "Sidan finns inte eller så saknar du behörighet."


def _require_user_administrator(request: HttpRequest, action: str) -> None:
    if not may_list_users(request.user):
        log_security_event(SecurityEvent.ACCESS_DENIED, user=request.user, action=action)
        raise Http404(NOT_ADMINISTRATOR)


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's refusal next to the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for item in errors:
                form.add_error(field, item.messages)
    else:
        form.add_error(None, error.messages)


def _boards(request: HttpRequest) -> list:
    return list(user_list_boards(request.user))


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    _require_user_administrator(request, "user_list")
    filterset = UserFilter(
        request.GET, queryset=users_for_administrator(request.user), request=request
    )
    return render_list(
        request,
        table=UserTable(filterset.qs),
        filterset=filterset,
        heading="Användare",
        template="goals/users/user_list.html",
    )


def _user_page(
    request: HttpRequest,
    person: Any,
    *,
    form: GrantRoleForm | None = None,
    account_error: list[str] | None = None,
) -> HttpResponse:
    shown = user_administration(person)
    context: dict[str, Any] = {
        "shown": shown,
        "person": shown.user,
        "label": user_label(shown.user),
        "form": form or GrantRoleForm(boards=_boards(request)),
        "account_error": account_error or [],
        "is_self": shown.user.pk == request.user.pk,
    }
    return render(request, "goals/users/detail.html", context)


@require_http_methods(["GET", "POST"])
def user_detail(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """The user's roles, identities and history; a POST grants a role."""
    _require_user_administrator(request, "user_detail")
    person = get_object_or_404(get_user_model(), pk=user_id)
    if request.method != "POST":
        return _user_page(request, person)
    form = GrantRoleForm(request.POST, boards=_boards(request))
    if form.is_valid():
        try:
            granted = services.grant_role(
                actor=request.user,
                user=person,
                role=form.cleaned_data["role"],
                board=form.cleaned_data["board"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Tilldelad: {role_label(granted)}.")
            return redirect("goals:user_detail", user_id=user_id)
    return _user_page(request, person, form=form)


@require_http_methods(["GET", "POST"])
def user_role_revoke(request: AuthenticatedHttpRequest, user_id: int, role_id: int) -> HttpResponse:
    """Asks first (GET), revokes on POST."""
    _require_user_administrator(request, "user_role_revoke")
    role = get_object_or_404(
        BoardRole.objects.select_related("user", "board"), pk=role_id, user_id=user_id
    )
    back = reverse("goals:user_detail", args=[user_id])
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.revoke_role(actor=request.user, role=role)
        except BoardRole.DoesNotExist:  # revoked by someone else meanwhile
            raise Http404("Rollen finns inte längre.") from None
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"Återkallad: {role_label(role)}.")
            return redirect(back)
    return render(
        request,
        "goals/users/confirm.html",
        {
            "title": f"Återkalla roll för {user_label(role.user)}",
            "question": f"Återkalla rollen {role_label(role)} för {user_label(role.user)}?",
            "from_group": role.source == RoleSource.GROUP,
            "errors": errors,
            "submit_label": "Återkalla",
            "back": back,
        },
    )


def _account_change(
    request: AuthenticatedHttpRequest, user_id: int, *, active: bool
) -> HttpResponse:
    _require_user_administrator(request, "user_account")
    person = get_object_or_404(get_user_model(), pk=user_id)
    try:
        if active:
            services.activate_user(actor=request.user, user=person)
        else:
            ended = services.deactivate_user(actor=request.user, user=person)
    except ValidationError as error:
        return _user_page(request, person, account_error=error.messages)
    if active:
        messages.success(request, f"Kontot för {user_label(person)} är aktiverat.")
    else:
        messages.success(
            request,
            f"Kontot för {user_label(person)} är inaktiverat; {ended} öppna sessioner avslutade.",
        )
    return redirect("goals:user_detail", user_id=user_id)


@require_POST
def user_deactivate(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    return _account_change(request, user_id, active=False)


@require_POST
def user_activate(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    return _account_change(request, user_id, active=True)


@require_http_methods(["GET", "POST"])
def group_mapping_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The mappings from identity provider groups to roles; a POST adds one."""
    _require_user_administrator(request, "group_mapping_list")
    boards = _boards(request)
    form = GroupMappingForm(request.POST if request.method == "POST" else None, boards=boards)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = services.add_group_mapping(
                actor=request.user,
                group=form.cleaned_data["group"],
                label=form.cleaned_data["label"],
                role=form.cleaned_data["role"],
                board=form.cleaned_data["board"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Tillagd: {mapping}.")
            return redirect("goals:group_mapping_list")
    return render(
        request,
        "goals/users/group_mappings.html",
        {"mappings": list(group_mappings()), "form": form},
    )


@require_http_methods(["GET", "POST"])
def group_mapping_remove(request: AuthenticatedHttpRequest, mapping_id: int) -> HttpResponse:
    _require_user_administrator(request, "group_mapping_remove")
    mapping = get_object_or_404(GroupRoleMapping.objects.select_related("board"), pk=mapping_id)
    back = reverse("goals:group_mapping_list")
    if request.method == "POST":
        try:
            services.remove_group_mapping(actor=request.user, mapping=mapping)
        except GroupRoleMapping.DoesNotExist:  # removed by someone else meanwhile
            raise Http404("Gruppmappningen finns inte längre.") from None
        messages.success(request, f"Borttagen: {mapping}.")
        return redirect(back)
    return render(
        request,
        "goals/users/confirm.html",
        {
            "title": "Ta bort gruppmappning",
            "question": f"Ta bort mappningen {mapping}?",
            "note": (
                "Medlemmarna behåller rollen tills de loggar in nästa gång; då tas den bort, "
                "om ingen annan grupp ger den."
            ),
            "submit_label": "Ta bort",
            "back": back,
        },
    )


@require_GET
def access_change_list(request: HttpRequest) -> HttpResponse:
    _require_user_administrator(request, "access_change_list")
    filterset = AccessChangeFilter(request.GET, queryset=access_changes(), request=request)
    return render_list(
        request,
        table=AccessChangeTable(filterset.qs),
        filterset=filterset,
        heading="Behörighetslogg",
    )
