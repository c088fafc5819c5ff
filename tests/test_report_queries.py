"""Building the whole report takes the same number of queries however much the board has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.renderers.xlsx import render_xlsx
from reports.report import build_report
from tests.test_report_fixtures import add_goal_with_indicators, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db

# goal structure 3, indicators 2, values 2, targets 2, breakdown order 1, goal notes 1,
# assessments 1, assignments 2, budget 4 (driftsammandrag 2, investments 2: read once; the
# Ekonomi table is made from them), the document around them 3 (outline, narrative texts,
# the occasion's last transition for the cover). Exact, so a change either way is seen and
# explained.
QUERIES = 21


def count_build(board) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        report = build_report(board, 2022)
        render_xlsx(report)
    return len(queries), report


def test_report_query_count_is_flat(mini_an):  # noqa: F811
    small, small_report = count_build(mini_an.board)
    add_goal_with_indicators(mini_an.board, 15)
    large, large_report = count_build(mini_an.board)
    assert small == large
    assert small == QUERIES
    rows = lambda report: sum(len(table.rows) for table in report.tables)  # noqa: E731
    assert rows(large_report) > rows(small_report) + 15 * 4


def test_the_renderer_runs_no_queries(mini_an):  # noqa: F811
    report = build_report(mini_an.board, 2022)
    with CaptureQueriesContext(connection) as queries:
        render_xlsx(report)
    assert len(queries) == 0
