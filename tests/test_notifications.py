"""E-mail about occasions, delivered to a real SMTP server on loopback (tests/smtp_server.py):
the workflow's steps after commit, reminders once each, and a down server never breaks a step."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from goals import services
from goals.models import Notification, ReportingOccasion, Role
from tests.conftest import make_user
from tests.entry_data import goal_chain
from tests.smtp_server import smtp_server_fixture  # noqa: F401  (the fixture smtp_server)

DEADLINE = datetime.date(2023, 10, 15)
SITE = "https://styrkort.example.se"


@pytest.fixture
def people(board_an, board_other):
    """Who is told what on AN: two approvers, controllers with and without an address."""
    return {
        "controller": make_user(
            "controller_an", Role.CONTROLLER, board_an, email="anna@example.se", first_name="Anna"
        ),
        "controller_2": make_user(
            "controller_an2", Role.CONTROLLER, board_an, email="bo@example.se"
        ),
        "no_address": make_user("controller_utan", Role.CONTROLLER, board_an),
        "deactivated": make_user(
            "controller_slutat",
            Role.CONTROLLER,
            board_an,
            email="gone@example.se",
            is_active=False,
        ),
        "secretary": make_user("sekreterare_an", Role.SECRETARY, board_an, email="sara@example.se"),
        "manager": make_user("chef_an", Role.MANAGER, board_an, email="chef@example.se"),
        "other_board": make_user(
            "controller_bin", Role.CONTROLLER, board_other, email="bin@example.se"
        ),
    }


@pytest.fixture
def occasion(board_an):
    goal_chain(board_an, indicators_per_goal=1, with_gender=False)
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3", deadline=DEADLINE)


def entry_link(occasion):
    return SITE + reverse(
        "indicators:entry_page", args=[occasion.board.code, occasion.year, occasion.kind]
    )


def submit(occasion, user, capture):
    with capture(execute=True):
        services.submit_occasion(user=user, occasion=occasion, confirm_missing=True)


def run_reminders(today: datetime.date) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--idag", today.isoformat(), stdout=out)
    return out.getvalue()


def test_submit_tells_the_approvers_what_was_missing(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    submit(occasion, people["controller"], django_capture_on_commit_callbacks)
    assert [mail.recipients for mail in smtp_server.messages] == [["sara@example.se"]]
    mail = smtp_server.messages[0]
    assert mail.subject == "Inskickat för godkännande: Arbetsmarknadsnämnden (AN), Kvartal 3 2023"
    assert "Hej sekreterare_an!" in mail.text
    assert "Anna skickade in tillfället" in mail.text
    assert "väntar på ditt godkännande" in mail.text
    assert "Sista dag för inrapportering: 2023-10-15" in mail.text
    assert "Saknades vid inskickningen (1):" in mail.text
    assert "- Indikator 1.1" in mail.text
    assert entry_link(occasion) in mail.text
    assert f'href="{entry_link(occasion)}"' in mail.html
    row = Notification.objects.get()
    assert row.kind == Notification.Kind.SUBMITTED and row.sent_at is not None


def test_send_back_gives_the_controllers_the_reason_escaped_in_html(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    submit(occasion, people["controller"], django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    reason = "K3-värdet <b>saknar</b> källa & kommentar"
    with django_capture_on_commit_callbacks(execute=True):
        services.return_occasion(user=people["secretary"], occasion=occasion, reason=reason)
    # Not the one without an address, not the deactivated one, not another board's.
    assert sorted(r for mail in smtp_server.messages for r in mail.recipients) == [
        "anna@example.se",
        "bo@example.se",
    ]
    mail = smtp_server.to("anna@example.se")[0]
    assert mail.subject.startswith("Tillbakaskickat: Arbetsmarknadsnämnden (AN)")
    assert "Hej Anna!" in mail.text
    assert "Motivering:\n" + reason in mail.text
    assert "&lt;b&gt;saknar&lt;/b&gt; källa &amp; kommentar" in mail.html
    assert "<b>saknar</b>" not in mail.html
    assert entry_link(occasion) in mail.text


def test_approve_tells_the_controllers(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    submit(occasion, people["controller"], django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_occasion(user=people["secretary"], occasion=occasion)
    assert sorted(r for mail in smtp_server.messages for r in mail.recipients) == [
        "anna@example.se",
        "bo@example.se",
    ]
    mail = smtp_server.to("bo@example.se")[0]
    assert mail.subject.startswith("Godkänt: Arbetsmarknadsnämnden (AN)")
    assert "sekreterare_an godkände tillfället" in mail.text


def test_a_rolled_back_step_sends_nothing(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.submit_occasion(user=people["controller"], occasion=occasion, confirm_missing=True)
        raise RuntimeError("något senare i samma transaktion gick fel")
    assert callbacks == []
    assert smtp_server.messages == []
    assert not Notification.objects.exists()
    occasion.refresh_from_db()
    assert occasion.state == ReportingOccasion.State.OPEN


def test_smtp_down_never_breaks_a_submit_and_the_mail_follows_later(
    smtp_server, people, occasion, client, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    client.force_login(people["controller"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("goals:occasion_submit", args=[occasion.pk]),
            {"confirm_missing": "ja", "missing_seen": "1"},
        )
    assert response.status_code == 302
    occasion.refresh_from_db()
    assert occasion.state == ReportingOccasion.State.SUBMITTED
    row = Notification.objects.get()
    assert row.sent_at is None and row.email == "sara@example.se"
    smtp_server.start()
    summary = run_reminders(DEADLINE - datetime.timedelta(days=30))
    assert "Skickade: 1, varav 1 som inte gick att skicka förra gången." in summary
    assert [mail.recipients for mail in smtp_server.messages] == [["sara@example.se"]]
    assert smtp_server.messages[0].subject.startswith("Inskickat för godkännande")


def test_send_reminders_lists_what_is_missing_and_sends_each_once(smtp_server, people, occasion):
    summary = run_reminders(DEADLINE - datetime.timedelta(days=5))
    assert sorted(r for mail in smtp_server.messages for r in mail.recipients) == [
        "anna@example.se",
        "bo@example.se",
    ]
    assert "Skickade: 2" in summary
    assert "Utan e-postadress (hoppades över): 1." in summary
    mail = smtp_server.to("anna@example.se")[0]
    assert mail.subject == (
        "Påminnelse: Arbetsmarknadsnämnden (AN), Kvartal 3 2023 ska vara inrapporterat "
        "senast 2023-10-15"
    )
    assert "Sista dag för inrapportering är 2023-10-15, om 5 dagar." in mail.text
    assert "Det här saknas (1):" in mail.text
    assert "Fält utan värde eller I.U." in mail.text
    assert "- Indikator 1.1" in mail.text
    assert entry_link(occasion) in mail.text

    again = run_reminders(DEADLINE - datetime.timedelta(days=4))
    assert len(smtp_server.messages) == 2
    assert "Skickade: 0" in again and "Redan skickade tidigare: 2." in again
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_each_configured_day_sends_its_own_reminder(smtp_server, people, occasion, settings):
    settings.STYRKORT_REMINDER_DAYS = [7, 2]
    run_reminders(DEADLINE - datetime.timedelta(days=10))  # outside every window
    assert smtp_server.messages == []
    run_reminders(DEADLINE - datetime.timedelta(days=6))
    run_reminders(DEADLINE - datetime.timedelta(days=3))  # still the 7-day one: nothing new
    assert len(smtp_server.to("anna@example.se")) == 1
    run_reminders(DEADLINE - datetime.timedelta(days=1))
    tomorrow = smtp_server.to("anna@example.se")
    assert len(tomorrow) == 2 and "i morgon" in tomorrow[1].text
    run_reminders(DEADLINE + datetime.timedelta(days=1))  # after the deadline
    assert len(smtp_server.to("anna@example.se")) == 2


def test_a_run_with_smtp_down_is_sent_by_the_next_run_exactly_once(smtp_server, people, occasion):
    smtp_server.stop()
    day = DEADLINE - datetime.timedelta(days=5)
    first = run_reminders(day)
    assert "Kunde inte skickas (försöks igen nästa körning): 2." in first
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2
    smtp_server.start()
    second = run_reminders(day)
    assert "Skickade: 2, varav 2 som inte gick att skicka förra gången." in second
    assert sorted(r for mail in smtp_server.messages for r in mail.recipients) == [
        "anna@example.se",
        "bo@example.se",
    ]
    third = run_reminders(day)
    assert "Skickade: 0" in third
    assert len(smtp_server.messages) == 2


def test_no_reminder_when_nothing_is_missing_or_the_occasion_is_submitted(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    submit(occasion, people["controller"], django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    summary = run_reminders(DEADLINE - datetime.timedelta(days=1))
    assert smtp_server.messages == []
    assert "Tillfällen med påminnelse i dag: 0." in summary


def test_a_claimed_reminder_of_an_occasion_submitted_since_is_dropped(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    run_reminders(DEADLINE - datetime.timedelta(days=5))
    smtp_server.start()
    submit(occasion, people["controller"], django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    summary = run_reminders(DEADLINE - datetime.timedelta(days=5))
    assert smtp_server.messages == []
    assert "Gällde inte längre (togs bort): 2." in summary
    assert not Notification.objects.filter(kind=Notification.Kind.REMINDER).exists()


def test_a_bad_date_is_refused_in_swedish(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ska vara ett datum"):
        call_command("send_reminders", "--idag", "15/10")


def test_a_silent_smtp_server_delays_a_step_by_the_timeout_at_most(
    smtp_server, people, occasion, settings, django_capture_on_commit_callbacks
):
    """A server that accepts the connection and never answers: the step is saved, the mail
    waits for the next run."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    settings.EMAIL_PORT = silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    try:
        started = time.monotonic()
        submit(occasion, people["controller"], django_capture_on_commit_callbacks)
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    occasion.refresh_from_db()
    assert occasion.state == ReportingOccasion.State.SUBMITTED
    assert elapsed < 5
    assert Notification.objects.get().sent_at is None


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_sends_the_mail(smtp_server, people, occasion):
    """No captured callbacks: the step's own transaction commits and the mail goes out."""
    services.submit_occasion(user=people["controller"], occasion=occasion, confirm_missing=True)
    assert [mail.recipients for mail in smtp_server.messages] == [["sara@example.se"]]
    assert Notification.objects.get().sent_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(smtp_server, people, occasion):
    from tests.test_workflow_concurrency import _race, _skip_unless_postgres

    _skip_unless_postgres()
    day = DEADLINE - datetime.timedelta(days=5)
    from goals.notifications import send_reminders

    results = _race([lambda: send_reminders(day), lambda: send_reminders(day)])
    assert [status for status, _ in results] == ["ok", "ok"], results
    assert sorted(r for mail in smtp_server.messages for r in mail.recipients) == [
        "anna@example.se",
        "bo@example.se",
    ]
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "cannot both be true"),
        ({"STYRKORT_REMINDER_DAYS": "7,två"}, "STYRKORT_REMINDER_DAYS must be whole days"),
    ],
)
def test_bad_mail_settings_refuse_to_start(variables, message):
    from tests.test_deploy_check import manage, production_env

    result = manage("check", env=production_env(EMAIL_HOST="smtp.example.se", **variables))
    assert result.returncode != 0
    assert message in result.stderr


def test_production_with_smtp_passes_the_deploy_check():
    from tests.test_deploy_check import manage, production_env

    env = production_env(
        EMAIL_HOST="smtp.example.se",
        EMAIL_USE_TLS="true",
        STYRKORT_SITE_URL="https://styrkort.example.se",
        STYRKORT_REMINDER_DAYS="7,2",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unsent_step_mail_overtaken_by_a_later_step_is_dropped(
    smtp_server, people, occasion, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    submit(occasion, people["controller"], django_capture_on_commit_callbacks)
    smtp_server.start()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_occasion(user=people["secretary"], occasion=occasion)
    assert {mail.subject.split(":")[0] for mail in smtp_server.messages} == {"Godkänt"}
    summary = run_reminders(DEADLINE - datetime.timedelta(days=30))
    assert "Gällde inte längre (togs bort): 1." in summary
    assert not Notification.objects.filter(kind=Notification.Kind.SUBMITTED).exists()
    assert {mail.subject.split(":")[0] for mail in smtp_server.messages} == {"Godkänt"}
