"""python manage.py export_report --board AN --year 2022 --output rapport.xlsx

The same workbook as the download on the report page, for scripts and schedules. With
--table only that table (or group of tables, e.g. namndindikatorer); with --json the report
model as JSON instead of a workbook.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.management.commands._documents import board_of_year, write_output
from reports.renderers.xlsx import render_xlsx
from reports.report import build_report, report_to_json

UNKNOWN_TABLE = "Rapporten har ingen tabell {key}. Välj bland: {keys}."


class Command(BaseCommand):
    help = "Skapar verksamhetsberättelsens tabeller för en nämnd och ett år som .xlsx (eller JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="Nämndens kortnamn, t.ex. AN.")
        parser.add_argument("--year", required=True, type=int, help="Rapportåret, t.ex. 2022.")
        parser.add_argument("--output", required=True, help="Filen som skapas, t.ex. rapport.xlsx.")
        parser.add_argument("--table", default="", help="Bara en tabell, t.ex. driftsammandrag.")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Skriv rapportmodellen som JSON i stället.",
        )

    def handle(
        self,
        *args: Any,
        board: str,
        year: int,
        output: str,
        table: str,
        as_json: bool,
        **options: Any,
    ) -> None:
        board_obj = board_of_year(board, year)
        started = time.perf_counter()
        report = build_report(board_obj, year)
        if table:
            try:
                report = report.select(table)
            except KeyError:
                raise CommandError(
                    UNKNOWN_TABLE.format(key=table, keys=", ".join(report.download_keys))
                ) from None
        content = _json_bytes(report_to_json(report)) if as_json else render_xlsx(report)
        path = write_output(output, content)
        elapsed = time.perf_counter() - started
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Skrev {path} ({len(report.tables)} tabeller, {len(content)} byte, {elapsed:.2f} s)."
            )


def _json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
