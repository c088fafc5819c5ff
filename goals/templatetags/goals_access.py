"""`{% may_list_users as flag %}`: whether the main menu shows the user list (no query for
users without an administrator role: the roles are read once per request); `{% may_enter board
as flag %}`: whether the user writes for the board."""

from __future__ import annotations

from django import template

from goals.access import Action, can
from goals.models import Board
from goals.selectors import may_list_users as _may_list_users

register = template.Library()


@register.simple_tag(takes_context=True)
def may_list_users(context: template.Context) -> bool:
    request = context.get("request")
    return request is not None and _may_list_users(request.user)


@register.simple_tag(takes_context=True)
def may_enter(context: template.Context, board: Board | int) -> bool:
    """`{% may_enter board as flag %}`: whether the user writes for the board (Action.ENTER),
    e.g. the links to the Texter pages (no query: the roles are read once per request)."""
    request = context.get("request")
    return request is not None and can(request.user, Action.ENTER, board)
