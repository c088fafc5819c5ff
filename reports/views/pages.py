"""The first pages: start, a board's goal tree for a year, and an indicator's page."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.types import AnyUser, AuthenticatedHttpRequest
from goals.access import Action, boards_for, can, get_board_for_user, on_every_board, require
from goals.models import Board, GoalAssessment, OccasionTransition, ReportingOccasion
from goals.periods import OccasionKind
from goals.selectors import activity_serves, send_back_notes, year_activities
from goals.structure import goal_structure
from goals.users import SYSTEM, user_label
from indicators.entry import occasion_gap_counts
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import (
    Cell,
    IndicatorSeries,
    group_by_goal,
    indicators_for_board,
    load_series,
)
from reports.dashboard.comparison import indicator_panel
from reports.dashboard.indicator import FootnoteNumbers, indicator_chart_data
from reports.freshness import cached

YEARS_SHOWN = 3
PERIOD_YEARS_SHOWN = 3  # the indicator page's table of quarters/tertials/months, by default
PLAN_ONLY_NOTE = (
    "Inga utfall är rapporterade för {year} än. Sidan visar planen: nämndmålen med "
    "målvärden och verksamhetsplanens aktiviteter."
)
NOTHING_PLANNED = "Nämnden har inga nämndmål och inga aktiviteter för {year}."
# Later occasions of a year supersede earlier ones when a goal's status is shown.
OCCASION_RANK = {kind: rank for rank, kind in enumerate(OccasionKind.values)}


# The delårsrapport of each delår occasion: its link text and URL name on the start page.
INTERIM_LINKS = {
    OccasionKind.INTERIM_1: ("Delår 1", "reports:delar1"),
    OccasionKind.INTERIM_2: ("Delår 2", "reports:delar2"),
}


@dataclass
class Waiting:
    """One occasion on the start page's "Att göra": what the user is to do, and by when."""

    occasion: ReportingOccasion
    url: str
    missing: int = 0
    send_back: OccasionTransition | None = None

    @property
    def sent_back_by(self) -> str:
        return user_label(self.send_back.user if self.send_back else None, missing=SYSTEM)


def _deadline_order(occasion: ReportingOccasion) -> tuple:
    # Without a deadline last; then the board's order and the kind, as the occasion list.
    return (
        occasion.deadline or datetime.date.max,
        occasion.board.order,
        occasion.board.name,
        OCCASION_RANK[occasion.kind],
    )


def waiting_for(user: AnyUser) -> tuple[list[Waiting], list[Waiting]]:
    """The occasions waiting for the user: open ones of the boards they enter for (sent back
    first, with the reason), and submitted ones of the boards they approve, in a fixed number of
    queries whatever the boards and occasions."""
    occasions = list(
        ReportingOccasion.objects.filter(
            Q(board__in=boards_for(user, Action.ENTER), state=ReportingOccasion.State.OPEN)
            | Q(board__in=boards_for(user, Action.APPROVE), state=ReportingOccasion.State.SUBMITTED)
        ).select_related("board")
    )
    occasions.sort(key=_deadline_order)
    to_enter = [o for o in occasions if o.state == ReportingOccasion.State.OPEN]
    missing = occasion_gap_counts(to_enter)
    notes = send_back_notes(to_enter)

    def item(occasion: ReportingOccasion) -> Waiting:
        return Waiting(
            occasion=occasion,
            url=reverse(
                "indicators:entry_page", args=[occasion.board.code, occasion.year, occasion.kind]
            ),
            missing=missing.get(occasion.pk, 0),
            send_back=notes.get(occasion.pk),
        )

    entering = sorted((item(o) for o in to_enter), key=lambda w: w.send_back is None)
    approving = [item(o) for o in occasions if o.state == ReportingOccasion.State.SUBMITTED]
    return entering, approving


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    boards = list(boards_for(request.user, Action.VIEW).order_by("order", "name"))
    # The span of every value of the boards reads them all (100 000 rows at size L): kept like
    # the pages built from the same data.
    span = cached(
        "value-years:" + ",".join(str(board.pk) for board in boards),
        lambda: IndicatorValue.objects.filter(indicator__board__in=boards).aggregate(
            first=Min("year"), last=Max("year")
        ),
        boards=boards,
    )
    last = span["last"] or timezone.now().year
    first = span["first"] or last
    years = list(range(last, max(first, last - 5) - 1, -1))
    exportable = [board for board in boards if can(request.user, Action.EXPORT, board)]
    # The delårsrapporter of the occasions that exist (one query, whatever the boards).
    interims = set(
        ReportingOccasion.objects.filter(
            board__in=boards, year__in=years, kind__in=list(INTERIM_LINKS)
        ).values_list("board_id", "year", "kind")
    )
    board_rows = [
        (
            board,
            [
                (
                    year,
                    [
                        link
                        for kind, link in INTERIM_LINKS.items()
                        if (board.pk, year, kind) in interims
                    ],
                )
                for year in years
            ],
        )
        for board in boards
    ]
    to_enter, to_approve = waiting_for(request.user)
    context = {
        "to_enter": to_enter,
        "to_approve": to_approve,
        "boards": boards,
        "board_rows": board_rows,
        "years": years,
        "year": last,
        # Years with at least one board the all-boards workbook would contain (no query).
        "all_boards_years": [y for y in years if any(b.is_valid_in(y) for b in exportable)],
        "edits_outlines": on_every_board(request.user, Action.ADMINISTER),
    }
    return render(request, "reports/home.html", context)


