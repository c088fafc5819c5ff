"""manage.py send_reminders: e-mail reminders before occasions' deadlines, each once.

Meant for cron or a systemd timer once or a few times a day (README, "E-post"). Reminds the
controllers of open occasions whose deadline is STYRKORT_REMINDER_DAYS away or nearer and that
miss something, listing what is missing; sends what earlier runs or workflow steps left unsent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.notifications import send_reminders

BAD_DATE = "--idag ska vara ett datum som 2026-04-23, inte {value!r}."


class Command(BaseCommand):
    help = "Skickar påminnelser före sista dag för inrapportering, en gång var."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--idag",
            dest="today",
            help="Räkna som om det vore detta datum (ÅÅÅÅ-MM-DD), t.ex. för att prova.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(BAD_DATE.format(value=options["today"])) from None
        run = send_reminders(today)
        self.stdout.write(run.summary())
