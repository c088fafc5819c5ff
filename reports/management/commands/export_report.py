"""python manage.py export_report --board AN --year 2022 --output rapport.xlsx

Any of a board's documents (--kind: verksamhetsberattelse, the default, delar1, delar2,
internbudget, verksamhetsplan) in any format (--format xlsx, docx, pdf or json; by default the
one the output's suffix names), the same file as the download on the report page, for scripts
and schedules. With --table only that table (or group of tables, e.g. namndindikatorer) of the
workbook or JSON; --json is the older spelling of --format json. A PDF needs LibreOffice.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from goals.models import DocumentKind
from reports.management.commands._documents import board_of_year, write_output
from reports.renderers.docx import render_docx
from reports.renderers.pdf import PdfUnavailable, render_pdf
from reports.renderers.xlsx import render_xlsx
from reports.report import report_to_json
from reports.report.documents import build_document
from reports.report.model import Report

FORMATS = ("xlsx", "docx", "pdf", "json")
UNKNOWN_TABLE = "Rapporten har ingen tabell {key}. Välj bland: {keys}."
UNKNOWN_KIND = "Det finns inget dokument {kind}. Välj bland: {kinds}."
UNKNOWN_FORMAT = "Formatet {fmt} finns inte. Välj bland: {formats}."
FORMAT_FROM_SUFFIX = (
    "Kan inte se formatet på filnamnet {output}: ange --format ({formats}) eller en fil som "
    "slutar på .xlsx, .docx, .pdf eller .json."
)
JSON_AND_FORMAT = "--json betyder --format json och kan inte kombineras med --format {fmt}."
TABLE_ONLY_WORKBOOK = "--table går bara med formaten xlsx och json, inte {fmt}."
NOT_YET = "Dokumentet {kind} kan inte skapas ännu."


class Command(BaseCommand):
    help = (
        "Skapar en nämnds dokument för ett år (verksamhetsberättelse, delårsrapport, "
        "internbudget eller verksamhetsplan) som .xlsx, .docx, PDF eller JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="Nämndens kortnamn, t.ex. AN.")
        parser.add_argument("--year", required=True, type=int, help="Rapportåret, t.ex. 2022.")
        parser.add_argument("--output", required=True, help="Filen som skapas, t.ex. rapport.xlsx.")
        parser.add_argument(
            "--kind",
            default=DocumentKind.VERKSAMHETSBERATTELSE.value,
            help=f"Dokumentet: {', '.join(DocumentKind.values)} (standard verksamhetsberattelse).",
        )
        parser.add_argument(
            "--format",
            default="",
            dest="fmt",
            help=f"Filformatet: {', '.join(FORMATS)} (standard: filnamnets ändelse).",
        )
        parser.add_argument("--table", default="", help="Bara en tabell, t.ex. driftsammandrag.")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Skriv rapportmodellen som JSON i stället (samma som --format json).",
        )

    def handle(
        self,
        *args: Any,
        board: str,
        year: int,
        output: str,
        kind: str,
        fmt: str,
        table: str,
        as_json: bool,
        **options: Any,
    ) -> None:
        if kind not in DocumentKind.values:
            raise CommandError(UNKNOWN_KIND.format(kind=kind, kinds=", ".join(DocumentKind.values)))
        fmt = _format(fmt, as_json=as_json, output=output)
        if table and fmt not in ("xlsx", "json"):
            raise CommandError(TABLE_ONLY_WORKBOOK.format(fmt=fmt))
        board_obj = board_of_year(board, year)
        started = time.perf_counter()
        try:
            report = build_document(board_obj, year, kind)
        except NotImplementedError:
            raise CommandError(NOT_YET.format(kind=kind)) from None
        if table:
            try:
                report = report.select(table)
            except KeyError:
                raise CommandError(
                    UNKNOWN_TABLE.format(key=table, keys=", ".join(report.download_keys))
                ) from None
        content = _render(report, fmt)
        path = write_output(output, content)
        elapsed = time.perf_counter() - started
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Skrev {path} ({len(report.tables)} tabeller, {len(content)} byte, {elapsed:.2f} s)."
            )


def _format(fmt: str, *, as_json: bool, output: str) -> str:
    """The asked format, or --json's, or the output's suffix; CommandError when none fits."""
    if fmt and fmt not in FORMATS:
        raise CommandError(UNKNOWN_FORMAT.format(fmt=fmt, formats=", ".join(FORMATS)))
    if as_json:
        if fmt and fmt != "json":
            raise CommandError(JSON_AND_FORMAT.format(fmt=fmt))
        return "json"
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise CommandError(FORMAT_FROM_SUFFIX.format(output=output, formats=", ".join(FORMATS)))
    return suffix


def _render(report: Report, fmt: str) -> bytes:
    if fmt == "json":
        return _json_bytes(report_to_json(report))
    if fmt == "docx":
        return render_docx(report)
    if fmt == "pdf":
        try:
            return render_pdf(report)
        except PdfUnavailable as error:
            raise CommandError(str(error)) from None
    return render_xlsx(report)


def _json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
