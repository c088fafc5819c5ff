"""The part of the benchmark that runs inside Django, against one database (DATABASE_URL).

    python bench/django_side.py pages --size S --out var/bench/pages-S.json
    python bench/django_side.py prepare-load --users 50 --out var/bench/load-plan.json
    python bench/django_side.py check-load --plan … --saves … --out var/bench/load-check.json
    python bench/django_side.py save-scope --board S01 --other-board S02 --out var/bench/save-scope.json

`pages` times every page in-process with Django's test Client, logged in as an administrator:
`--warmup` runs that are thrown away, then `--runs` timed runs (median and p95), then one run
inside CaptureQueriesContext for the query count. Those runs meet the pages' cache (built
outputs are kept until the data changes, reports.freshness); `--runs` more runs with the cache
emptied before each give the cold time and query count, when everything is built anew. A page whose URL name does not resolve yet is
reported as "saknas". It also measures the two floors: writing the report's cells with
openpyxl's write-only mode alone, and rendering the precomputed report through its template.

`save-scope` answers "does a save in board A rebuild only what shows board A's data of that
year?": each cached page of boards A and B (the same year), of A the year before, the
municipality overview and the all-boards workbook is, one at a time with the cache emptied
first, built (cold query count), shown twice more (warm query count), then one value of A's
open helår is saved through the real entry endpoint and the page is shown once more. That
request ran the warm run's queries: served from the cache; more: rebuilt. Each page is warmed
alone, so a shared part one page rebuilds cannot make the next one look warm.

`prepare-load` creates the load users (controllers of the synthetic boards, logged in once
here so no password hashing happens during the run) and the fields each may save; `check-load`
proves that every save answered as accepted is in the database and in the audit trail.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, get_resolver, reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from goals.models import Board, BoardRole, ReportingOccasion, Role  # noqa: E402
from goals.periods import OccasionKind, PeriodType  # noqa: E402
from indicators.models import Indicator, IndicatorValue  # noqa: E402

BENCH_ADMIN = "bench_admin"
LOAD_USER = "bench_last_{:02d}"
JSON = {"HTTP_ACCEPT": "application/json"}


def _window(module: str, name: str) -> Callable[[int], Iterable[int]]:
    """A page's data-token window (the years its output of year N reads), imported when used
    so the bench still runs against code that has none."""

    def years(year: int) -> Iterable[int]:
        import importlib

        return getattr(importlib.import_module(module), name)(year)

    return years


REPORT_YEARS = _window("reports.report.data", "report_years")
PLAN_YEARS = _window("reports.report.plan_data", "plan_years")
HISTORY_YEARS = _window("reports.dashboard.rows", "history_years")


def goal_tree_years(year: int) -> range:
    return range(year - 4, year + 1)  # reports.views.pages.goal_tree: YEARS_SHOWN up to N


@dataclass
class PageSpec:
    key: str
    label: str
    names: list[str]  # URL names to try, first that resolves wins
    one_board: bool = True
    method: str = "get"
    # The years the page of year N shows, so of board A the year before a save in N is
    # expected to rebuild exactly when N is among them (a plan shows the next year's targets).
    window: Callable[[int], Iterable[int]] | None = None


PAGES = [
    PageSpec("dashboard", "Nämndens dashboard", ["reports:board_dashboard"], window=HISTORY_YEARS),
    PageSpec("overview", "Kommunöversikt (alla nämnder)", ["reports:municipality_overview"], False),
    PageSpec("goal_tree", "Målträd", ["reports:goal_tree"], window=goal_tree_years),
    PageSpec("indicator", "Indikatorsida", ["reports:indicator_detail"]),
    PageSpec("entry_load", "Inmatning: sidan laddas", ["indicators:entry_page"]),
    PageSpec(
        "entry_save",
        "Inmatning: ett helt kvartal, ett fält i taget",
        ["indicators:entry_save_value"],
        True,
        "save",
    ),
    PageSpec(
        "entry_save_all",
        "Inmatning: ett helt kvartal sparas (Spara alla)",
        ["indicators:entry_save_all"],
        True,
        "save_all",
    ),
    PageSpec("report_html", "Verksamhetsberättelse HTML", ["reports:report"], window=REPORT_YEARS),
    PageSpec("delar2_html", "Delårsrapport 2 HTML", ["reports:delar2"], window=REPORT_YEARS),
    PageSpec("internbudget_html", "Internbudget HTML", ["reports:internbudget"], window=PLAN_YEARS),
    PageSpec(
        "internbudget_xlsx",
        "Internbudget .xlsx, en nämnd",
        ["reports:internbudget_xlsx"],
        window=PLAN_YEARS,
    ),
    PageSpec(
        "verksamhetsplan_html",
        "Verksamhetsplan HTML",
        ["reports:verksamhetsplan"],
        window=PLAN_YEARS,
    ),
    PageSpec(
        "report_xlsx",
        "Verksamhetsberättelse .xlsx, en nämnd",
        ["reports:report_xlsx"],
        window=REPORT_YEARS,
    ),
    PageSpec(
        "report_xlsx_all",
        "Verksamhetsberättelse .xlsx, alla nämnder",
        [
            "reports:report_xlsx_all",
            "reports_xlsx_all",
            "report_all_xlsx",
            "all_reports_xlsx",
            "municipality_report_xlsx",
        ],
        False,
    ),
]


@dataclass
class Measurement:
    key: str
    label: str
    one_board: bool
    status: str = "ok"  # ok, saknas, or the error
    url: str = ""
    median_ms: float | None = None
    p95_ms: float | None = None
    cpu_median_ms: float | None = None
    queries: int | None = None
    runs: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)
    cpu_samples: list[float] = field(default_factory=list)
    # Cold: the page's cache emptied before each run, so it builds everything from the data
    # (what the first visitor after a change waits for).
    cold_samples: list[float] = field(default_factory=list)
    cold_queries: int | None = None


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: with 15 runs, p95 is the slowest run."""
    ordered = sorted(samples)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def timed(fn: Callable[[], object], runs: int, warmup: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of each timed run, and the queries of one more run.

    The CPU time is this process's only (Python, templates, openpyxl; not PostgreSQL's): it
    hardly moves when other work shares the machine, so it shows growth even on a busy host.
    """
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fn()
    return walls, cpus, len(captured)


def timed_cold(fn: Callable[[], object], runs: int) -> tuple[list[float], int]:
    """Like timed(), with the cache emptied before every run (outside the timing)."""
    walls = []
    for _ in range(runs):
        cache.clear()
        started = time.perf_counter()
        fn()
        walls.append((time.perf_counter() - started) * 1000)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return walls, len(captured)


def admin_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_ADMIN, defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_unusable_password()
    user.save()
    BoardRole.objects.get_or_create(user=user, role=Role.ADMINISTRATOR, board=None)
    client = Client()
    client.force_login(user)
    return client


def url_kwargs(board: Board, year: int, indicator: Indicator) -> dict[str, object]:
    return {
        "board_code": board.code,
        "year": year,
        "kind": OccasionKind.FULL_YEAR.value,
        "pk": indicator.pk,
        "indicator_id": indicator.pk,
    }


def resolve(spec: PageSpec, kwargs: dict[str, object]) -> str | None:
    """The page's URL with the kwargs its pattern takes, or None when no name resolves."""
    for name in spec.names:
        # Each app's names live in its namespace's resolver ("reports:report").
        namespace, _, local = name.rpartition(":")
        resolver = get_resolver()
        if namespace:
            if namespace not in resolver.namespace_dict:
                continue
            resolver = resolver.namespace_dict[namespace][1]
        for possibilities, *_ in resolver.reverse_dict.getlist(local):
            for _, params in possibilities:
                try:
                    return reverse(name, kwargs={key: kwargs[key] for key in params})
                except (KeyError, NoReverseMatch):
                    continue
    return None


