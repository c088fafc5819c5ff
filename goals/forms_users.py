"""Forms of the user administration: grant a role, add a group mapping.

The board is chosen explicitly, "Alla nämnder" included, so an empty choice never grants
every board by mistake.
"""

from __future__ import annotations

from typing import Any

from django import forms

from goals.models import Board, GroupRoleMapping, Role

EVERY_BOARD = "alla"
CHOOSE_BOARD = "Välj en nämnd, eller Alla nämnder."


class _BoardChoice(forms.ChoiceField):
    """A board, or every board (cleaned to None)."""

    def __init__(self, boards: list[Board], **kwargs: Any) -> None:
        self.boards = {str(board.pk): board for board in boards}
        choices = [("", "– Välj nämnd –"), (EVERY_BOARD, "Alla nämnder")]
        choices += [(pk, f"{board.code} – {board.name}") for pk, board in self.boards.items()]
        kwargs.setdefault("error_messages", {"required": CHOOSE_BOARD})
        super().__init__(choices=choices, label="Nämnd", **kwargs)

    def clean(self, value: Any) -> Board | None:
        value = super().clean(value)
        return None if value == EVERY_BOARD else self.boards[value]


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Roll",
        choices=[("", "– Välj roll –"), *Role.choices],
        error_messages={"required": "Välj en roll."},
    )


class GrantRoleForm(forms.Form):
    role = _role_field()

    def __init__(self, *args: Any, boards: list[Board], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"] = _BoardChoice(boards)


class GroupMappingForm(forms.Form):
    group = forms.CharField(
        label="Grupp (id eller namn)",
        max_length=GroupRoleMapping._meta.get_field("group").max_length,
        help_text=(
            "Som identitetstjänsten skickar den. Entra ID skickar gruppens objekt-id, ett GUID "
            "som 6f1c2d3e-…, inte namnet."
        ),
        error_messages={"required": "Ange gruppens id eller namn."},
    )
    label = forms.CharField(
        label="Beskrivning",
        max_length=GroupRoleMapping._meta.get_field("label").max_length,
        required=False,
        help_text="Vilken grupp det är, för den som läser listan (t.ex. gruppens namn).",
    )
    role = _role_field()

    def __init__(self, *args: Any, boards: list[Board], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"] = _BoardChoice(boards)
