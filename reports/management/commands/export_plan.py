"""python manage.py export_plan --board AN --year 2022 --output internbudget.xlsx

The same workbook as the download on the plan page (reports.views.plans), for scripts and
schedules: `--kind internbudget` (default) or `verksamhetsplan`. The internbudget's figures stand
as of its decision (goals.selectors.plan_cutoff) unless `--per ÅÅÅÅ-MM-DD` names another day;
`--tillfalle ID` (an occasion of the board and year, by id or kind such as `helar`) makes the
verksamhetsplan its follow-up. Bad arguments stop with a Swedish message and write nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from goals.models import Board, PlanKind, ReportingOccasion
from goals.periods import parse_day, swedish_date
from goals.selectors import end_of_day, plan_cutoff
from reports.management.commands._documents import board_of_year, write_output
from reports.renderers.xlsx import render_xlsx
from reports.report.plans import build_plan

UNKNOWN_KIND = "Okänt slag av plan: {kind}. Välj internbudget eller verksamhetsplan."
BAD_DATE = "--per {text}: {message}"
PER_ONLY_INTERNBUDGET = "--per gäller internbudgeten; verksamhetsplanen följs upp med --tillfalle."
OCCASION_ONLY_PLAN = "--tillfalle gäller verksamhetsplanen (--kind verksamhetsplan)."
UNKNOWN_OCCASION = (
    "Nämnden {code} har inget uppföljningstillfälle {occasion} år {year}. Välj bland: {choices}."
)
WROTE = "Skrev {path} ({board} {title}; {state}; {tables} tabeller, {size} byte, {seconds:.2f} s)."
STATE_DECIDED = "utfallen som de var kända {date}, när planen beslutades"
STATE_ASKED = "utfallen som de var kända {date}"
STATE_TODAY = "planen har inget beslutsdatum: utfallen som de är i dag"
STATE_PLAIN = "planen utan uppföljning"
STATE_FOLLOW_UP = "uppföljningen vid {occasion}"


class Command(BaseCommand):
    help = "Skapar en nämnds internbudget eller verksamhetsplan för ett år som .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="Nämndens kortnamn, t.ex. AN.")
        parser.add_argument("--year", required=True, type=int, help="Planens år, t.ex. 2022.")
        parser.add_argument(
            "--kind",
            default=PlanKind.INTERNBUDGET.value,
            help="internbudget (standard) eller verksamhetsplan.",
        )
        parser.add_argument("--output", required=True, help="Filen som skapas, t.ex. plan.xlsx.")
        parser.add_argument(
            "--per",
            default="",
            help="Internbudgetens utfall som de var kända den dagen (ÅÅÅÅ-MM-DD); "
            "standard är planens beslutsdatum.",
        )
        parser.add_argument(
            "--tillfalle",
            default="",
            help="Verksamhetsplanens uppföljning vid ett tillfälle (id eller t.ex. helar).",
        )

    def handle(
        self,
        *args: Any,
        board: str,
        year: int,
        kind: str,
        output: str,
        per: str,
        tillfalle: str,
        **options: Any,
    ) -> None:
        board_obj = board_of_year(board, year)
        if kind not in PlanKind.values:
            raise CommandError(UNKNOWN_KIND.format(kind=kind))
        plan_kind = PlanKind(kind)
        as_of = None
        occasion = None
        if plan_kind == PlanKind.INTERNBUDGET:
            if tillfalle:
                raise CommandError(OCCASION_ONLY_PLAN)
            if per:
                try:
                    day = parse_day(per, today=timezone.localdate())
                except ValueError as error:
                    raise CommandError(BAD_DATE.format(text=per, message=error)) from None
                as_of = end_of_day(day)
                state = STATE_ASKED.format(date=swedish_date(day))
            else:
                as_of = plan_cutoff(board_obj, year, plan_kind)
                state = (
                    STATE_DECIDED.format(date=swedish_date(timezone.localtime(as_of).date()))
                    if as_of
                    else STATE_TODAY
                )
        else:
            if per:
                raise CommandError(PER_ONLY_INTERNBUDGET)
            state = STATE_PLAIN
            if tillfalle:
                occasion = _occasion(board_obj, year, tillfalle)
                state = STATE_FOLLOW_UP.format(occasion=occasion.get_kind_display().lower())
        started = time.perf_counter()
        report = build_plan(board_obj, year, plan_kind, as_of=as_of, occasion=occasion)
        content = render_xlsx(report)
        path = write_output(output, content)
        elapsed = time.perf_counter() - started
        if options["verbosity"] > 0:
            self.stdout.write(
                WROTE.format(
                    path=path,
                    title=report.title,
                    board=board_obj.code,
                    state=state,
                    tables=len(report.tables),
                    size=len(content),
                    seconds=elapsed,
                )
            )


def _occasion(board: Board, year: int, wanted: str) -> ReportingOccasion:
    occasions = list(ReportingOccasion.objects.filter(board=board, year=year).order_by("pk"))
    text = wanted.strip()
    for occasion in occasions:
        if text == str(occasion.pk) or text == occasion.kind:
            return occasion
    choices = ", ".join(f"{o.pk} ({o.kind})" for o in occasions) or "inga"
    raise CommandError(
        UNKNOWN_OCCASION.format(code=board.code, occasion=wanted, year=year, choices=choices)
    )
