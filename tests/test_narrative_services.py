"""goals.narrative_services.save_narrative: who may write a document's text, when, and what a
save does (a new version with its history row, or nothing)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.audit import ChangeSource
from goals.models import NarrativeText, OccasionLockedError, ReportingOccasion
from goals.narrative_services import MAX_LENGTH, save_narrative
from goals.services import RecordConflict

pytestmark = pytest.mark.django_db

State = ReportingOccasion.State
VB = "verksamhetsberattelse"


@pytest.fixture
def helar(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")


def save(user, board, text, version=0, *, document=VB, section="handelser", year=2022):
    return save_narrative(
        user=user,
        board=board,
        year=year,
        document=document,
        section=section,
        text=text,
        expected_version=version,
    )


def test_a_controller_saves_a_text_at_its_occasion_with_history(controller_an, board_an, helar):
    outcome = save(controller_an, board_an, "Första stycket.\r\n\r\n- en punkt   \r\n\n\n")
    assert outcome.changed
    stored = NarrativeText.objects.get()
    assert (stored.text, stored.version, stored.occasion) == (
        "Första stycket.\n\n- en punkt",
        1,
        helar,
    )
    [row] = stored.history.all()
    assert (row.history_type, row.history_user, row.history_source) == (
        "+",
        controller_an,
        ChangeSource.FORM,
    )
    save(controller_an, board_an, "Andra versionen.", version=1)
    stored.refresh_from_db()
    assert (stored.text, stored.version) == ("Andra versionen.", 2)
    assert stored.history.count() == 2


def test_a_plan_text_has_no_occasion(controller_an, board_an):
    outcome = save(
        controller_an, board_an, "Inledning.", document="internbudget", section="inledning"
    )
    assert outcome.record.occasion is None
    assert NarrativeText.objects.get().document == "internbudget"


def test_without_the_right_to_enter_nothing_is_written(
    secretary_an, manager_an, controller_other, outsider, board_an, helar
):
    # Action.ENTER: the board's controllers and the administrators, as for outcomes.
    for user in (secretary_an, manager_an, controller_other, outsider):
        with pytest.raises(ValidationError) as refused:
            save(user, board_an, "Text")
        assert refused.value.messages == ["Du saknar behörighet att registrera för nämnden."]
    assert not NarrativeText.objects.exists()


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (State.SUBMITTED, "inskickat"),
        (State.APPROVED, "godkänt och låst"),
    ],
)
def test_a_submitted_or_approved_occasion_refuses_saying_which_lock(
    controller_an, board_an, helar, state, message
):
    save(controller_an, board_an, "Före låset.")
    ReportingOccasion.objects.filter(pk=helar.pk).update(state=state)
    with pytest.raises(OccasionLockedError) as refused:
        save(controller_an, board_an, "Efter låset.", version=1)
    assert message in refused.value.messages[0]
    assert "Helår 2022" in refused.value.messages[0]
    stored = NarrativeText.objects.get()
    assert (stored.text, stored.version, stored.history.count()) == ("Före låset.", 1, 1)


def test_a_follow_up_text_needs_its_occasion(controller_an, board_an):
    with pytest.raises(ValidationError) as refused:
        save(controller_an, board_an, "Text", document="delar2")
    assert "inget tillfälle delår 2 2022" in refused.value.messages[0]
    assert not NarrativeText.objects.exists()


def test_two_editors_from_the_same_version_the_second_is_refused(
    controller_an, admin_user, board_an, helar
):
    save(controller_an, board_an, "Start.")
    save(controller_an, board_an, "Controllerns text.", version=1)
    with pytest.raises(RecordConflict) as conflict:
        save(admin_user, board_an, "Administratörens text.", version=1)
    assert conflict.value.current.text == "Controllerns text."
    assert "medan du skrev" in conflict.value.messages[0]
    assert NarrativeText.objects.get().version == 2
    # A first save when someone else created the text meanwhile is a conflict too.
    with pytest.raises(RecordConflict):
        save(admin_user, board_an, "Också ny.", version=0)


def test_unchanged_text_writes_no_version(controller_an, board_an, helar):
    save(controller_an, board_an, "Samma text.")
    outcome = save(controller_an, board_an, "Samma text.  \n", version=1)
    assert not outcome.changed
    stored = NarrativeText.objects.get()
    assert (stored.version, stored.history.count()) == (1, 1)


def test_too_long_text_and_bad_section_are_refused_in_swedish(controller_an, board_an, helar):
    with pytest.raises(ValidationError) as refused:
        save(controller_an, board_an, "a" * (MAX_LENGTH + 1))
    assert refused.value.messages == [
        "Texten får vara högst 20 000 tecken lång; den är 20\u00a0001 tecken."
    ]
    save(controller_an, board_an, "a" * MAX_LENGTH)
    with pytest.raises(ValidationError) as refused:
        save(controller_an, board_an, "Text", section="inte ett avsnitt!")
    assert refused.value.messages == ["Avsnittet 'inte ett avsnitt!' finns inte i dokumentet."]
    with pytest.raises(ValidationError):
        save(controller_an, board_an, "Text", document="arsredovisning")
    assert NarrativeText.objects.count() == 1
