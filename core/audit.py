"""Where a change came from: form, import, admin or command, on every historical row.

django-simple-history records who and when (UTC with USE_TZ) and the whole row before and
after. This module adds the source. The write paths say what they are with
`change_source(ChangeSource.IMPORT)`; a write that does not say is classified from the request
that simple-history's middleware keeps (an admin URL is the admin, any other request a form)
and, without a request, as a command (management commands, the demo loader, a shell).

Every model with `HistoricalRecords(bases=[HistorySourceMixin])` gets the field; other apps may
use the same base for their own history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class ChangeSource(models.TextChoices):
    FORM = "formular", "Formulär"
    IMPORT = "import", "Import"
    ADMIN = "admin", "Administration"
    COMMAND = "kommando", "Kommando"


_current_source: ContextVar[str | None] = ContextVar("styrkort_change_source", default=None)


@contextmanager
def change_source(source: ChangeSource | str) -> Iterator[None]:
    """Mark every historical row written inside the block with this source."""
    token = _current_source.set(ChangeSource(source).value)
    try:
        yield
    finally:
        _current_source.reset(token)


def current_source() -> str:
    explicit = _current_source.get()
    if explicit:
        return explicit
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return ChangeSource.COMMAND
    if request.path.startswith("/admin/"):
        return ChangeSource.ADMIN
    return ChangeSource.FORM


class HistorySourceMixin(models.Model):
    """Base for historical models: adds the source of the change."""

    history_source = models.CharField(
        "källa", max_length=10, choices=ChangeSource.choices, blank=True, default=""
    )

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def _record_source(sender: type[models.Model], history_instance: Any, **kwargs: Any) -> None:
    if hasattr(history_instance, "history_source"):
        history_instance.history_source = current_source()


# simple-history labels its history_type in English ("Created") and has no Swedish
# translation: every page that shows the kind of change shows these.
HISTORY_TYPE_LABELS = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}


def history_type_label(history_type: str) -> str:
    return HISTORY_TYPE_LABELS.get(history_type, history_type)