def chosen_indicator(board: Board) -> Indicator:
    """The same indicator at every size: the board's first quarterly one split by kön."""
    candidates = (
        Indicator.objects.filter(
            board=board,
            category=Indicator.Category.GOAL,
            frequency=PeriodType.QUARTER,
            parent__isnull=True,
            breakdowns__breakdown__gender="K",
        )
        .order_by("board_goal__order", "order")
        .distinct()
    )
    indicator = candidates.first() or Indicator.objects.filter(board=board).order_by("pk").first()
    if indicator is None:
        raise SystemExit(f"Nämnden {board.code} har inga indikatorer: kör generate_municipality.")
    return indicator


def quarter_fields(board: Board, year: int) -> list[IndicatorValue]:
    """Every stored K4 value of the board's quarterly indicators: one full quarter."""
    return list(
        IndicatorValue.objects.filter(
            indicator__board=board,
            indicator__computed="",
            indicator__frequency=PeriodType.QUARTER,
            year=year,
            period_type=PeriodType.QUARTER,
            period_number=4,
        )
        .select_related("indicator", "breakdown")
        .prefetch_related("footnotes")
        .order_by("indicator_id", "breakdown_id")
    )


def typed_value(value: IndicatorValue, run: int) -> str:
    """The figure a controller types: the stored one, every other run one step different."""
    if value.value is None:
        return "I.U."
    decimals = value.indicator.decimals
    step = Decimal(1).scaleb(-decimals)
    number = value.value.quantize(step)
    if run % 2:
        number = number - step if number > 1 else number + step
    return f"{number:.{decimals}f}".replace(".", ",")


