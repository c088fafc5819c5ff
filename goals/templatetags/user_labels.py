"""{{ user|user_label }}: the same name goals.users.user_label gives in Python."""

from __future__ import annotations

from typing import Any

from django import template

from goals.users import user_label as label_of

register = template.Library()


@register.filter
def user_label(user: Any, missing: str = "") -> str:
    return label_of(user, missing=missing)
