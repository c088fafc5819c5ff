"""indicators.prefetched: targets' footnotes attached as a prefetch leaves them, at the cost
of a bare queryset per target, and still right when asked more than their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from indicators.models import Footnote, Target
from indicators.selectors import _attach_target_notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(demo_data):
    chosen = list(Target.objects.filter(indicator__board=demo_data).order_by("pk")[:4])
    first, second = chosen[:2]
    # Out of order on purpose: the notes come back by their `order`, then id.
    Footnote.objects.create(target=first, text="Andra noten", order=2)
    Footnote.objects.create(target=first, text="Första noten", order=1)
    Footnote.objects.create(target=second, text="<b>Egen</b> not", order=1)
    return chosen


def notes(targets):
    return [[(note.pk, note.text) for note in target.footnotes.all()] for target in targets]


def test_the_notes_are_those_a_prefetch_gives_in_one_query(targets):
    prefetched = list(
        Target.objects.filter(pk__in=[t.pk for t in targets])
        .order_by("pk")
        .prefetch_related(Prefetch("footnotes", queryset=Footnote.objects.order_by("order", "pk")))
    )
    attached = list(Target.objects.filter(pk__in=[t.pk for t in targets]).order_by("pk"))
    with CaptureQueriesContext(connection) as captured:
        _attach_target_notes(attached)
        shown = notes(attached)
    assert len(captured) == 1
    assert shown == notes(prefetched)
    assert [text for _, text in shown[0]] == ["Första noten", "Andra noten"]
    assert shown[2] == shown[3] == []


def test_asking_more_than_the_rows_applies_the_targets_own_filter(targets):
    attached = list(Target.objects.filter(pk__in=[t.pk for t in targets]).order_by("pk"))
    _attach_target_notes(attached)
    first, second, third, _ = attached
    # A further query is the target's notes only, never every footnote in the table.
    assert list(first.footnotes.filter(order=2).values_list("text", flat=True)) == ["Andra noten"]
    assert second.footnotes.exclude(order=0).count() == 1
    assert not third.footnotes.filter(order__gte=0).exists()
    assert first.footnotes.all().update(text="Ändrad") == 2
    assert Footnote.objects.filter(text="Ändrad").count() == 2
    assert Footnote.objects.get(target=second).text == "<b>Egen</b> not"
