"""`manage.py backup`: write a backup of the database (see core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import BackupError, backup_database, default_directory, describe


class Command(BaseCommand):
    help = "Säkerhetskopierar databasen till var/backups/styrkort-<tid>.dump (eller .sqlite3)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=None,
            help="Katalog för säkerhetskopian (standard: var/backups).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, directory: Path | None, database: str, **options: Any) -> None:
        settings_dict = connections[database].settings_dict
        try:
            path = backup_database(settings_dict, directory or default_directory())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = path.stat().st_size
        self.stdout.write(f"Säkerhetskopia av {describe(settings_dict)}: {path} ({size} byte)")
