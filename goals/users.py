"""How a person is named on pages, in history lines and in conflict messages.

One rule for every app: the full name when the account has one, else the username. What to
say when there is no user at all depends on the place, so callers pass it: the history says
"System" (a change no logged-in user made), a conflict message "En annan användare".
"""

from __future__ import annotations

from typing import Any

SOMEONE_ELSE = "En annan användare"
SYSTEM = "System"


def user_label(user: Any, *, missing: str = SOMEONE_ELSE) -> str:
    """Full name, else username; `missing` when there is no user."""
    if user is None:
        return missing
    return user.get_full_name() or user.get_username()
