"""The plan documents on screen and as .xlsx: the internbudget and the verksamhetsplan.

`/namnd/<nämnd>/<år>/internbudget/` and `…/verksamhetsplan/`, each with `….xlsx` (the whole
workbook) and `…/<tabell>.xlsx` (one table or sheet). Access as for the verksamhetsberättelse
(reports/views/report.py): Action.VIEW for the pages, Action.EXPORT for the files, 404 otherwise
and for a year the board did not exist.

The internbudget's figures stand as of its decision (goals.selectors.plan_cutoff); `?per=
ÅÅÅÅ-MM-DD` shows them as of another day. The verksamhetsplan is the plain plan, or with
`?tillfalle=<id>` its follow-up at one of the board's occasions of the year. A document is built
once per data state and moment (reports.freshness.cached), so a page and its downloads share it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.types import AuthenticatedHttpRequest
from goals.access import Action, can
from goals.models import Board, PlanKind, ReportingOccasion
from goals.periods import OccasionKind, parse_day, swedish_date
from goals.selectors import end_of_day, plan_cutoff
from reports.freshness import cached, data_token
from reports.renderers.html import report_context
from reports.renderers.xlsx import render_xlsx
from reports.report.model import Report
from reports.report.plan_data import plan_years
from reports.report.plans import build_plan
from reports.views.report import board_of_year, xlsx_response

NO_SUCH_TABLE = "Planen har ingen sådan tabell."
TABLE_CHOICES = "Planens tabeller och flikar:"
NO_SUCH_OCCASION = "Nämnden har inget sådant uppföljningstillfälle det året."
AS_OF_DECIDED = "Utfallen visas som de var kända {date}, när planen beslutades."
AS_OF_UNDECIDED = "Planen har inget beslutsdatum: utfallen visas som de är i dag."
AS_OF_ASKED = "Utfallen visas som de var kända {date}."
NO_TABLES = "Planen har ännu inga tabeller."
PLAIN_PLAN = "Planen (utan uppföljning)"

URL_NAMES = {
    PlanKind.INTERNBUDGET: "reports:internbudget",
    PlanKind.VERKSAMHETSPLAN: "reports:verksamhetsplan",
}
OCCASION_ORDER = {kind: rank for rank, kind in enumerate(OccasionKind.values)}


class AsOfForm(forms.Form):
    """The internbudget page's "visa som den var" field (GET)."""

    per = forms.CharField(
        label="Visa utfallen som de var kända",
        required=False,
        help_text="Ett datum, ÅÅÅÅ-MM-DD. Tomt: planens beslutsdatum.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_per(self) -> datetime.date | None:
        text = self.cleaned_data.get("per") or ""
        if not text.strip():
            return None
        try:
            return parse_day(text, today=timezone.localdate())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class OccasionForm(forms.Form):
    """The verksamhetsplan page's choice of follow-up (GET)."""

    tillfalle = forms.ChoiceField(label="Visa uppföljningen vid", required=False)

    def __init__(self, *args: Any, occasions: list[ReportingOccasion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tillfalle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", PLAIN_PLAN)] + [
            (str(occasion.pk), occasion.get_kind_display()) for occasion in occasions
        ]


@dataclass
class PlanRequest:
    """What a plan URL asks for, checked: the board, the moment and the occasion."""

    board: Board
    year: int
    kind: PlanKind
    as_of: datetime.datetime | None = None
    cutoff: datetime.datetime | None = None
    asked_day: datetime.date | None = None
    occasion: ReportingOccasion | None = None
    occasions: list[ReportingOccasion] = field(default_factory=list)
    form: forms.Form | None = None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def cache_key(self) -> str:
        moment = self.as_of.isoformat() if self.as_of else "nu"
        occasion = self.occasion.pk if self.occasion else "-"
        return f"{self.kind}:{self.board.pk}:{self.year}:{moment}:{occasion}"

    @property
    def as_of_message(self) -> str:
        if self.kind != PlanKind.INTERNBUDGET:
            return ""
        if self.asked_day is not None:
            return AS_OF_ASKED.format(date=swedish_date(self.asked_day))
        if self.cutoff is not None:
            return AS_OF_DECIDED.format(date=swedish_date(timezone.localtime(self.cutoff).date()))
        return AS_OF_UNDECIDED

    def filename(self, table_key: str = "") -> str:
        follow_up = f"-uppfoljning-{self.occasion.kind}" if self.occasion else ""
        suffix = f"-{table_key}" if table_key else ""
        return f"{self.kind}-{self.board.code}-{self.year}{follow_up}{suffix}.xlsx"

    def url(self, name: str = "", *args: str) -> str:
        path = reverse(f"{URL_NAMES[self.kind]}{name}", args=[self.board.code, self.year, *args])
        return f"{path}?{urlencode(self.query)}" if self.query else path


def _occasions(board: Board, year: int) -> list[ReportingOccasion]:
    """The board's occasions of the year, in the year's order (one query)."""
    occasions = ReportingOccasion.objects.filter(board=board, year=year).order_by()
    return sorted(occasions, key=lambda occasion: OCCASION_ORDER.get(occasion.kind, 99))


def plan_request(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: PlanKind, action: Action
) -> PlanRequest:
    """The checked request; a bad `per` is left on the form (plan.form.errors), a foreign
    occasion is 404."""
    board = board_of_year(request, board_code, year, action)
    plan = PlanRequest(board=board, year=year, kind=kind)
    if kind == PlanKind.INTERNBUDGET:
        plan.cutoff = plan_cutoff(board, year, kind)
        plan.as_of = plan.cutoff
        form: forms.Form = AsOfForm(request.GET or None)
        if form.is_bound and form.is_valid() and form.cleaned_data["per"] is not None:
            plan.asked_day = form.cleaned_data["per"]
            plan.as_of = end_of_day(form.cleaned_data["per"])
            plan.query = {"per": plan.asked_day.isoformat()}
    else:
        plan.occasions = _occasions(board, year)
        wanted = request.GET.get("tillfalle", "").strip()
        if wanted:
            plan.occasion = next((o for o in plan.occasions if str(o.pk) == wanted), None)
            if plan.occasion is None:
                raise Http404(NO_SUCH_OCCASION)
            plan.query = {"tillfalle": str(plan.occasion.pk)}
        form = OccasionForm({"tillfalle": wanted}, occasions=plan.occasions)
        form.is_valid()
    plan.form = form
    return plan


def get_plan(plan: PlanRequest, *, token: str | None = None) -> Report:
    """The plan document, built once per state of the data, moment and occasion."""
    return cached(
        f"plan:{plan.cache_key}",
        lambda: build_plan(
            plan.board, plan.year, plan.kind, as_of=plan.as_of, occasion=plan.occasion
        ),
        token=token,
        boards=[plan.board],
        years=plan_years(plan.year),
    )


@require_safe
def plan_page(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: PlanKind
) -> HttpResponse:
    plan = plan_request(request, board_code, year, kind, Action.VIEW)
    # One reading for the page and, when it is built, its document.
    token = data_token(boards=[plan.board], years=plan_years(plan.year))
    context = cached(
        f"plan-page:{plan.cache_key}",
        lambda: report_context(get_plan(plan, token=token)),
        token=token,
    )
    toc = [
        (group.key, group.title, plan.url("_table_xlsx", group.key)) for group in context["groups"]
    ]
    return render(
        request,
        "reports/plan.html",
        {
            **context,
            "plan": plan,
            "board": plan.board,
            "year": year,
            "form": plan.form,
            "toc": toc,
            "xlsx_url": plan.url("_xlsx"),
            "as_of_message": plan.as_of_message,
            "no_tables": NO_TABLES,
            "may_write_texts": can(request.user, Action.WRITE_TEXTS, plan.board),
        },
    )


def _checked_download(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: PlanKind
) -> PlanRequest | HttpResponse:
    plan = plan_request(request, board_code, year, kind, Action.EXPORT)
    if plan.form is not None and plan.form.errors:
        messages = [str(m) for errors in plan.form.errors.values() for m in errors]
        return HttpResponseBadRequest(" ".join(messages), content_type="text/plain; charset=utf-8")
    return plan


@require_safe
def plan_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: PlanKind
) -> HttpResponse:
    plan = _checked_download(request, board_code, year, kind)
    if isinstance(plan, HttpResponse):
        return plan
    token = data_token(boards=[plan.board], years=plan_years(plan.year))
    content = cached(
        f"plan-xlsx:{plan.cache_key}",
        lambda: render_xlsx(get_plan(plan, token=token)),
        token=token,
    )
    return xlsx_response(content, plan.filename())


@require_safe
def plan_table_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: PlanKind, table_key: str
) -> HttpResponse:
    plan = _checked_download(request, board_code, year, kind)
    if isinstance(plan, HttpResponse):
        return plan
    token = data_token(boards=[plan.board], years=plan_years(plan.year))
    report = get_plan(plan, token=token)
    if table_key not in report.download_keys:
        return render(
            request,
            "reports/plan_not_found.html",
            {
                "message": NO_SUCH_TABLE,
                "report": report,
                "plan_url": plan.url(),
                "keys": report.download_keys,
            },
            status=404,
        )
    content = cached(
        f"plan-xlsx:{plan.cache_key}:{table_key}",
        lambda: render_xlsx(report.select(table_key)),
        token=token,
    )
    return xlsx_response(content, plan.filename(table_key))


# One argument name per kind (not `table_key`, the verksamhetsberättelse's), so the suites that
# walk every route (tests/test_access_matrix.py, tests/test_a11y_pages.py) build each URL with
# a table of its own document.
def internbudget_table_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, internbudget_table: str
) -> HttpResponse:
    return plan_table_xlsx(request, board_code, year, PlanKind.INTERNBUDGET, internbudget_table)


def verksamhetsplan_table_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, verksamhetsplan_table: str
) -> HttpResponse:
    return plan_table_xlsx(
        request, board_code, year, PlanKind.VERKSAMHETSPLAN, verksamhetsplan_table
    )
