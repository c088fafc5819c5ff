"""`{% may_list_users as flag %}`: whether the main menu shows the user administration (an
administrator of every board; no query beyond the roles, read once per request);
`{% administers_a_board as flag %}`: whether it shows the structure pages; `{% may_write_texts board
as flag %}`: whether the user writes the board's document texts."""

from __future__ import annotations

from django import template

from goals.access import Action, can, is_administrator
from goals.models import Board
from goals.selectors import may_list_users as _may_list_users

register = template.Library()


@register.simple_tag(takes_context=True)
def may_list_users(context: template.Context) -> bool:
    request = context.get("request")
    return request is not None and _may_list_users(request.user)


@register.simple_tag(takes_context=True)
def administers_a_board(context: template.Context) -> bool:
    request = context.get("request")
    return request is not None and is_administrator(request.user)


@register.simple_tag(takes_context=True)
def may_write_texts(context: template.Context, board: Board | int) -> bool:
    """`{% may_write_texts board as flag %}`: whether the user writes the board's document
    texts (Action.WRITE_TEXTS), for the links to the Texter pages (no query: the roles are read
    once per request)."""
    request = context.get("request")
    return request is not None and can(request.user, Action.WRITE_TEXTS, board)
