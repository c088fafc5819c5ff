"""`{% may_list_users as flag %}`: whether the main menu shows the user list (no query for
users without an administrator role: the roles are read once per request)."""

from __future__ import annotations

from django import template

from goals.selectors import may_list_users as _may_list_users

register = template.Library()


@register.simple_tag(takes_context=True)
def may_list_users(context: template.Context) -> bool:
    request = context.get("request")
    return request is not None and _may_list_users(request.user)
