"""Load the Linköping demo data (fixtures/linkoping/) into the database, idempotently.

Another app adds its loader by appending its dotted path to LOADERS; each module has
`load(stats: demo.loaders.base.Stats) -> None`. Everything runs in one transaction. The reporting
occasions the data marks approved are approved after the last loader, since approval locks them,
through goals.services, so each gets its archived report as any approval does. The command says
what the load did: rows created, changed and unchanged in all and per kind, and the approvals.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from demo.loaders.base import Stats
from demo.loaders.followup import approve_occasions
from goals.models import OccasionLockedError

LOCKED_BY_OLDER_LOAD = (
    "Demodata kunde inte läsas in: {reason} Databasens uppgifter för ett godkänt år skiljer sig "
    "från demots (någon har ändrat dem, eller en äldre version av demot läste in dem), och ett "
    "godkänt år skrivs aldrig över. Ingenting är ändrat. Börja om med en tom databas, t.ex. "
    "`rm var/styrkort.sqlite3` och sedan `make run`."
)

LOADERS: list[str] = [
    "demo.loaders.organisation",
    "demo.loaders.goals",
    "demo.loaders.indicators",
    "demo.loaders.followup",
    "demo.loaders.narratives",
    "demo.loaders.budget",
    "demo.loaders.rollover",
    # Last: the plans and the internbudget 2022 as it stood, then the history's dates.
    "demo.loaders.plans",
]


def load_all(loaders: list[str] | None = None) -> Stats:
    stats = Stats()
    with transaction.atomic():
        for path in loaders if loaders is not None else LOADERS:
            importlib.import_module(path).load(stats)
        approve_occasions(stats)
    return stats


class Command(BaseCommand):
    help = "Läser in demodata för Linköpings kommun (kan köras flera gånger)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Skapa inte demoanvändarna (görs annars när DEBUG är på).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            stats = load_all()
        except OccasionLockedError as error:
            # An approved year is never written: a database whose approved figures differ from
            # the demo's (changed by someone, or loaded by an older demo without seed 000's
            # 2021 periods) stops the load, which leaves everything as it was.
            raise CommandError(
                LOCKED_BY_OLDER_LOAD.format(reason=" ".join(error.messages))
            ) from None
        self.stdout.write(f"Demodata inläst: {stats.summary()}.")
        if options["verbosity"] > 0:
            for line in stats.lines():
                self.stdout.write(f"  {line}")
        if options["no_users"]:
            return
        if settings.DEBUG:
            call_command("demo_users", verbosity=options["verbosity"], stdout=self.stdout)
        elif options["verbosity"] > 0:
            self.stdout.write("Inga demoanvändare skapade: DEBUG är av (kör demo_users --force).")