def post_field(client: Client, url: str, value: IndicatorValue, version: int, run: int) -> int:
    """POSTs one field as the entry page's script does; returns the version the answer shows."""
    response = client.post(
        url,
        {
            "indicator": value.indicator_id,
            "breakdown": value.breakdown_id,
            "period_type": value.period_type,
            "period_number": value.period_number,
            "version": version,
            "value": typed_value(value, run),
            "missing_reason": value.missing_reason,
            "footnote": " ".join(note.text for note in value.footnotes.all()),
            "comment": value.comment,
        },
        **JSON,
    )
    answer = response.json() if response.status_code in (200, 422) else {}
    if response.status_code != 200 or answer.get("state") not in ("saved", "warning"):
        raise RuntimeError(f"sparandet svarade {response.status_code} utan 'Sparat' för {value.pk}")
    return int(answer["version"])


class QuarterSave:
    """POSTs every field of the quarter as the entry page's script does (one field at a time).

    The fields are read once; each answer carries the field's new version, so a run reads
    nothing but what the saves themselves read. Every other run types a different figure.
    """

    def __init__(self, client: Client, url: str, board: Board, year: int) -> None:
        self.client = client
        self.url = url
        self.fields = quarter_fields(board, year)
        self.versions = {value.pk: value.version for value in self.fields}
        self.run = 0

    def __call__(self) -> int:
        self.run += 1
        for value in self.fields:
            self.versions[value.pk] = post_field(
                self.client, self.url, value, self.versions[value.pk], self.run
            )
        return len(self.fields)


class QuarterSaveAll(QuarterSave):
    """The same quarter in one "Spara alla" request (the grid's form, every field)."""

    def __call__(self) -> int:
        self.run += 1
        data: dict[str, object] = {"fields": []}
        for value in self.fields:
            key = f"v{value.indicator_id}-{value.breakdown_id}-{value.period_type}-4"
            data["fields"].append(key)
            data[f"{key}-version"] = self.versions[value.pk]
            data[f"{key}-value"] = typed_value(value, self.run)
            data[f"{key}-missing_reason"] = value.missing_reason
            data[f"{key}-footnote"] = " ".join(note.text for note in value.footnotes.all())
            data[f"{key}-comment"] = value.comment
        response = self.client.post(self.url, data, **JSON)
        if response.status_code != 200:
            raise RuntimeError(
                f"Spara alla svarade {response.status_code}: {response.content[:300]}"
            )
        answers = response.json()["fields"]
        for value in self.fields:
            key = f"v{value.indicator_id}-{value.breakdown_id}-{value.period_type}-4"
            self.versions[value.pk] = int(answers[key]["version"])
        return len(self.fields)


