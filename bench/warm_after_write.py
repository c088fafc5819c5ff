"""Warm after write, measured: a save's own time and queries, and the first visitor after it.

    python bench/warm_after_write.py --board S01 --year 2022 --runs 8

For each run, alternately with warming off and on: one entry field of the board's helår
occasion is saved (the entry page's per-field POST, timed with its queries); with warming on
the queue is drained (timed: the background build); then the report page, the board dashboard
and the one-board .xlsx are fetched once each (the first visitor, timed with queries). Last,
`--burst` saves back to back, timed together, with warming off and on. Run it
on a copy of the size-L template with DEBUG off (bench/run.py's django_env), never on a
database that matters: it changes figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.django_side import admin_client, post_field, quarter_fields  # noqa: E402
from goals.models import Board  # noqa: E402
from reports import warming  # noqa: E402


def timed(fn) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        fn()
        wall = time.perf_counter() - started
    return wall * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--board", default="S01")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args()
    client = admin_client()
    board = Board.objects.get(code=args.board)
    value = quarter_fields(board, args.year)[0]
    version = value.version
    save_url = reverse("indicators:entry_save_value", args=[board.code, args.year, "helar"])
    pages = {
        "report": reverse("reports:report", args=[board.code, args.year]),
        "dashboard": reverse("reports:board_dashboard", args=[board.code, args.year]),
        "xlsx": reverse("reports:report_xlsx", args=[board.code, args.year]),
    }
    samples: dict[str, dict[str, list]] = {"off": {}, "on": {}}

    def save(run: int) -> None:
        nonlocal version
        version = post_field(client, save_url, value, version, run)

    for url in pages.values():  # the first builds of the process (imports, templates)
        client.get(url)
    for run in range(1, 2 * args.runs + 1):
        mode = "on" if run % 2 == 0 else "off"
        settings.STYRKORT_WARM_AFTER_WRITE = mode == "on"
        got = samples[mode]
        wall, queries = timed(lambda run=run: save(run))
        got.setdefault("save_ms", []).append(wall)
        got.setdefault("save_queries", []).append(queries)
        started = time.perf_counter()
        if not warming.warmer.drain(120):
            raise RuntimeError("the warm queue did not drain")
        got.setdefault("drain_ms", []).append((time.perf_counter() - started) * 1000)
        for page, url in pages.items():
            wall, queries = timed(lambda url=url: client.get(url))
            got.setdefault(f"{page}_ms", []).append(wall)
            got.setdefault(f"{page}_queries", []).append(queries)
    # A controller's burst: `--burst` fields saved back to back (the warmer waits for quiet).
    for run in range(1, 2 * args.runs + 1):
        mode = "on" if run % 2 == 0 else "off"
        settings.STYRKORT_WARM_AFTER_WRITE = mode == "on"
        started = time.perf_counter()
        for field in range(args.burst):
            save(run * 100 + field)
        samples[mode].setdefault("burst_ms", []).append((time.perf_counter() - started) * 1000)
        warming.warmer.drain(120)
    summary = {
        mode: {key: round(statistics.median(values), 1) for key, values in got.items()}
        for mode, got in samples.items()
    }
    print(json.dumps({"board": board.code, "year": args.year, "runs": args.runs, **summary}))


if __name__ == "__main__":
    main()
