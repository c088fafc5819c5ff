"""A field of the entry grid as the page shows it: the stored figures, or the typed text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from goals.periods import PeriodType
from indicators.entry import EntryField
from indicators.models import MissingReason


@dataclass
class CellState:
    """A field as the page shows it: the stored figures, or what was typed and the answer."""

    entry: EntryField
    can_edit: bool
    typed: dict | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    saved: bool = False
    conflict: str = ""
    deleted: bool = False

    def _typed(self, name: str, stored: str) -> str:
        if self.typed is not None and name in self.typed:
            return self.typed[name]
        return stored

    @property
    def value_text(self) -> str:
        return self._typed("value", self.entry.input_text)

    @property
    def missing_reason(self) -> str:
        stored = self.entry.value.missing_reason if self.entry.value is not None else ""
        return self._typed("missing_reason", stored)

    @property
    def comment(self) -> str:
        return self._typed("comment", self.entry.value.comment if self.entry.value else "")

    @property
    def footnote(self) -> str:
        return self._typed("footnote", self.entry.footnote_text)

    @property
    def version(self) -> int:
        return self.entry.version

    @property
    def state(self) -> str:
        if self.conflict:
            return "conflict"
        if self.errors:
            return "error"
        if self.warnings:
            return "warning"
        if self.saved:
            return "saved"
        if self.entry.is_missing:
            return "missing"
        return ""

    def view(self, history_url: Callable[[int], str]) -> dict[str, object]:
        """What `_value_form.html` shows, as ready strings.

        The page renders a few hundred fields, so the template gets plain values to print:
        ids and the version as strings (no `{% localize off %}` needed to keep 12345 from
        becoming "12 345"), the labels and reference figures formatted once, and the
        `<option>`s of the I.U. reasons built once per selected reason. The key is escaped
        here, once, rather than by the template at each of its dozen uses; every other text
        (names, labels, typed text, comments) is left to the template's escaping.
        """
        entry = self.entry
        state = self.state
        classes = "entry-field"
        if state:
            classes += f" is-{state}"
        if entry.breakdown.is_total:
            classes += " is-total"
        computed = entry.is_computed
        missing_reason, comment, footnote = self.missing_reason, self.comment, self.footnote
        return {
            "key": escape(entry.key),
            "classes": classes,
            "computed": computed,
            "can_edit": self.can_edit,
            "editable": self.can_edit and not computed,
            "breakdown_label": entry.breakdown.label,
            "indicator_name": entry.indicator.name,
            "period_label": entry.period.label,
            "computed_text": entry.computed_text if computed else "",
            "indicator_id": str(entry.indicator.pk),
            "breakdown_id": str(entry.breakdown.pk),
            "period_type": PeriodType(entry.period.type).value,
            "period_number": str(entry.period.number),
            "version": str(self.version),
            "value_text": self.value_text,
            "is_text": entry.is_text,
            "invalid": bool(self.errors or self.conflict),
            "previous_text": entry.previous_text,
            "last_year_text": entry.last_year_text,
            "last_year_year_text": entry.last_year_year_text,
            "target_text": entry.target_text,
            "derived_text": entry.derived_text,
            "open": bool(missing_reason or comment or footnote or self.errors),
            "reason_options": _reason_options(missing_reason),
            "footnote": footnote,
            "shared_footnote": entry.shared_footnote_text,
            "comment": comment,
            "history_url": history_url(entry.value.pk) if entry.value is not None else "",
            "conflict": self.conflict,
            "errors": self.errors,
            "saved": self.saved and not self.errors and not self.deleted,
            "deleted": self.deleted,
            "warnings": self.warnings,
        }


MISSING_REASON_VALUES = frozenset(MissingReason.values)


def _reason_options(selected: str) -> SafeString:
    """The `<option>`s of the I.U. reasons with `selected` marked (any other text marks none)."""
    return _reason_options_for(selected if selected in MISSING_REASON_VALUES else "")


@cache
def _reason_options_for(selected: str) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == selected else "", label)
            for value, label in MissingReason.choices
        ),
    )
