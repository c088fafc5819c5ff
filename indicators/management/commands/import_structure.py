"""python manage.py import_structure --file struktur.xlsx [--dry-run] [--reason "…"]

Reads a structure workbook (see `export_structure`) and writes the board-year it names, all
or nothing. With --dry-run it only says what would change. Every error is printed with its
sheet, row and column, and then nothing is written. A year an approved occasion covers is
changed only with --reason (a correction, recorded with the reason). Duplicate titles are
printed as warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import ChangeSource
from indicators.importing import ImportRefused
from indicators.structure_workbook.importing import NOTHING_WRITTEN, import_structure

CANNOT_READ = "Kunde inte läsa {path}: {error}"
DRY_RUN = "Provkörning för {code} {year}: inget skrevs. Så här skulle det bli:"
WRITTEN = "Läste in strukturen för {code} {year}:"
ERRORS = "{count} fel i filen. " + NOTHING_WRITTEN
WARNING = "Varning: {warning}"
CORRECTIONS = "{count} rättelse(r) av godkända år sparades med motiveringen."


class Command(BaseCommand):
    help = "Läser in en nämnds struktur för ett år från en arbetsbok (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, dest="path", help="Arbetsboken (.xlsx).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa vad som skulle ändras, skriv inget."
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Motivering (krävs för ett godkänt år): ändringen sparas som en rättelse.",
        )

    def handle(
        self, *args: Any, path: str, dry_run: bool, reason: str = "", **options: Any
    ) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(CANNOT_READ.format(path=path, error=error)) from None
        try:
            result = import_structure(
                data=data,
                user=None,
                dry_run=dry_run,
                source=ChangeSource.COMMAND,
                reason=reason,
                filename=Path(path).name,
            )
        except ImportRefused as error:
            raise CommandError(" ".join(error.messages)) from None
        if not result.ok:
            for cell_error in result.errors:
                self.stderr.write(str(cell_error))
            raise CommandError(ERRORS.format(count=len(result.errors)))
        heading = DRY_RUN if dry_run else WRITTEN
        self.stdout.write(heading.format(code=result.board_code, year=result.year))
        for line in result.summary_lines():
            self.stdout.write(f"  {line}")
        if result.corrections:
            self.stdout.write(CORRECTIONS.format(count=result.corrections))
        for warning in result.warnings:
            self.stdout.write(WARNING.format(warning=warning))
