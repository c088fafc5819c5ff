"""E-mail about occasions: a step of the workflow (submit, send back, approve) and reminders.

Every mail is a Notification row first, then a message. A workflow step creates its rows in
the step's own transaction and sends them after commit, so a rolled-back step sends nothing
and the step is saved whatever the SMTP server does; a failure is logged and the row stays
unsent. `send_reminders` (the command of the same name) claims one row per reminder by its
unique key, sends it and sets `sent_at`; it also sends the rows an earlier run or a step left
unsent. A second run finds every key taken and sends nothing new.

The text of a mail is composed from the row when it is sent: from the step it reports (its
reason and what was missing at submit) or, for a reminder, from what is missing now.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from goals.access import ROLES_FOR_ACTION, Action
from goals.models import Notification, OccasionTransition, ReportingOccasion
from goals.providers import occasion_page
from goals.selectors import SubmissionGaps, occasion_gaps
from goals.users import SYSTEM, user_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("styrkort.notifications")

Kind = Notification.Kind
State = ReportingOccasion.State

# Who is told about each step: the approvers of a submit, the controllers of the rest.
STEP_AUDIENCE: dict[str, Action] = {
    Kind.SUBMITTED: Action.APPROVE,
    Kind.RETURNED: Action.ENTER,
    Kind.APPROVED: Action.ENTER,
}
SUBJECTS: dict[str, str] = {
    Kind.SUBMITTED: "Inskickat för godkännande: {occasion}",
    Kind.RETURNED: "Tillbakaskickat: {occasion}",
    Kind.APPROVED: "Godkänt: {occasion}",
    Kind.REMINDER: "Påminnelse: {occasion} ska vara inrapporterat senast {deadline}",
}
NO_DEADLINE = "ingen sista dag angiven"


def occasion_name(occasion: ReportingOccasion) -> str:
    """ "Arbetsmarknadsnämnden (AN), Delår 1 2023": how a mail names the occasion."""
    board = occasion.board
    return f"{board.name} ({board.code}), {occasion.get_kind_display()} {occasion.year}"


def site_link(occasion: ReportingOccasion) -> str:
    return settings.STYRKORT_SITE_URL + occasion_page(occasion)


def users_who_may(action: Action, board_id: int) -> QuerySet[User]:
    """The active users whose roles allow the action on the board, as goals.access.can says:
    a role on the board, a role on every board, or a superuser."""
    roles = ROLES_FOR_ACTION[action]
    scope = Q(board_roles__board_id=board_id) | Q(board_roles__board__isnull=True)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | (Q(board_roles__role__in=roles) & scope))
        .distinct()
        .order_by("username")
    )


# --- the workflow's steps --------------------------------------------------------------------


def step_key(kind: str, transition: OccasionTransition, user: User) -> str:
    return f"{kind}:{transition.pk}:{user.pk}"


def notify_step(kind: str, transition: OccasionTransition) -> None:
    """Record the step's mails in the caller's transaction and send them after its commit.

    The one who took the step is not told about it; a recipient without an e-mail address is
    left out (and logged).
    """
    occasion = transition.occasion
    rows = []
    for user in users_who_may(STEP_AUDIENCE[kind], occasion.board_id):
        if user.pk == transition.user_id:
            continue
        if not user.email:
            logger.info("Ingen e-postadress: %s får inget om %s", user.get_username(), occasion)
            continue
        rows.append(
            Notification(
                key=step_key(kind, transition, user),
                kind=kind,
                occasion=occasion,
                recipient=user,
                email=user.email,
                subject=SUBJECTS[kind].format(occasion=occasion_name(occasion))[:255],
            )
        )
    if not rows:
        return
    Notification.objects.bulk_create(rows)
    keys = [row.key for row in rows]

    def send_after_commit() -> None:
        for pk in Notification.objects.filter(key__in=keys).values_list("pk", flat=True):
            deliver(pk)

    # robust: an error here is logged, never shown as a failed step (the rows stay unsent).
    transaction.on_commit(send_after_commit, robust=True)


def _step_of(notification: Notification) -> OccasionTransition | None:
    transition_id = notification.key.split(":")[1]
    return (
        OccasionTransition.objects.filter(pk=transition_id, occasion_id=notification.occasion_id)
        .select_related("user", "occasion__board")
        .first()
    )


# --- composing and sending -------------------------------------------------------------------


@dataclass
class Mail:
    """What one mail says, in the parts both the plain text and the HTML template show."""

    subject: str
    greeting: str
    lead: str
    occasion: str
    deadline: str
    link: str
    reason: str = ""
    missing_heading: str = ""
    missing: list[tuple[str, list[str]]] = field(default_factory=list)

    def message(self, to: str) -> EmailMultiAlternatives:
        context = {"mail": self}
        body = render_to_string("goals/mail/notification.txt", context)
        message = EmailMultiAlternatives(subject=self.subject, body=body, to=[to])
        message.attach_alternative(
            render_to_string("goals/mail/notification.html", context), "text/html"
        )
        return message


def _deadline_text(occasion: ReportingOccasion) -> str:
    return occasion.deadline.isoformat() if occasion.deadline else NO_DEADLINE


def _summary_groups(summary: str) -> list[tuple[str, list[str]]]:
    """The groups of SubmissionGaps.summary() read back: "Heading (n):" then "- item" lines."""
    groups: list[tuple[str, list[str]]] = []
    for line in summary.splitlines():
        if line.startswith("- ") and groups:
            groups[-1][1].append(line[2:])
        elif line.strip():
            groups.append((line.rstrip(":"), []))
    return groups


def compose(notification: Notification, today: datetime.date | None = None) -> Mail | None:
    """The mail a row stands for, or None when it no longer applies (then it is dropped)."""
    occasion = (
        ReportingOccasion.objects.select_related("board").filter(pk=notification.occasion_id).get()
    )
    recipient = notification.recipient
    if not recipient.is_active:
        return None
    mail = Mail(
        subject=notification.subject,
        greeting=f"Hej {user_label(recipient)}!",
        lead="",
        occasion=occasion_name(occasion),
        deadline=_deadline_text(occasion),
        link=site_link(occasion),
    )
    if notification.kind == Kind.REMINDER:
        today = today or timezone.localdate()
        # Submitted meanwhile, its deadline moved away or passed: the reminder is moot.
        if occasion.state != State.OPEN or occasion.deadline is None or occasion.deadline < today:
            return None
        gaps = occasion_gaps(occasion)
        if not gaps.count:
            return None
        _fill_reminder(mail, occasion, gaps, today)
        return mail
    step = _step_of(notification)
    if step is None or occasion.state != step.to_state:
        return None  # a later step overtook it (e.g. approved before "inskickat" got out)
    actor = user_label(step.user, missing=SYSTEM)
    when = timezone.localtime(step.at).strftime("%Y-%m-%d %H:%M")
    if notification.kind == Kind.SUBMITTED:
        mail.lead = f"{actor} skickade in tillfället {when}. Det väntar på ditt godkännande."
        if step.missing_count:
            mail.missing_heading = f"Saknades vid inskickningen ({step.missing_count}):"
            mail.missing = _summary_groups(step.missing_summary)
        else:
            mail.missing_heading = "Inget saknades vid inskickningen."
    elif notification.kind == Kind.RETURNED:
        mail.lead = f"{actor} skickade tillbaka tillfället {when}. Det är öppet igen för ändringar."
        mail.reason = step.reason
    else:
        mail.lead = f"{actor} godkände tillfället {when}. Det är nu låst."
    return mail


def _fill_reminder(
    mail: Mail, occasion: ReportingOccasion, gaps: SubmissionGaps, today: datetime.date
) -> None:
    assert occasion.deadline is not None  # only occasions with a deadline are reminded of
    days_left = (occasion.deadline - today).days
    when = {0: "i dag", 1: "i morgon"}.get(days_left, f"om {days_left} dagar")
    mail.lead = (
        f"Sista dag för inrapportering är {mail.deadline}, {when}. "
        "Tillfället är inte inskickat och uppgifter saknas."
    )
    mail.missing_heading = f"Det här saknas ({gaps.count}):"
    mail.missing = gaps.groups()


def deliver(notification_id: int, today: datetime.date | None = None) -> bool:
    """Send one unsent row and mark it sent; False when it is not sent now.

    The row is locked while it is sent, so two runs never send it both (on PostgreSQL; the
    command runs on one host). A failure to send is logged and leaves the row unsent.
    """
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        mail = compose(row, today)
        if mail is None:
            logger.info("Utskicket %s gäller inte längre och tas bort", row.key)
            row.delete()
            return False
        try:
            mail.message(row.email).send()
        except (smtplib.SMTPException, OSError):
            logger.exception(
                "Kunde inte skicka %s till %s; försöks igen senare", row.key, row.email
            )
            return False
        row.sent_at = timezone.now()
        row.save(update_fields=["sent_at"])
    return True


# --- reminders -------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    """What one run of send_reminders did, for its summary."""

    sent: int = 0
    failed: int = 0
    already: int = 0
    no_email: int = 0
    retried: int = 0
    dropped: int = 0
    occasions: int = 0

    def summary(self) -> str:
        lines = [
            f"Tillfällen med påminnelse i dag: {self.occasions}.",
            f"Skickade: {self.sent}, varav {self.retried} som inte gick att skicka förra gången.",
            f"Redan skickade tidigare: {self.already}.",
            f"Utan e-postadress (hoppades över): {self.no_email}.",
        ]
        if self.dropped:
            lines.append(f"Gällde inte längre (togs bort): {self.dropped}.")
        if self.failed:
            lines.append(f"Kunde inte skickas (försöks igen nästa körning): {self.failed}.")
        return "\n".join(lines)


def reminder_threshold(deadline: datetime.date, today: datetime.date) -> int | None:
    """The configured day count whose reminder is due today: the smallest one not yet passed.

    With "7,2", five days before the deadline the 7-day reminder is due, two days before the
    2-day one; a first run one day before sends only the 2-day one. None outside them.
    """
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    due = [days for days in settings.STYRKORT_REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


def reminder_key(occasion: ReportingOccasion, days: int, user: User) -> str:
    assert occasion.deadline is not None
    return f"{Kind.REMINDER}:{occasion.pk}:{occasion.deadline.isoformat()}:{days}:{user.pk}"


def _claim(occasion: ReportingOccasion, days: int, user: User) -> Notification | None:
    """The reminder's row, created now; None when an earlier run created it."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                key=reminder_key(occasion, days, user),
                kind=Kind.REMINDER,
                occasion=occasion,
                recipient=user,
                email=user.email,
                subject=SUBJECTS[Kind.REMINDER].format(
                    occasion=occasion_name(occasion), deadline=_deadline_text(occasion)
                )[:255],
            )
    except IntegrityError:
        return None


