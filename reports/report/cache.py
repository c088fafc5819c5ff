"""get_report(board, year): the report to show or export, built once per state of the data.

A built report is cached under the data token it was read with (reports.freshness), so any
committed change to goals, indicators or budget makes the next request build it anew. The
cache is per process (settings.CACHES): a copy is only ever reused for the exact data it was
built from, so workers need not share it.
"""

from __future__ import annotations

from django.core.cache import cache

from goals.models import Board
from reports.freshness import data_token
from reports.report.build import build_report
from reports.report.model import Report

# Part of the key, so a deploy whose builders changed never meets a copy built by older code.
REPORT_LAYOUT = 1
CACHE_SECONDS = 60 * 60


def report_cache_key(board: Board, year: int, token: str) -> str:
    return f"report:{REPORT_LAYOUT}:{token}:{board.pk}:{year}"


def get_report(board: Board, year: int) -> Report:
    key = report_cache_key(board, year, data_token())
    report = cache.get(key)
    if report is None:
        report = build_report(board, year)
        cache.set(key, report, CACHE_SECONDS)
    return report
