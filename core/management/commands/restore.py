"""`manage.py restore --file …`: replace the database with a backup (see core.backup)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import BackupError, describe, restore_database
from core.signals import database_restored

CONFIRM_WORD = "ja"


class Command(BaseCommand):
    help = (
        "Ersätter hela databasen med innehållet i en säkerhetskopia från manage.py backup. "
        "Kör därefter manage.py migrate om kopian är från en äldre version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, required=True, help="Säkerhetskopian.")
        parser.add_argument(
            "--database-url",
            default="",
            help=(
                "Återställ till en annan databas än den inställda, till exempel en tom databas "
                "för att prova att en säkerhetskopia går att läsa."
            ),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Fråga inte före återställningen.",
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        database_url: str,
        database: str,
        interactive: bool,
        **opts: Any,
    ) -> None:
        settings_dict: Mapping[str, Any]
        if database_url:
            try:
                settings_dict = dj_database_url.parse(database_url)
            except ValueError as exc:
                raise CommandError(f"Ogiltig --database-url: {exc}") from None
        else:
            settings_dict = connections[database].settings_dict
        target = describe(settings_dict)
        if interactive:
            answer = input(
                f"Allt innehåll i {target} ersätts med {file}. "
                f"Skriv '{CONFIRM_WORD}' för att fortsätta: "
            )
            if answer.strip().lower() != CONFIRM_WORD:
                raise CommandError("Återställningen avbröts. Ingenting ändrades.")
        # Our own connections must not hold locks while the database is replaced.
        connections.close_all()
        try:
            restore_database(settings_dict, file)
        except BackupError as exc:
            raise CommandError(f"{exc} Ingenting ändrades.") from None
        if not database_url:
            # The database named in the settings: its apps may put their triggers back.
            database_restored.send(sender=self.__class__, using=database)
        self.stdout.write(f"{target} är återställd från {file}.")