def send_reminders(today: datetime.date | None = None) -> ReminderRun:
    """Remind the controllers of open occasions near their deadline with something missing,
    then send every row still unsent (a crashed or failed earlier run, a step's failed mail)."""
    today = today or timezone.localdate()
    run = ReminderRun()
    unsent_before = set(
        Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    )
    latest = today + datetime.timedelta(days=max(settings.STYRKORT_REMINDER_DAYS, default=0))
    occasions = ReportingOccasion.objects.filter(
        state=State.OPEN, deadline__gte=today, deadline__lte=latest
    ).select_related("board")
    claimed: list[int] = []
    for occasion in occasions:
        assert occasion.deadline is not None
        days = reminder_threshold(occasion.deadline, today)
        if days is None or not occasion_gaps(occasion).count:
            continue
        run.occasions += 1
        for user in users_who_may(Action.ENTER, occasion.board_id):
            if not user.email:
                run.no_email += 1
                continue
            row = _claim(occasion, days, user)
            if row is None:
                run.already += 1
            else:
                claimed.append(row.pk)
    for pk in sorted(unsent_before) + claimed:
        if deliver(pk, today):
            run.sent += 1
            run.retried += pk in unsent_before
        elif Notification.objects.filter(pk=pk, sent_at__isnull=True).exists():
            run.failed += 1
        elif not Notification.objects.filter(pk=pk).exists():
            run.dropped += 1
    # A row claimed before this run but already sent meanwhile is neither failed nor dropped.
    return run