def latest_assessments(board: Board, year: int) -> dict[int, GoalAssessment]:
    """Each nämndmål's assessment at the latest occasion of the year that has one (1 query)."""
    latest: dict[int, GoalAssessment] = {}
    assessments = GoalAssessment.objects.filter(
        occasion__board=board, occasion__year=year
    ).select_related("occasion")
    for assessment in assessments:
        current = latest.get(assessment.board_goal_id)
        if (
            current is None
            or OCCASION_RANK[assessment.occasion.kind] > OCCASION_RANK[current.occasion.kind]
        ):
            latest[assessment.board_goal_id] = assessment
    return latest


def goal_tree(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = get_board_for_user(request.user, board_code, Action.VIEW)
    years = list(range(year - YEARS_SHOWN + 1, year + 1))

    def body() -> str:
        # Drawn once per state of the data rather than by every request's template (see
        # reports.renderers.html.row_html for why a deep template loop costs so much).
        context = {
            "year": year,
            "years": years,
            "plan_only_note": PLAN_ONLY_NOTE.format(year=year),
            "nothing_planned": NOTHING_PLANNED.format(year=year),
            **_goal_tree(board, year, years),
        }
        return render_to_string("reports/goal_tree_body.html", context)

    context = {
        "board": board,
        "year": year,
        "body": cached(
            f"goal-tree-plan:{board.pk}:{year}",
            body,
            boards=[board],
            years=years,  # the values' and targets' years; activities and assessments of `year`
        ),
        "other_years": [y for y in range(year - 3, year + 2) if y != year],
    }
    return render(request, "reports/goal_tree.html", context)


def _goal_tree(board: Board, year: int, years: list[int]) -> dict[str, Any]:
    """The goal areas with their nämndmål, each with its assessment, indicator rows (targets
    included) and the verksamhetsplan's activities; the year's activities by due quarter; and
    whether the year has outcomes yet (a plan year has targets and activities only)."""
    indicators = list(indicators_for_board(board, year))
    series = load_series(indicators, years)
    by_goal = group_by_goal(indicators)
    assessments = latest_assessments(board, year)
    activities = year_activities(board, year)
    goal_activities: dict[int, list[dict[str, str]]] = defaultdict(list)
    area_activities: dict[int, list[dict[str, str]]] = defaultdict(list)
    for activity in activities:
        shown = {"title": activity.title, "deadline": activity.deadline}
        for goal in activity.board_goals.all():
            goal_activities[goal.pk].append(shown)
        if activity.goal_area_id is not None:
            area_activities[activity.goal_area_id].append(shown)
    areas = []
    for node in goal_structure(board, year):
        node.council_goals = [council for council in node.council_goals if council.board_goals]
        if not node.council_goals and node.area.pk not in area_activities:
            continue
        for council_node in node.council_goals:
            for board_goal in council_node.board_goals:
                board_goal.assessment = assessments.get(board_goal.pk)
                board_goal.rows = [
                    _indicator_rows(indicator, series, years, year)
                    for indicator in by_goal.get(board_goal.pk, [])
                ]
                # Only this page shows them (BoardGoal declares the attributes pages share).
                activities_of_goal = goal_activities.get(board_goal.pk, [])
                board_goal.plan_activities = activities_of_goal  # type: ignore[attr-defined]
        areas.append({"node": node, "activities": area_activities.get(node.area.pk, [])})
    # An outcome is an assessment, a stored value or I.U., or a computed number (a computed
    # indicator is I.U. until its figures exist, which is no outcome).
    has_outcomes = bool(assessments) or any(
        not cell.is_computed or cell.value is not None
        for indicator in indicators
        for cell in series[indicator.pk].row_cells(year)
    )
    return {
        "areas": areas,
        "has_outcomes": has_outcomes,
        "activities": [
            {
                "title": activity.title,
                "deadline": activity.deadline,
                "quarter": f"Q{activity.due_quarter}" if activity.due_quarter else "",
                "serves": activity_serves(activity),
            }
            for activity in activities
        ],
    }


def _indicator_rows(
    indicator: Indicator, series: dict[int, IndicatorSeries], years: list[int], year: int
) -> dict[str, Any]:
    """The indicator's own row followed by its gender rows and sub-indicators, as in the report."""

    def row(item: Indicator, label: str, gender: str = "", italic: bool = False) -> dict[str, Any]:
        data = series[item.pk]
        target = data.target(year) if not gender else None
        return {
            "indicator": item,
            "label": label,
            "italic": italic,
            "cells": [
                {"text": data.row_text(y, gender), "footnotes": _notes(data.row_cells(y, gender))}
                for y in years
            ],
            "target": target.display if target else "",
            "target_notes": [note.text for note in target.footnotes.all()] if target else [],
            "name_notes": [note.text for note in item.footnotes.all() if note.year in (None, year)]
            if not gender
            else [],
        }

    main = series[indicator.pk]
    rows = [row(indicator, indicator.name + (" *" if indicator.mandatory else ""))]
    for gender in main.genders():
        rows.append(row(indicator, "Kvinnor" if gender == "K" else "Män", gender, italic=True))
    for child in getattr(indicator, "sub_indicators", []):
        rows.append(row(child, child.name, italic=True))
        for gender in series[child.pk].genders():
            rows.append(row(child, "Kvinnor" if gender == "K" else "Män", gender, italic=True))
    return {"indicator": indicator, "rows": rows}


def _notes(cells: Iterable[Cell]) -> list[str]:
    return [text for cell in cells for text in cell.footnotes]


def indicator_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = (
        Indicator.objects.select_related(
            "board", "board_goal__council_goal__goal_area", "parent", "predecessor"
        )
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404("Indikatorn finns inte.")
    require(request.user, Action.VIEW, indicator.board_id)
    all_periods = request.GET.get("perioder") == "alla"
    context = {
        "indicator": indicator,
        "all_periods": all_periods,
        **cached(
            f"indicator:{indicator.pk}:{int(all_periods)}",
            lambda: _indicator_page(indicator, all_periods=all_periods),
            boards=[indicator.board_id],  # every year of the indicator's board
        ),
    }
    context["kolada"] = indicator_panel(indicator, context["years"])
    return render(request, "reports/indicator_detail.html", context)


def _year_section(
    item: Indicator, data: IndicatorSeries, years: list[int], numbers: FootnoteNumbers
) -> dict:
    """One indicator's table of years: total, by gender, target and footnote marks per year.

    The marks are numbered with the chart's footnotes (`numbers`), so a footnote shared by
    several values, or a text already under the chart, is listed once with one number.
    """
    genders = data.genders()
    rows = []
    for year in years:
        target = data.target(year)
        cells = data.row_cells(year)
        rows.append(
            {
                "year": year,
                "total": data.row_text(year) or "–",
                "computed": any(cell.is_computed for cell in cells),
                "missing": [cell.missing_label for cell in cells if cell.missing_label],
                "by_gender": [data.row_text(year, gender) or "–" for gender in genders],
                "target": target.display if target else "",
                "marks": numbers.mark(
                    [t for cell in cells for t in cell.footnotes]
                    + ([note.text for note in target.footnotes.all()] if target else [])
                ),
            }
        )
    return {
        "indicator": item,
        "genders": ["Kvinnor" if g == "K" else "Män" for g in genders],
        "rows": rows,
    }


def _indicator_page(indicator: Indicator, *, all_periods: bool) -> dict:
    """Everything the indicator page shows below its heading, as lists (cached together).

    Yearly values for every year; quarters, tertials and months for the latest
    PERIOD_YEARS_SHOWN years unless all are asked for (ten years of quarters by breakdown is
    a long table that hides the current year).
    """
    family = [indicator, *indicator.children.order_by("order", "pk")]
    span = IndicatorValue.objects.filter(indicator__in=family).aggregate(
        first=Min("year"), last=Max("year")
    )
    last = max(span["last"] or indicator.valid_from, indicator.valid_to or indicator.valid_from)
    first = min(span["first"] or indicator.valid_from, indicator.valid_from)
    years = list(range(first, last + 1))
    first_period_year = first if all_periods else max(first, last - PERIOD_YEARS_SHOWN + 1)
    periodic_values = (
        IndicatorValue.objects.filter(indicator__in=family, year__gte=first_period_year)
        .exclude(period_type="ar")
        .select_related("breakdown__org_unit", "indicator")
        .order_by("indicator__order", "year", "period_type", "period_number", "breakdown__order")
    )
    series = load_series(family, years)
    numbers = FootnoteNumbers()
    chart = indicator_chart_data(indicator, years, numbers=numbers)
    sections = [_year_section(item, series[item.pk], years, numbers) for item in family]
    return {
        "sections": sections,
        "periodic_values": list(periodic_values),
        "period_years": (first_period_year, last),
        # Always asked (one query), so the page's query count is the same for any history.
        "earlier_periods": IndicatorValue.objects.filter(
            indicator__in=family, year__lt=first_period_year
        )
        .exclude(period_type="ar")
        .exists(),
        "years": years,
        "definition_history": list(
            indicator.history.select_related("history_user").order_by("-history_date")
        ),
        "successors": list(indicator.successors.all()),
        "name_notes": list(indicator.footnotes.all()),
        "chart": chart,
    }
