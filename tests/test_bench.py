"""`make bench`'s own logic: what a save in board A rebuilds, worker memory, the goal table.

The full bench takes many minutes on PostgreSQL; these tests run its parts on the test
database (a small synthetic municipality) and on figures made up for the judgement, so a
broken measurement or a goal judged the wrong way fails CI rather than a long manual run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from argparse import Namespace

import pytest

from bench import run as bench
from demo.synthetic import generate_municipality
from indicators.models import IndicatorValue

YEAR = 2022


@pytest.mark.django_db
def test_a_save_in_board_a_is_judged_by_the_next_request_query_count():
    from bench import django_side

    generate_municipality(boards=2, years=2, seed=1)
    # Three pages stand for all of them (each is built about five times): a cached page of
    # one board, the uncached entry page, and the overview of all boards.
    result = django_side.measure_save_scope(
        Namespace(
            board="S01", other_board="S02", year=YEAR, pages="dashboard,entry_load,overview", out=""
        )
    )

    pages = {(page["group"], page["key"]): page for page in result["pages"]}
    assert all(page["status"] == "ok" for page in pages.values()), result["pages"]
    # Every group is there: A's year, A's year before, B's year and the pages of all boards.
    assert set(pages) == {
        (group, key)
        for group in ("a_year", "a_other_year", "b_year")
        for key in ("dashboard", "entry_load")
    } | {("all_boards", "overview")}
    assert "/2021/" in pages["a_other_year", "dashboard"]["url"]
    assert "/S02/" in pages["b_year", "dashboard"]["url"]
    # The save must rebuild what shows it, whatever the token's grain.
    dashboard = pages["a_year", "dashboard"]
    assert dashboard["cold_queries"] > dashboard["warm_queries"]
    assert dashboard["after_queries"] == dashboard["cold_queries"]
    assert dashboard["state"] == "byggs om" and dashboard["as_expected"]
    # The entry page is built on every request: listed, not judged.
    assert pages["a_year", "entry_load"]["state"] == "ingen cache"
    assert pages["a_year", "entry_load"]["as_expected"]
    for page in pages.values():
        assert page["state"] == (
            "ingen cache"
            if page["cold_queries"] == page["warm_queries"]
            else ("från cachen" if page["after_queries"] == page["warm_queries"] else "byggs om")
        )
    judged = [page for page in pages.values() if page["state"] != "ingen cache"]
    assert result["met"] == all(page["as_expected"] for page in judged)
    # One save per page, each through the real endpoint: the row's version counts them.
    saved = IndicatorValue.objects.get(pk=result["saved_value"])
    assert result["saves"] == len(pages)
    assert saved.version >= result["saves"]


def test_a_page_of_the_year_before_is_expected_to_rebuild_only_when_it_shows_the_year_saved():
    from bench.django_side import PAGES, expected_state

    specs = {spec.key: spec for spec in PAGES}
    # A plan of 2021 shows the targets and budget of 2022; the report of 2021 stops at 2021.
    for key in ("internbudget_html", "internbudget_xlsx", "verksamhetsplan_html"):
        assert expected_state("a_other_year", specs[key], 2021, 2022) == "byggs om", key
    for key in ("report_html", "report_xlsx", "delar2_html", "dashboard", "goal_tree"):
        assert expected_state("a_other_year", specs[key], 2021, 2022) == "från cachen", key
    assert expected_state("b_year", specs["internbudget_html"], 2022, 2022) == "från cachen"
    assert expected_state("a_year", specs["report_html"], 2022, 2022) == "byggs om"


def test_worker_rss_is_read_for_every_child_of_the_master():
    children = [
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) for _ in range(2)
    ]
    try:
        time.sleep(0.2)
        rss = bench.worker_rss(os.getpid())
    finally:
        for child in children:
            child.kill()
            child.wait()
    assert {child.pid for child in children} <= set(rss)
    assert all(5 < rss[child.pid] < 1000 for child in children)  # MB of a bare Python


# ---------------------------------------------------------------------------------------------
# The goal table and SUMMARY, from made-up figures


def page(key: str, *, one_board: bool = True, ms: float, queries: int, cold_ms, cold_q):
    return {
        "key": key,
        "label": key,
        "one_board": one_board,
        "status": "ok",
        "note": "",
        "runs": 4,
        "median_ms": ms,
        "p95_ms": ms,
        "cpu_median_ms": ms,
        "queries": queries,
        "cold_median_ms": cold_ms,
        "cold_queries": cold_q,
    }


def size(*, overview_cold_ms: float, all_queries: int, dashboard_cold_ms: float) -> dict:
    return {
        "pages": [
            page("dashboard", ms=10, queries=5, cold_ms=dashboard_cold_ms, cold_q=20),
            page("overview", one_board=False, ms=10, queries=5, cold_ms=overview_cold_ms, cold_q=9),
            page(
                "report_xlsx_all", one_board=False, ms=5, queries=3, cold_ms=900, cold_q=all_queries
            ),
        ],
        "counts": {"nämnder": 1},
        "floors": {
            "html": {
                "floor_ms": 20.0,
                "ratio": 1.2,
                "page_ms": 24.0,
                "cold_ms": 30.0,
                "cold_ratio": 1.5,
            },
            "xlsx": {
                "floor_ms": 40.0,
                "ratio": 1.1,
                "export_ms": 44.0,
                "cold_ms": 120.0,
                "cold_ratio": 3.0,
            },
        },
    }


def load_run(users: int, p95: float, errors: int, rss: dict[int, float]) -> dict:
    return {
        "users": users,
        "stats": [
            {
                "Name": "Aggregated",
                "Request Count": "100",
                "Failure Count": str(errors),
                "Requests/s": "1.5",
                "50%": "40",
                "95%": str(p95),
                "99%": str(p95),
            }
        ],
        "check": {"accepted": 10, "fields": 10, "lost_in_database": 0, "missing_in_history": 0},
        "p95_ms": p95,
        "errors": errors,
        "lost_updates": 0,
        "rss_mb": rss,
    }


ARGS = Namespace(rounds=4, users=50, users_high=200, duration=60, think="3,10")
SIZES = {"S": {"generate_s": 1.0}, "L": {"generate_s": 30.0}}


def compose(*, load: dict | None, scope: dict | None, all_queries_l: int = 6):
    pages = {
        "S": size(overview_cold_ms=20, all_queries=6, dashboard_cold_ms=30),
        "L": size(overview_cold_ms=80, all_queries=all_queries_l, dashboard_cold_ms=45),
    }
    return bench.compose(SIZES, pages, scope, load, {"sidorna": 1.0}, time.perf_counter(), ARGS)


def goal_rows(markdown: str) -> dict[str, str]:
    table = markdown.split("## Målen i issue 17")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ")][1:]
    return {cells[0].lstrip("| "): cells[-1].rstrip(" |") for cells in rows}


SCOPE_MET = {
    "board_a": "S01",
    "board_b": "S02",
    "year": YEAR,
    "groups": {"a_year": "A", "b_year": "B"},
    "met": True,
    "pages": [
        {
            "group": group,
            "label": "Nämndens dashboard",
            "status": "ok",
            "cold_queries": 20,
            "cold_ms": 40.0,
            "warm_queries": 5,
            "warm_ms": 2.0,
            "after_queries": after,
            "after_ms": 40.0,
            "state": state,
            "expected": state,
            "as_expected": True,
        }
        for group, after, state in (("a_year", 20, "byggs om"), ("b_year", 5, "från cachen"))
    ],
}


def test_the_goal_table_judges_each_row_from_the_figures():
    load = {
        "workers": 2,
        "duration_s": 60,
        "think": "3,10",
        "cache": "redis",
        "runs": [
            load_run(50, 150, 0, {11: 120.0, 12: 130.0}),
            load_run(200, 900, 0, {11: 310.0, 12: 140.0}),
        ],
    }
    markdown, summary = compose(load=load, scope=SCOPE_MET, all_queries_l=90)
    rows = goal_rows(markdown)

    assert rows["Verksamhetsberättelsen, kall"] == "uppfyllt"  # 1.5× ≤ 2×
    assert rows[".xlsx för en nämnd, kall"] == "EJ uppfyllt"  # 3× > 2×
    assert rows["Nämndens dashboard, kall"] == "uppfyllt"  # 45 ms ≤ 50 ms
    assert rows["Kommunöversikten, kall"] == "uppfyllt"  # 80 ms, 9 queries at S and L
    assert rows[".xlsx för alla nämnder, kall"] == "EJ uppfyllt"  # 6 queries at S, 90 at L
    assert rows["Ett sparande i nämnd A"] == "uppfyllt"
    assert rows["Last, 50 användare, 60 s"] == "uppfyllt"
    assert rows["Last, 200 användare, 60 s"] == "uppfyllt"  # p95 reported, not judged
    assert rows["Minne per gunicorn-arbetare efter lasten"] == "EJ uppfyllt"  # 310 MB
    assert "från cachen: 1 av 1" in markdown and "ombyggda: 1 av 1" in markdown
    assert "cache redis" in markdown
    fields = dict(part.split("=") for part in summary.split()[1:])
    assert summary.startswith("SUMMARY growth_max=")
    assert fields["report_cold_ratio"] == "1.50" and fields["xlsx_cold_ratio"] == "3.00"
    assert fields["dashboard_cold_ms"] == "45" and fields["overview_cold_ms"] == "80"
    assert (fields["overview_queries_s"], fields["overview_queries_l"]) == ("9", "9")
    assert (fields["all_xlsx_queries_s"], fields["all_xlsx_queries_l"]) == ("6", "90")
    assert fields["save_a_rebuilds_only_a"] == "yes"
    assert (fields["load_p95_ms"], fields["load200_p95_ms"]) == ("150", "900")
    assert (fields["load200_errors"], fields["load200_lost_updates"]) == ("0", "0")
    assert fields["worker_rss_max_mb"] == "310"


def test_a_run_without_load_marks_those_rows_unmeasured():
    scope = {**SCOPE_MET, "met": False}
    markdown, summary = compose(load=None, scope=scope)
    rows = goal_rows(markdown)

    assert rows["Last, 50 användare, 60 s"] == "ej mätt"
    assert rows["Last, 200 användare, 60 s"] == "ej mätt"
    assert rows["Minne per gunicorn-arbetare efter lasten"] == "ej mätt"
    assert rows["Ett sparande i nämnd A"] == "EJ uppfyllt"
    assert rows[".xlsx för alla nämnder, kall"] == "uppfyllt"  # 900 ms, 6 queries at S and L
    fields = dict(part.split("=") for part in summary.split()[1:])
    assert fields["save_a_rebuilds_only_a"] == "no"
    assert fields["load200_p95_ms"] == fields["worker_rss_max_mb"] == "–"


def test_the_database_names_follow_the_prefix(monkeypatch):
    assert bench.database_name("S") == "styrkort_bench_s"
    monkeypatch.setattr(bench, "DB_PREFIX", "bench_h5")
    assert (bench.database_name("S"), bench.database_name("L")) == ("bench_h5_s", "bench_h5_l")