def report_cells(report) -> list[list[list[object]]]:
    """The report's cells as plain values, table by table (what the write-only floor writes)."""
    tables = []
    for table in report.tables:
        rows = [[column.label for column in table.columns]]
        for row in table.rows:
            values = []
            for cell in row.cells:
                if cell.covered:
                    values.append(None)
                elif isinstance(cell.value, (int, float, Decimal)) and not cell.parts:
                    values.append(cell.value)
                else:
                    values.append(cell.text)
            rows.append(values)
        rows.extend([[note.text] for note in table.footnotes])
        tables.append(rows)
    return tables


def write_only_xlsx(tables: list[list[list[object]]]) -> bytes:
    workbook = Workbook(write_only=True)
    for number, rows in enumerate(tables, start=1):
        sheet = workbook.create_sheet(f"Tabell {number}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure_pages(args) -> dict:
    client = admin_client()
    board = Board.objects.get(code=args.board)
    year = args.year
    indicator = chosen_indicator(board)
    kwargs = url_kwargs(board, year, indicator)
    results: list[Measurement] = []
    for spec in PAGES:
        result = Measurement(spec.key, spec.label, spec.one_board)
        results.append(result)
        url = resolve(spec, kwargs)
        if url is None:
            result.status = "saknas"
            continue
        result.url = url
        try:
            if spec.method in ("save", "save_all"):
                occasion = ReportingOccasion.objects.get(
                    board=board, year=year, kind=OccasionKind.FULL_YEAR
                )
                if occasion.is_locked:
                    raise RuntimeError(f"{occasion} är låst")
                saver = QuarterSave if spec.method == "save" else QuarterSaveAll
                fn = saver(client, url, board, year)
                fields = len(fn.fields)
                walls, cpus, queries = timed(fn, args.save_runs, 1)
                result.extra = {"fält": fields}
                if spec.method == "save":
                    per_field = -(-queries // fields) if fields else 0
                    result.extra["frågor per fält"] = per_field
                    result.note = f"{fields} fält per körning, ≤ {per_field} frågor per fält"
                else:
                    result.note = f"{fields} fält i en förfrågan"
            else:

                def fn(url=url):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise RuntimeError(f"svarade {response.status_code}")
                    if response.streaming:
                        b"".join(response.streaming_content)
                    return response

                walls, cpus, queries = timed(fn, args.runs, args.warmup)
                result.cold_samples, result.cold_queries = timed_cold(fn, args.runs)
        except Exception as error:  # a page that fails is reported, not hidden
            result.status = f"fel: {type(error).__name__}: {error}"[:200]
            continue
        result.median_ms = statistics.median(walls)
        result.p95_ms = percentile(walls, 0.95)
        result.cpu_median_ms = statistics.median(cpus)
        result.queries = queries
        result.runs = len(walls)
        result.samples = walls
        result.cpu_samples = cpus
    floors = measure_floors(args, board, year, {r.key: r for r in results})
    return {
        "size": args.size,
        "board": board.code,
        "year": year,
        "indicator": indicator.name,
        "database": connection.vendor,
        "counts": synthetic_counts(),
        "pages": [asdict(r) for r in results],
        "floors": floors,
    }


def measure_floors(args, board: Board, year: int, results: dict[str, Measurement]) -> dict:
    """Export time against writing the same cells alone; page time against the template alone."""
    try:
        from reports.renderers.html import body_context, page_context, row_html
        from reports.report import build_report
    except ImportError as error:
        return {"status": f"saknas ({error})"}
    report = build_report(board, year)
    floors: dict[str, dict] = {}
    xlsx = results.get("report_xlsx")
    if xlsx is not None and xlsx.median_ms:
        tables = report_cells(report)
        walls, _, _ = timed(lambda: write_only_xlsx(tables), args.runs, args.warmup)
        floor = statistics.median(walls)
        from reports.renderers.xlsx import render_xlsx

        render_walls, _, _ = timed(lambda: render_xlsx(report), args.runs, args.warmup)
        floors["xlsx"] = {
            "export_ms": xlsx.median_ms,
            "floor_ms": floor,
            "ratio": xlsx.median_ms / floor,
            "cells": sum(len(row) for rows in tables for row in rows),
            "floor_samples": walls,
            "render_samples": render_walls,
            "cold_samples": xlsx.cold_samples,
        }
    html = results.get("report_html")
    if html is not None and html.median_ms:
        request = RequestFactory().get(html.url)
        request.user = get_user_model().objects.get(username=BENCH_ADMIN)
        # The cells already HTML, as the template once received them; timed: what the
        # template's loops did then (each row written, reports.renderers.html.row_html), the
        # body drawn and the page around it.
        body = body_context(report)
        views = {id(view): view for group in body["groups"] for view in group.tables}

        def draw() -> str:
            for view in views.values():
                view.header_html  # noqa: B018 (a property that writes the header rows)
                for row in view.rows:
                    row_html(row.cells, row.classes)
            return render_to_string("reports/report.html", page_context(body), request=request)

        walls, _, _ = timed(
            draw,
            args.runs,
            args.warmup,
        )
        floor = statistics.median(walls)
        floors["html"] = {
            "page_ms": html.median_ms,
            "floor_ms": floor,
            "ratio": html.median_ms / floor,
            "floor_samples": walls,
            "cold_samples": html.cold_samples,
        }
    return floors


# ---------------------------------------------------------------------------------------------
# A save in board A: which built outputs does it throw away?

# The pages a save in board A must rebuild and those it must leave in use, by their group.
SCOPE_GROUPS = {
    "a_year": "Nämnd A, samma år",
    "a_other_year": "Nämnd A, året före",
    "b_year": "Nämnd B, samma år",
    "all_boards": "Alla nämnder",
}
SCOPE_EXPECTED = {
    "a_year": "byggs om",
    "a_other_year": "från cachen",  # unless the page of the year before shows the year saved
    "b_year": "från cachen",
    "all_boards": "byggs om",
}


def expected_state(group: str, spec: PageSpec, page_year: int, saved_year: int) -> str:
    if group == "a_other_year" and spec.window is not None and saved_year in spec.window(page_year):
        return "byggs om"
    return SCOPE_EXPECTED[group]


class SingleSave:
    """One field of the board's open helår, saved as the entry page's script saves it.

    Every call types a figure one step away from the last one, so each save changes the row.
    """

    def __init__(self, client: Client, board: Board, year: int) -> None:
        self.client = client
        self.url = reverse(
            "indicators:entry_save_value",
            kwargs={"board_code": board.code, "year": year, "kind": OccasionKind.FULL_YEAR.value},
        )
        fields = [value for value in quarter_fields(board, year) if value.value is not None]
        if not fields:
            raise SystemExit(f"Nämnden {board.code} har inga sparbara värden {year}.")
        self.value = fields[0]
        self.version = self.value.version
        self.run = 0

    def __call__(self) -> None:
        self.run += 1
        self.version = post_field(self.client, self.url, self.value, self.version, self.run)


def scope_pages(
    board_a: Board, board_b: Board, year: int, keys: set[str] | None = None
) -> list[dict]:
    """(group, page, URL) of every GET page the save may touch (of `keys` when given); pages
    a group cannot tell apart (the indicator page has no year) are listed once, in the first
    group."""
    wanted: list[dict] = []
    seen: set[str] = set()
    groups = (
        ("a_year", board_a, year),
        ("a_other_year", board_a, year - 1),
        ("b_year", board_b, year),
    )
    for group, board, page_year in groups:
        kwargs = url_kwargs(board, page_year, chosen_indicator(board))
        for spec in PAGES:
            if spec.method != "get" or not spec.one_board or (keys and spec.key not in keys):
                continue
            url = resolve(spec, kwargs)
            if url is not None and url not in seen:
                seen.add(url)
                expected = expected_state(group, spec, page_year, year)
                wanted.append(
                    {
                        "group": group,
                        "key": spec.key,
                        "label": spec.label,
                        "url": url,
                        "expected": expected,
                    }
                )
    kwargs = url_kwargs(board_a, year, chosen_indicator(board_a))
    for spec in PAGES:
        if spec.method == "get" and not spec.one_board and (not keys or spec.key in keys):
            url = resolve(spec, kwargs)
            if url is not None:
                wanted.append(
                    {
                        "group": "all_boards",
                        "key": spec.key,
                        "label": spec.label,
                        "url": url,
                        "expected": SCOPE_EXPECTED["all_boards"],
                    }
                )
    return wanted


def measure_save_scope(args) -> dict:
    client = admin_client()
    board_a = Board.objects.get(code=args.board)
    board_b = Board.objects.get(code=args.other_board)
    year = args.year
    save = SingleSave(client, board_a, year)

    def get(url: str) -> tuple[int, float]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            spent = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} svarade {response.status_code}")
        return len(captured), spent

    keys = set(args.pages.split(",")) if args.pages else None
    pages = []
    for page in scope_pages(board_a, board_b, year, keys):
        try:
            cache.clear()
            cold_queries, cold_ms = get(page["url"])
            get(page["url"])
            warm_queries, warm_ms = get(page["url"])
            save()
            after_queries, after_ms = get(page["url"])
        except Exception as error:  # a page that fails is reported, not hidden
            pages.append({**page, "status": f"fel: {type(error).__name__}: {error}"[:200]})
            continue
        if cold_queries == warm_queries:
            state = "ingen cache"  # built on every request: nothing to keep or throw away
        elif after_queries == warm_queries:
            state = "från cachen"
        else:
            state = "byggs om"
        expected = page["expected"]
        pages.append(
            {
                **page,
                "status": "ok",
                "cold_queries": cold_queries,
                "cold_ms": cold_ms,
                "warm_queries": warm_queries,
                "warm_ms": warm_ms,
                "after_queries": after_queries,
                "after_ms": after_ms,
                "state": state,
                "expected": expected,
                "as_expected": state == "ingen cache" or state == expected,
            }
        )
    cache.clear()
    judged = [page for page in pages if page["status"] == "ok" and page["state"] != "ingen cache"]
    return {
        "board_a": board_a.code,
        "board_b": board_b.code,
        "year": year,
        "saved_value": save.value.pk,
        "saves": save.run,
        "groups": SCOPE_GROUPS,
        "pages": pages,
        "met": bool(judged)
        and all(page["as_expected"] for page in judged)
        and all(page["status"] == "ok" for page in pages),
    }


def synthetic_counts() -> dict[str, int]:
    from demo.synthetic import count_synthetic

    return count_synthetic()


# ---------------------------------------------------------------------------------------------
# Load test: users, their fields, and the check afterwards


def prepare_load(args) -> dict:
    from demo.synthetic import synthetic_boards

    boards = list(synthetic_boards().order_by("code"))
    if not boards:
        raise SystemExit("Inga syntetiska nämnder: kör generate_municipality först.")
    year = args.year
    users = []
    per_board: dict[str, list[int]] = {}
    for number in range(1, args.users + 1):
        board = boards[(number - 1) % len(boards)]
        per_board.setdefault(board.code, []).append(number)
    fields_by_board = {board.code: quarter_fields(board, year) for board in boards}
    for number in range(1, args.users + 1):
        board = boards[(number - 1) % len(boards)]
        user, _ = get_user_model().objects.get_or_create(username=LOAD_USER.format(number))
        user.set_unusable_password()
        user.save()
        BoardRole.objects.get_or_create(user=user, role=Role.CONTROLLER, board=board)
        client = Client()
        client.force_login(user)
        mates = per_board[board.code]
        rank = mates.index(number)
        mine = [
            value
            for index, value in enumerate(fields_by_board[board.code])
            if index % len(mates) == rank and value.value is not None
        ]
        kwargs = {"board_code": board.code, "year": year}
        users.append(
            {
                "username": user.username,
                "session": client.cookies["sessionid"].value,
                "board": board.code,
                "dashboard": reverse("reports:board_dashboard", kwargs=kwargs),
                "report": reverse("reports:report", kwargs=kwargs),
                "save": reverse(
                    "indicators:entry_save_value",
                    kwargs={**kwargs, "kind": OccasionKind.FULL_YEAR.value},
                ),
                "fields": [
                    {
                        "value_id": value.pk,
                        "indicator": value.indicator_id,
                        "breakdown": value.breakdown_id,
                        "period_type": value.period_type,
                        "period_number": value.period_number,
                        "version": value.version,
                        "value": str(value.value),
                        "decimals": value.indicator.decimals,
                    }
                    for value in mine
                ],
            }
        )
    return {"year": year, "users": users}


def check_load(args) -> dict:
    """Every accepted save: the row holds the last accepted figure, and history has each one."""
    plan = json.loads(Path(args.plan).read_text())
    accepted = []
    saves_path = Path(args.saves)
    if saves_path.exists():
        accepted = [json.loads(line) for line in saves_path.read_text().splitlines() if line]
    history = IndicatorValue.history.model
    last: dict[int, dict] = {}
    for save in accepted:
        current = last.get(save["value_id"])
        if current is None or save["version"] > current["version"]:
            last[save["value_id"]] = save
    stored = {
        row["pk"]: row
        for row in IndicatorValue.objects.filter(pk__in=list(last)).values("pk", "value", "version")
    }
    lost_rows = [
        value_id
        for value_id, save in last.items()
        if value_id not in stored
        or stored[value_id]["version"] != save["version"]
        or stored[value_id]["value"].normalize() != Decimal(save["value"]).normalize()
    ]

    def key(value_id: int, version: int, value) -> tuple:
        return (value_id, version, None if value is None else Decimal(value).normalize())

    recorded = {
        key(*row)
        for row in history.objects.filter(id__in=list(last)).values_list("id", "version", "value")
    }
    missing_history = [
        save
        for save in accepted
        if key(save["value_id"], save["version"], save["value"]) not in recorded
    ]
    return {
        "accepted": len(accepted),
        "fields": len(last),
        "users": len(plan["users"]),
        "lost_in_database": len(lost_rows),
        "missing_in_history": len(missing_history),
        "lost_updates": len(lost_rows) + len(missing_history),
        "examples": [*lost_rows[:5], *[s["value_id"] for s in missing_history[:5]]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pages = commands.add_parser("pages")
    pages.add_argument("--size", required=True)
    pages.add_argument("--board", default="S01")
    pages.add_argument("--year", type=int, default=2022)
    pages.add_argument("--runs", type=int, default=15)
    pages.add_argument("--warmup", type=int, default=2)
    pages.add_argument("--save-runs", type=int, default=3)
    pages.add_argument("--out", required=True)
    prepare = commands.add_parser("prepare-load")
    prepare.add_argument("--users", type=int, default=50)
    prepare.add_argument("--year", type=int, default=2022)
    prepare.add_argument("--out", required=True)
    check = commands.add_parser("check-load")
    check.add_argument("--plan", required=True)
    check.add_argument("--saves", required=True)
    check.add_argument("--out", required=True)
    scope = commands.add_parser("save-scope")
    scope.add_argument("--board", default="S01")
    scope.add_argument("--other-board", default="S02")
    scope.add_argument("--year", type=int, default=2022)
    scope.add_argument("--pages", default="", help="page keys, comma-separated (every page)")
    scope.add_argument("--out", required=True)
    args = parser.parse_args()
    handler = {
        "pages": measure_pages,
        "prepare-load": prepare_load,
        "check-load": check_load,
        "save-scope": measure_save_scope,
    }
    result = handler[args.command](args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
