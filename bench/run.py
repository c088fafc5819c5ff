"""`make bench`: size S and size L, every page's time and query count, the floors, and a load test.

    .venv/bin/python bench/run.py [--runs 20] [--warmup 2] [--save-runs 3] [--rounds 4]
                                  [--users 50] [--users-high 200] [--duration 60] [--think 3,10]
                                  [--cache redis|locmem] [--db-prefix styrkort_bench]
                                  [--skip-load]

1. PostgreSQL: the server of DATABASE_URL when it is set, otherwise a throw-away cluster
   (initdb into a temporary directory, as the postgres user when run as root, ICU sv-SE, on
   127.0.0.1 and a spare port; stopped and removed at the end).
2. Two databases, <prefix>_s and <prefix>_l (dropped and recreated; the prefix is
   styrkort_bench unless --db-prefix or BENCH_DB_PREFIX names another): migrate,
   `load_demo --no-users` (the real KF goals), then `generate_municipality` with
   `--boards 1 --years 3` (size S) and `--boards 15 --years 10` (size L), seed 1.
3. Every page measured in-process at both sizes (bench/django_side.py pages), with DEBUG off;
   then, at L, what a save in board S01 rebuilds (bench/django_side.py save-scope).
4. Load (size L): gunicorn with one worker per core on 127.0.0.1, DEBUG off, sharing a
   throw-away redis-server (CACHE_URL) when one is installed, and locust headless with 50
   users for 60 s, then 200 users for 60 s, mixing dashboards, reports and entry saves
   (bench/locustfile.py); after each run the lost-update check and every worker's RSS.
5. Issue 17's goal table and the Markdown tables are printed and written to
   var/bench/latest.md; the last line printed is `SUMMARY growth_max=… … worker_rss_max_mb=…`
   (README, "Benchmark", lists every field).
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
LOGS = OUT / "logs"
PYTHON = sys.executable
SIZES = {"S": {"boards": 1, "years": 3}, "L": {"boards": 15, "years": 10}}
DB_PREFIX = "styrkort_bench"
SEED = 1
YEAR = 2022
BOARD = "S01"
OTHER_BOARD = "S02"  # board B of "a save in board A" (size L)
GROWTH_GOAL = 1.3
FLOOR_GOAL = 1.5
# Issue 17's goals (README, "Benchmark").
COLD_FLOOR_GOAL = 2.0
DASHBOARD_COLD_GOAL_MS = 50.0
OVERVIEW_COLD_GOAL_MS = 100.0
ALL_XLSX_COLD_GOAL_MS = 1000.0
LOAD_P95_GOAL_MS = 200.0
WORKER_RSS_GOAL_MB = 300.0
LOAD_AT_START: tuple[float, float, float] = (0.0, 0.0, 0.0)
GOAL_TABLE_MARK = "<!-- goal table -->"  # replaced by the goal table once every row is known


def database_name(size: str) -> str:
    return f"{DB_PREFIX}_{size.lower()}"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(command: list[str], *, env: dict[str, str], log: str, timeout: int = 1800) -> str:
    """Run a command, keep its output in var/bench/logs/<log>.log, fail loudly with its tail."""
    LOGS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    (LOGS / f"{log}.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-25:])
        raise SystemExit(f"bench: {' '.join(command[:4])} … misslyckades:\n{tail}")
    return result.stdout


def free_port(preferred: int | None = None) -> int:
    for port in [preferred] if preferred else []:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SystemExit(
        "bench: PostgreSQL saknas. Installera servern (apt-get install postgresql) "
        "eller ange DATABASE_URL till en server där databaser får skapas."
    )


@contextmanager
def postgres_server():
    """Yield a server URL (no database name): DATABASE_URL's server, or a throw-away cluster."""
    given = os.environ.get("DATABASE_URL", "")
    if given:
        parts = urlsplit(given)
        if not parts.scheme.startswith("postgres"):
            raise SystemExit("bench: DATABASE_URL måste peka på PostgreSQL.")
        say(f"använder PostgreSQL-servern i DATABASE_URL ({parts.hostname}:{parts.port})")
        yield urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        return
    pg_bin = _pg_bin()
    port = free_port(int(os.environ.get("BENCH_PGPORT", "55433")))
    data = Path(tempfile.mkdtemp(prefix="styrkort-bench-pg."))
    as_root = os.geteuid() == 0

    def pg(command: str) -> None:
        full = ["su", "postgres", "-c", command] if as_root else ["bash", "-c", command]
        subprocess.run(full, check=True, capture_output=True, text=True)

    if as_root:
        shutil.chown(data, "postgres")
    say(f"startar ett tillfälligt PostgreSQL-kluster på port {port} ({pg_bin})")
    try:
        pg(
            f"{pg_bin}/initdb -D {data}/db -E UTF8 --locale=C.UTF-8 --locale-provider=icu "
            f"--icu-locale=sv-SE -A trust -U postgres"
        )
        pg(
            f"{pg_bin}/pg_ctl -D {data}/db -l {data}/server.log -w start -o "
            f"'-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200'"
        )
    except subprocess.CalledProcessError as error:
        shutil.rmtree(data, ignore_errors=True)
        raise SystemExit(f"bench: kunde inte starta PostgreSQL: {error.stderr or error}") from None
    try:
        yield f"postgres://postgres@127.0.0.1:{port}"
    finally:
        with suppress(subprocess.CalledProcessError):
            pg(f"{pg_bin}/pg_ctl -D {data}/db -m fast -w stop")
        shutil.rmtree(data, ignore_errors=True)


def recreate_database(server: str, name: str) -> str:
    import psycopg

    parts = urlsplit(server)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


# ---------------------------------------------------------------------------------------------
# Steps


def django_env(database_url: str) -> dict[str, str]:
    """Production-like settings: DEBUG off, a throw-away secret, plain HTTP on 127.0.0.1."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SECURE_HSTS_SECONDS": "0",
            "AXES_ENABLED": "false",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # Its own collectstatic output (the manifest DEBUG off needs), apart from var/static.
            "STATIC_ROOT": str(OUT / "static"),
        }
    )
    env.pop("STYRKORT_TESTING", None)
    # The in-process measurements use the settings' own cache; the load chooses (--cache).
    env.pop("CACHE_URL", None)
    # In-process timings measure the request alone: a background rebuild after a save would
    # compete with them and make a rebuilt page look served from cache. The load keeps it on.
    env["STYRKORT_WARM_AFTER_WRITE"] = "false"
    return env


def prepare_size(server: str, size: str) -> dict:
    url = recreate_database(server, database_name(size))
    env = django_env(url)
    manage = [PYTHON, "manage.py"]
    started = time.perf_counter()
    run([*manage, "migrate", "--noinput"], env=env, log=f"migrate-{size}")
    run([*manage, "load_demo", "--no-users"], env=env, log=f"load_demo-{size}")
    setup = time.perf_counter() - started
    spec = SIZES[size]
    started = time.perf_counter()
    output = run(
        [
            *manage,
            "generate_municipality",
            "--boards",
            str(spec["boards"]),
            "--years",
            str(spec["years"]),
            "--seed",
            str(SEED),
            "--last-year",
            str(YEAR),
        ],
        env=env,
        log=f"generate-{size}",
    )
    generate = time.perf_counter() - started
    say(f"storlek {size}: {output.strip().splitlines()[0]} (kommandot totalt {generate:.1f} s)")
    return {"url": url, "env": env, "setup_s": setup, "generate_s": generate, "output": output}


def measure_pages(size: str, env: dict[str, str], args, round_: int) -> dict:
    out = OUT / f"pages-{size}-{round_}.json"
    share = -(-args.runs // args.rounds)
    save_share = -(-args.save_runs // args.rounds)
    run(
        [
            PYTHON,
            "bench/django_side.py",
            "pages",
            "--size",
            size,
            "--board",
            BOARD,
            "--year",
            str(YEAR),
            "--runs",
            str(share),
            "--warmup",
            str(args.warmup),
            "--save-runs",
            str(save_share),
            "--out",
            str(out),
        ],
        env=env,
        log=f"pages-{size}-{round_}",
        timeout=3600,
    )
    return json.loads(out.read_text())


def measure_all(sizes: dict, args) -> dict:
    """S and L in alternating rounds (S L, L S, …) so a busy spell hits both sizes alike."""
    rounds: dict[str, list[dict]] = {size: [] for size in SIZES}
    for round_ in range(args.rounds):
        order = list(SIZES) if round_ % 2 == 0 else list(reversed(SIZES))
        for size in order:
            say(f"mäter sidorna vid storlek {size} (omgång {round_ + 1} av {args.rounds})")
            rounds[size].append(measure_pages(size, sizes[size]["env"], args, round_))
    return {size: merge_rounds(results) for size, results in rounds.items()}


def merge_rounds(results: list[dict]) -> dict:
    """One result per size: the samples of every round together, medians and p95 over them."""
    merged = dict(results[0])
    pages = []
    for index, first in enumerate(results[0]["pages"]):
        items = [result["pages"][index] for result in results]
        page = dict(first)
        failed = next((item for item in items if item["status"] != "ok"), None)
        if failed is not None:
            page.update(status=failed["status"], median_ms=None, p95_ms=None, queries=None)
            pages.append(page)
            continue
        walls = [sample for item in items for sample in item["samples"]]
        cpus = [sample for item in items for sample in item["cpu_samples"]]
        colds = [sample for item in items for sample in item.get("cold_samples", [])]
        counts = {item["queries"] for item in items}
        page.update(
            samples=walls,
            cpu_samples=cpus,
            runs=len(walls),
            median_ms=statistics.median(walls),
            p95_ms=percentile(walls, 0.95),
            cpu_median_ms=statistics.median(cpus),
            queries=max(counts),
            cold_median_ms=statistics.median(colds) if colds else None,
            cold_queries=max((item.get("cold_queries") or 0) for item in items) or None,
        )
        if len(counts) > 1:
            page["note"] = (page["note"] + "; " if page["note"] else "") + (
                "frågor varierar mellan omgångarna: " + "/".join(map(str, sorted(counts)))
            )
        pages.append(page)
    merged["pages"] = pages
    by_key = {page["key"]: page for page in pages}
    floors = {}
    for key, page_key, spent in (
        ("xlsx", "report_xlsx", "export_ms"),
        ("html", "report_html", "page_ms"),
    ):
        parts = [result.get("floors", {}).get(key) for result in results]
        if not all(parts) or by_key[page_key]["median_ms"] is None:
            continue
        floor = statistics.median([s for part in parts for s in part["floor_samples"]])
        colds = [s for part in parts for s in part.get("cold_samples", [])]
        renders = [s for part in parts for s in part.get("render_samples", [])]
        floors[key] = {
            **parts[0],
            spent: by_key[page_key]["median_ms"],
            "floor_ms": floor,
            "ratio": by_key[page_key]["median_ms"] / floor,
            "cold_ms": statistics.median(colds) if colds else None,
            "cold_ratio": statistics.median(colds) / floor if colds else None,
            "render_ms": statistics.median(renders) if renders else None,
            "render_ratio": statistics.median(renders) / floor if renders else None,
        }
    merged["floors"] = floors
    return merged


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def measure_save_scope(env: dict[str, str]) -> dict:
    """At L: which pages a save in board A rebuilds (bench/django_side.py save-scope)."""
    out = OUT / "save-scope.json"
    run(
        [
            PYTHON,
            "bench/django_side.py",
            "save-scope",
            "--board",
            BOARD,
            "--other-board",
            OTHER_BOARD,
            "--year",
            str(YEAR),
            "--out",
            str(out),
        ],
        env=env,
        log="save-scope",
        timeout=3600,
    )
    return json.loads(out.read_text())


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status < 500:
                return
        time.sleep(0.3)
    raise SystemExit(f"bench: gunicorn svarade inte på {url}")


def choose_cache(wanted: str | None) -> str:
    """redis when redis-server is installed (or asked for), otherwise locmem."""
    if wanted == "redis" and not shutil.which("redis-server"):
        raise SystemExit(
            "bench: --cache redis men redis-server saknas (apt-get install redis-server)."
        )
    if wanted:
        return wanted
    return "redis" if shutil.which("redis-server") else "locmem"


@contextmanager
def cache_server(kind: str):
    """Yield the CACHE_URL for gunicorn: a throw-away redis-server on loopback, or None."""
    if kind != "redis":
        yield None
        return
    port = free_port()
    log = (LOGS / "redis.log").open("w")
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            tempfile.gettempdir(),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: redis-server startade inte (var/bench/logs/redis.log)")
            time.sleep(0.1)
        say(f"cache: redis-server på 127.0.0.1:{port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)
        log.close()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_rss(master: int) -> dict[int, float]:
    """MB of resident memory (VmRSS) of every child process of the gunicorn master."""
    children: list[int] = []
    with suppress(OSError):
        for task in Path(f"/proc/{master}/task").iterdir():
            with suppress(OSError):
                children += [int(pid) for pid in (task / "children").read_text().split()]
    if not children:  # kernels without /proc/<pid>/task/<tid>/children
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError, ValueError, IndexError):
                # The name in parentheses may hold spaces: the fields after its ")" are fixed.
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                    children.append(int(stat.parent.name))
    rss: dict[int, float] = {}
    for pid in sorted(set(children)):
        with suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = int(line.split()[1]) / 1024
    return rss


def load_test(env: dict[str, str], args) -> dict:
    """One gunicorn for every run: 50 users, then --users-high; memory after each run."""
    workers = os.cpu_count() or 2
    port = free_port()
    venv_bin = Path(PYTHON).parent
    kind = choose_cache(args.cache)
    runs = []
    with cache_server(kind) as cache_url:
        server_env = {**env, "STYRKORT_WARM_AFTER_WRITE": "true"}
        if cache_url:
            server_env["CACHE_URL"] = cache_url
        say(f"last: cachen är {kind}" + (f" (CACHE_URL={cache_url})" if cache_url else ""))
        gunicorn_log = (LOGS / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [
                str(venv_bin / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=server_env,
            stdout=gunicorn_log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/logga-in/", 60)
            for users in [args.users, args.users_high] if args.users_high else [args.users]:
                started = time.perf_counter()
                say(
                    f"last: {users} användare i {args.duration} s mot gunicorn med {workers} "
                    f"arbetare på 127.0.0.1:{port}"
                )
                result = load_run(env, args, users, port)
                result["rss_mb"] = worker_rss(server.pid)
                result["wall_s"] = time.perf_counter() - started
                say(
                    "last: arbetarnas minne efter körningen "
                    + ", ".join(f"{pid}: {mb:.0f} MB" for pid, mb in result["rss_mb"].items())
                )
                runs.append(result)
        finally:
            stop(server)
            gunicorn_log.close()
    return {
        "workers": workers,
        "duration_s": args.duration,
        "think": args.think,
        "cache": kind,
        "runs": runs,
    }


def load_run(env: dict[str, str], args, users: int, port: int) -> dict:
    """One locust run of `users` against the running gunicorn, then its lost-update check.

    Each run gets its own plan (read after the run before, so the versions are current) and
    its own files: load-<users>-plan.json, load-<users>_stats.csv, load-<users>-check.json.
    """
    plan = OUT / f"load-{users}-plan.json"
    saves = OUT / f"load-{users}-saves.jsonl"
    saves.unlink(missing_ok=True)
    run(
        [
            PYTHON,
            "bench/django_side.py",
            "prepare-load",
            "--users",
            str(users),
            "--year",
            str(YEAR),
            "--out",
            str(plan),
        ],
        env=env,
        log=f"prepare-load-{users}",
    )
    locust_env = {
        **env,
        "BENCH_PLAN": str(plan),
        "BENCH_SAVES": str(saves),
        "BENCH_THINK": args.think,
    }
    prefix = OUT / f"load-{users}"
    run(
        [
            str(Path(PYTHON).parent / "locust"),
            "-f",
            "bench/locustfile.py",
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),  # every user started within five seconds
            "--run-time",
            f"{args.duration}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        env=locust_env,
        log=f"locust-{users}",
        timeout=args.duration + 300,
    )
    check = OUT / f"load-{users}-check.json"
    run(
        [
            PYTHON,
            "bench/django_side.py",
            "check-load",
            "--plan",
            str(plan),
            "--saves",
            str(saves),
            "--out",
            str(check),
        ],
        env=env,
        log=f"check-load-{users}",
    )
    with Path(f"{prefix}_stats.csv").open(newline="", encoding="utf-8") as handle:
        stats = list(csv.DictReader(handle))
    aggregated = next((row for row in stats if row["Name"] == "Aggregated"), None)
    checked = json.loads(check.read_text())
    return {
        "users": users,
        "stats": stats,
        "check": checked,
        "p95_ms": number(aggregated["95%"]) if aggregated else None,
        "errors": int(aggregated["Failure Count"]) if aggregated else None,
        "lost_updates": checked["lost_updates"],
    }


# ---------------------------------------------------------------------------------------------
# The report


def fmt(value, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"


def number(text: str) -> float | None:
    """A locust CSV figure; "N/A" (no requests of that kind) is None."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def page_of(pages: dict, size: str, key: str) -> dict | None:
    page = next((p for p in pages[size]["pages"] if p["key"] == key), None)
    return page if page is not None and page["status"] == "ok" else None


def cold_of(pages: dict, key: str) -> dict:
    """The cold figures of one page: median ms at L, query counts at S and L, and whether the
    counts are the same (S has one board, L fifteen: the same count is flat in boards)."""
    small, large = page_of(pages, "S", key), page_of(pages, "L", key)
    queries_s = small.get("cold_queries") if small else None
    queries_l = large.get("cold_queries") if large else None
    return {
        "ms": large.get("cold_median_ms") if large else None,
        "queries_s": queries_s,
        "queries_l": queries_l,
        "flat": queries_s is not None and queries_s == queries_l,
    }


def verdict(met: bool | None) -> str:
    return "ej mätt" if met is None else ("uppfyllt" if met else "EJ uppfyllt")


def scope_judgement(scope: dict | None) -> dict:
    """Counts of "a save in board A": pages that had to stay warm and did, had to be rebuilt
    and were, and those without a cache (built on every request, not judged)."""
    if scope is None:
        return {"met": None, "text": "inte mätt"}
    ok = [page for page in scope["pages"] if page["status"] == "ok"]
    failed = [page for page in scope["pages"] if page["status"] != "ok"]
    judged = [page for page in ok if page["state"] != "ingen cache"]
    keep = [page for page in judged if page["expected"] == "från cachen"]
    rebuild = [page for page in judged if page["expected"] == "byggs om"]
    kept = sum(page["state"] == "från cachen" for page in keep)
    rebuilt = sum(page["state"] == "byggs om" for page in rebuild)
    text = (
        f"B och A året före (utom planerna, som visar året) från cachen: {kept} av {len(keep)}; "
        f"A samma år, A:s planer året före och alla nämnder ombyggda: {rebuilt} av {len(rebuild)}"
    )
    if failed:
        text += f"; {len(failed)} sidor fallerade"
    return {"met": scope["met"], "text": text}


def judge_growth(
    small: dict, large: dict, time_key: str, queries_key: str, ratios: list, query_changes: list
) -> tuple[float, str]:
    """L/S for one page and its mark; one-board pages add to `ratios` and to `query_changes`
    when their query counts differ (pages of all boards read per board by design)."""
    ratio = large[time_key] / small[time_key]
    if not small["one_board"]:
        return ratio, " (alla nämnder, inget tillväxtmål)"
    ratios.append(ratio)
    if small[queries_key] != large[queries_key]:
        kind = " (kall)" if time_key.startswith("cold") else ""
        query_changes.append(f"{small['label']}{kind}: {small[queries_key]} → {large[queries_key]}")
    return ratio, "" if ratio <= GROWTH_GOAL else " ⚠"


def compose(
    sizes: dict,
    pages: dict,
    scope: dict | None,
    load: dict | None,
    stages: dict[str, float],
    started: float,
    args,
) -> tuple[str, str]:
    def runs(key: str) -> str:
        page = next((p for p in pages["S"]["pages"] if p["key"] == key), None)
        return str(page["runs"]) if page and page["runs"] else "–"

    load_at_end = os.getloadavg()
    lines = [
        "# Styrkort benchmark",
        "",
        f"Körd {time.strftime('%Y-%m-%d %H:%M')} på {os.cpu_count()} kärnor (belastning "
        f"{LOAD_AT_START[0]:.1f} vid start, {load_at_end[0]:.1f} vid slut), PostgreSQL, "
        f"DEBUG av. S = `generate_municipality --boards 1 --years 3`, "
        f"L = `--boards 15 --years 10` (frö {SEED}); sidorna visar nämnden {BOARD} år {YEAR}. "
        f"Väggklocktid i ms, median och p95 över {runs('dashboard')} körningar efter "
        f"uppvärmning, i {args.rounds} omgångar där S och L turas om (sparandet av ett kvartal: "
        f"{runs('entry_save')} körningar). "
        "Tillväxt CPU är Django-processens CPU-tid vid L / vid S: den påverkas knappt av annat "
        "som körs på maskinen (men PostgreSQL:s tid ingår inte). Sidorna återanvänder det de "
        "byggt tills data ändras (reports.freshness): tabellen Sidor är upprepade visningar, "
        "tabellen Kalla sidor samma sidor med cachen tömd före varje körning, alltså det den "
        "första besökaren efter en ändring väntar på.",
        "",
        GOAL_TABLE_MARK,
        "",
        "## Sidor",
        "",
        "| Sida | S median | S p95 | S frågor | L median | L p95 | L frågor | Tillväxt L/S "
        "| Tillväxt CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    growth: list[float] = []
    query_changes: list[str] = []
    missing: list[str] = []
    failed: list[str] = []
    for small, large in zip(pages["S"]["pages"], pages["L"]["pages"], strict=True):
        label = small["label"]
        if small["status"] != "ok" or large["status"] != "ok":
            status = small["status"] if small["status"] != "ok" else large["status"]
            (missing if status == "saknas" else failed).append(f"{label}: {status}")
            lines.append(f"| {label} | {status} | | | | | | | |")
            continue
        ratio, mark = judge_growth(small, large, "median_ms", "queries", growth, query_changes)
        note = f" ({small['note']})" if small["note"] else ""
        lines.append(
            f"| {label}{note} | {fmt(small['median_ms'])} | {fmt(small['p95_ms'])} | "
            f"{small['queries']} | {fmt(large['median_ms'])} | {fmt(large['p95_ms'])} | "
            f"{large['queries']} | {ratio:.2f}{mark} | "
            f"{large['cpu_median_ms'] / small['cpu_median_ms']:.2f} |"
        )
    cold_growth: list[float] = []
    lines += [
        "",
        "## Kalla sidor (cachen tömd före varje körning)",
        "",
        "| Sida | S median | S frågor | L median | L frågor | Tillväxt L/S |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for small, large in zip(pages["S"]["pages"], pages["L"]["pages"], strict=True):
        if not small.get("cold_median_ms") or not large.get("cold_median_ms"):
            continue
        ratio, mark = judge_growth(
            small, large, "cold_median_ms", "cold_queries", cold_growth, query_changes
        )
        lines.append(
            f"| {small['label']} | {fmt(small['cold_median_ms'])} | {small['cold_queries']} | "
            f"{fmt(large['cold_median_ms'])} | {large['cold_queries']} | {ratio:.2f}{mark} |"
        )
    floors: list[float] = []
    cold_floors: list[float] = []
    lines += [
        "",
        "## Golv (storlek L)",
        "",
        "| Utdata | Tid | Golv | Kvot |",
        "|---|---:|---:|---:|",
    ]
    floor_data = pages["L"].get("floors", {})
    for key, label, golv in (
        ("xlsx", ".xlsx, en nämnd", "samma celler med openpyxl write-only"),
        ("html", "Verksamhetsberättelse HTML", "mallen med färdigberäknade tabeller"),
    ):
        item = floor_data.get(key)
        if not item:
            lines.append(f"| {label} | saknas | | |")
            continue
        floors.append(item["ratio"])
        spent = item.get("export_ms") or item.get("page_ms")
        lines.append(
            f"| {label} (golv: {golv}) | {fmt(spent)} | {fmt(item['floor_ms'])} | "
            f"{item['ratio']:.2f}{'' if item['ratio'] <= FLOOR_GOAL else ' ⚠'} |"
        )
        if item.get("cold_ratio") is not None:
            cold_floors.append(item["cold_ratio"])
            lines.append(
                f"| {label}, kall (rapporten byggs ur databasen) | {fmt(item['cold_ms'])} | "
                f"{fmt(item['floor_ms'])} | {item['cold_ratio']:.2f} |"
            )
        if item.get("render_ratio") is not None:
            lines.append(
                f"| {label}, enbart render_xlsx ur färdig rapport | {fmt(item['render_ms'])} | "
                f"{fmt(item['floor_ms'])} | {item['render_ratio']:.2f} |"
            )
    if scope is not None:
        lines += [
            "",
            f"## Ett sparande i nämnd A (storlek L: A = {scope['board_a']}, "
            f"B = {scope['board_b']}, år {scope['year']})",
            "",
            "Varje sida byggs med cachen tömd (kall), visas två gånger till (varm), sedan sparas "
            f"ett värde i {scope['board_a']}:s helår {scope['year']} genom inmatningens "
            "endpoint och sidan visas igen. Samma antal frågor som den varma visningen: från "
            "cachen; fler: byggdes om. En sida utan cache (lika många frågor kall som varm) "
            "bedöms inte.",
            "",
            "| Grupp | Sida | Kall frågor | Kall ms | Varm frågor | Varm ms | Efter frågor "
            "| Efter ms | Blev | Ska |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for page in scope["pages"]:
            group = scope["groups"][page["group"]]
            if page["status"] != "ok":
                lines.append(f"| {group} | {page['label']} | {page['status']} | | | | | | | |")
                continue
            mark = "" if page["as_expected"] else " ⚠"
            lines.append(
                f"| {group} | {page['label']} | {page['cold_queries']} | {fmt(page['cold_ms'])} | "
                f"{page['warm_queries']} | {fmt(page['warm_ms'])} | {page['after_queries']} | "
                f"{fmt(page['after_ms'])} | {page['state']}{mark} | {page['expected']} |"
            )
    load_runs = load["runs"] if load is not None else []
    for load_run_ in load_runs:
        lines += [
            "",
            f"## Last (storlek L, gunicorn {load['workers']} arbetare, {load_run_['users']} "
            f"användare, {load['duration_s']} s, betänketid {load['think']} s, "
            f"cache {load['cache']})",
            "",
            "| Begäran | Antal | Fel | Begäran/s | p50 | p95 | p99 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in load_run_["stats"]:
            name = "Totalt" if row["Name"] == "Aggregated" else row["Name"]
            lines.append(
                f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
                f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
            )
        check = load_run_["check"]
        rss = load_run_["rss_mb"]
        lines += [
            "",
            f"Sparanden som besvarades som sparade: {check['accepted']} ({check['fields']} fält); "
            f"saknas i databasen: {check['lost_in_database']}, saknas i ändringshistoriken: "
            f"{check['missing_in_history']}. Arbetarnas minne (VmRSS) efter körningen: "
            + (", ".join(f"pid {pid} {mb:.0f} MB" for pid, mb in rss.items()) or "okänt")
            + ".",
        ]
    first = load_runs[0] if load_runs else None
    high = load_runs[1] if len(load_runs) > 1 else None
    p95 = first["p95_ms"] if first else None
    errors = first["errors"] if first else None
    lost = first["lost_updates"] if first else None
    rss_all = [mb for item in load_runs for mb in item["rss_mb"].values()]
    rss_max = max(rss_all) if rss_all else None
    lines += ["", "## Data", "", "| | S | L |", "|---|---:|---:|"]
    for key in pages["L"]["counts"]:
        lines.append(f"| {key} | {pages['S']['counts'].get(key)} | {pages['L']['counts'][key]} |")
    lines.append(
        f"| generate_municipality, s | {sizes['S']['generate_s']:.1f} | "
        f"{sizes['L']['generate_s']:.1f} |"
    )
    growth_max = max(growth) if growth else None
    cold_max = max(cold_growth) if cold_growth else None
    floor_max = max(floors) if floors else None
    floor_cold_max = max(cold_floors) if cold_floors else None
    lines += ["", "## Mål", ""]
    lines.append(
        f"- Tillväxt ≤ {GROWTH_GOAL} för sidor som visar en nämnd: största {fmt(growth_max, 2)} — "
        f"{'uppfyllt' if growth_max is not None and growth_max <= GROWTH_GOAL else 'EJ uppfyllt'}."
    )
    lines.append(
        f"- Kall tillväxt (allt byggs om): största {fmt(cold_max, 2)} — "
        f"{'inom' if cold_max is not None and cold_max <= GROWTH_GOAL else 'över'} målet "
        f"{GROWTH_GOAL}."
    )
    lines.append(
        "- Samma antal frågor vid S och L för sidor som visar en nämnd: "
        + ("uppfyllt." if not query_changes else "EJ uppfyllt: " + "; ".join(query_changes) + ".")
    )
    lines.append(
        f"- Golv ≤ {FLOOR_GOAL}: största {fmt(floor_max, 2)} — "
        f"{'uppfyllt' if floor_max is not None and floor_max <= FLOOR_GOAL else 'EJ uppfyllt'}."
    )
    for item in load_runs:
        lines.append(
            f"- Last med {item['users']} användare: fel {item['errors']} (mål 0), förlorade "
            f"uppdateringar {item['lost_updates']} (mål 0)."
        )
    if load is None:
        lines.append("- Last: inte körd (--skip-load).")
    if missing:
        lines.append("- Sidor som saknas ännu: " + "; ".join(missing) + ".")
    if failed:
        lines.append("- Sidor som fallerade: " + "; ".join(failed) + ".")
    total = time.perf_counter() - started
    lines.append(f"- Hela körningen tog {total:.0f} s.")
    lines += ["", "## Tid per steg", "", "| Steg | s |", "|---|---:|"]
    lines += [f"| {stage} | {spent:.0f} |" for stage, spent in stages.items()]

    # Issue 17's goals, each measured in this run.
    html_floor = floor_data.get("html") or {}
    xlsx_floor = floor_data.get("xlsx") or {}
    dashboard = cold_of(pages, "dashboard")
    overview = cold_of(pages, "overview")
    all_xlsx = cold_of(pages, "report_xlsx_all")
    save_a = scope_judgement(scope)

    def at_most(value: float | None, goal: float) -> bool | None:
        return None if value is None else value <= goal

    def floor_text(item: dict) -> str:
        if item.get("cold_ratio") is None:
            return "inte mätt"
        return (
            f"{item['cold_ratio']:.2f}× golvet ({fmt(item['cold_ms'])} ms mot "
            f"{fmt(item['floor_ms'])} ms)"
        )

    def cold_text(item: dict, *, seconds: bool = False) -> str:
        if item["ms"] is None:
            return "inte mätt"
        spent = f"{item['ms'] / 1000:.2f} s" if seconds else f"{item['ms']:.1f} ms"
        return f"{spent}; frågor S {item['queries_s']} / L {item['queries_l']}"

    def load_text(item: dict | None) -> str:
        if item is None:
            return "inte körd"
        return (
            f"p95 {fmt(item['p95_ms'], 0)} ms, fel {item['errors']}, förlorade "
            f"{item['lost_updates']}"
        )

    def all_zero(item: dict | None) -> bool | None:
        return None if item is None else item["errors"] == 0 and item["lost_updates"] == 0

    growth_met = (
        None
        if growth_max is None or cold_max is None
        else growth_max <= GROWTH_GOAL and cold_max <= GROWTH_GOAL and not query_changes
    )
    rss_text = (
        "inte mätt"
        if rss_max is None
        else f"största {rss_max:.0f} MB ("
        + "; ".join(
            f"{item['users']} anv.: " + ", ".join(f"{mb:.0f}" for mb in item["rss_mb"].values())
            for item in load_runs
        )
        + " MB)"
    )
    goal_rows = [
        (
            "Verksamhetsberättelsen, kall",
            floor_text(html_floor),
            f"≤ {COLD_FLOOR_GOAL:g}× golvet",
            at_most(html_floor.get("cold_ratio"), COLD_FLOOR_GOAL),
        ),
        (
            ".xlsx för en nämnd, kall",
            floor_text(xlsx_floor),
            f"≤ {COLD_FLOOR_GOAL:g}× golvet",
            at_most(xlsx_floor.get("cold_ratio"), COLD_FLOOR_GOAL),
        ),
        (
            "Nämndens dashboard, kall",
            "inte mätt" if dashboard["ms"] is None else f"{dashboard['ms']:.1f} ms",
            f"≤ {DASHBOARD_COLD_GOAL_MS:g} ms",
            at_most(dashboard["ms"], DASHBOARD_COLD_GOAL_MS),
        ),
        (
            "Kommunöversikten, kall",
            cold_text(overview),
            f"≤ {OVERVIEW_COLD_GOAL_MS:g} ms, frågor oberoende av antalet nämnder",
            None
            if overview["ms"] is None
            else overview["ms"] <= OVERVIEW_COLD_GOAL_MS and overview["flat"],
        ),
        (
            ".xlsx för alla nämnder, kall",
            cold_text(all_xlsx, seconds=True),
            f"≤ {ALL_XLSX_COLD_GOAL_MS / 1000:g} s, frågor oberoende av antalet nämnder",
            None
            if all_xlsx["ms"] is None
            else all_xlsx["ms"] <= ALL_XLSX_COLD_GOAL_MS and all_xlsx["flat"],
        ),
        (
            "Ett sparande i nämnd A",
            save_a["text"],
            "bygger om bara det som visar A:s data det året",
            save_a["met"],
        ),
        (
            "Tillväxt S → L för sidor som visar en nämnd, varm och kall",
            f"{fmt(growth_max, 2)} / {fmt(cold_max, 2)}"
            + ("" if not query_changes else f"; frågorna skiljer: {len(query_changes)} sidor"),
            f"≤ {GROWTH_GOAL}, samma antal frågor",
            growth_met,
        ),
        (
            f"Last, {args.users} användare, {args.duration} s",
            load_text(first),
            f"p95 ≤ {LOAD_P95_GOAL_MS:g} ms, 0 fel, 0 förlorade uppdateringar",
            None
            if first is None or first["p95_ms"] is None
            else first["p95_ms"] <= LOAD_P95_GOAL_MS and bool(all_zero(first)),
        ),
        (
            f"Last, {args.users_high} användare, {args.duration} s",
            load_text(high),
            "0 fel, 0 förlorade uppdateringar, p95 redovisas",
            all_zero(high),
        ),
        (
            "Minne per gunicorn-arbetare efter lasten",
            rss_text,
            f"redovisas; ≤ {WORKER_RSS_GOAL_MB:g} MB RSS",
            at_most(rss_max, WORKER_RSS_GOAL_MB),
        ),
    ]
    goal_table = [
        "## Målen i issue 17 (storlek L, i denna körning)",
        "",
        f"Belastning (1, 5, 15 min) vid start {' / '.join(f'{v:.2f}' for v in LOAD_AT_START)}, "
        f"vid slut {' / '.join(f'{v:.2f}' for v in load_at_end)}. Kall = cachen tömd före "
        "varje körning; golvet som i tabellen Golv.",
        "",
        "| Vad | Mätt | Mål | Uppfyllt |",
        "|---|---|---|---|",
        *[
            f"| {what} | {measured} | {goal} | {verdict(met)} |"
            for what, measured, goal, met in goal_rows
        ],
    ]
    lines[lines.index(GOAL_TABLE_MARK)] = "\n".join(goal_table)

    def whole(value) -> str:
        return "–" if value is None else str(value)

    summary = (
        f"SUMMARY growth_max={fmt(growth_max, 2)} growth_cold_max={fmt(cold_max, 2)} "
        f"floor_max={fmt(floor_max, 2)} floor_cold_max={fmt(floor_cold_max, 2)} "
        f"load_p95_ms={fmt(p95, 0)} errors={whole(errors)} lost_updates={whole(lost)} "
        f"report_cold_ratio={fmt(html_floor.get('cold_ratio'), 2)} "
        f"xlsx_cold_ratio={fmt(xlsx_floor.get('cold_ratio'), 2)} "
        f"dashboard_cold_ms={fmt(dashboard['ms'], 0)} overview_cold_ms={fmt(overview['ms'], 0)} "
        f"overview_queries_s={whole(overview['queries_s'])} "
        f"overview_queries_l={whole(overview['queries_l'])} "
        f"all_xlsx_cold_ms={fmt(all_xlsx['ms'], 0)} "
        f"all_xlsx_queries_s={whole(all_xlsx['queries_s'])} "
        f"all_xlsx_queries_l={whole(all_xlsx['queries_l'])} "
        f"save_a_rebuilds_only_a="
        f"{'–' if save_a['met'] is None else ('yes' if save_a['met'] else 'no')} "
        f"load200_p95_ms={fmt(high['p95_ms'] if high else None, 0)} "
        f"load200_errors={whole(high['errors'] if high else None)} "
        f"load200_lost_updates={whole(high['lost_updates'] if high else None)} "
        f"worker_rss_max_mb={fmt(rss_max, 0)}"
    )
    return "\n".join(lines) + "\n", summary


def main() -> None:
    global LOAD_AT_START, DB_PREFIX
    parser = argparse.ArgumentParser(description="Styrkort benchmark (make bench)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (2)")
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternating rounds of S and L the runs share (4)"
    )
    parser.add_argument("--save-runs", type=int, default=3, help="runs of a full quarter save (3)")
    parser.add_argument("--users", type=int, default=50, help="simulated users (50)")
    parser.add_argument(
        "--users-high",
        type=int,
        default=200,
        help="users of the second load run, after the first (200; 0 skips it)",
    )
    parser.add_argument("--duration", type=int, default=60, help="load test seconds (60)")
    parser.add_argument(
        "--think", default="3,10", help="seconds a user waits between requests (3,10)"
    )
    parser.add_argument(
        "--cache",
        choices=["redis", "locmem"],
        default=None,
        help="the load's cache: a throw-away redis-server (default when installed) or locmem",
    )
    parser.add_argument(
        "--db-prefix",
        default=os.environ.get("BENCH_DB_PREFIX", DB_PREFIX),
        help="names of the two databases, <prefix>_s and <prefix>_l (styrkort_bench; "
        "or BENCH_DB_PREFIX); they are dropped and recreated",
    )
    parser.add_argument("--skip-load", action="store_true", help="no load test")
    args = parser.parse_args()
    if not args.db_prefix.replace("_", "").isalnum():
        raise SystemExit("bench: --db-prefix får bara innehålla bokstäver, siffror och _.")
    started = time.perf_counter()
    DB_PREFIX = args.db_prefix
    LOAD_AT_START = os.getloadavg()  # other work on the machine makes every figure slower
    OUT.mkdir(parents=True, exist_ok=True)
    stages: dict[str, float] = {}

    @contextmanager
    def stage(name: str):
        begun = time.perf_counter()
        yield
        stages[name] = time.perf_counter() - begun

    with postgres_server() as server:
        sizes = {}
        for size in SIZES:
            with stage(f"databasen {database_name(size)} (migrate, demo, generate)"):
                sizes[size] = prepare_size(server, size)
        say("collectstatic (DEBUG av behöver manifestet)")
        with stage("collectstatic"):
            run(
                [PYTHON, "manage.py", "collectstatic", "--noinput"],
                env=sizes["L"]["env"],
                log="collectstatic",
            )
        with stage("sidorna, S och L"):
            pages = measure_all(sizes, args)
        say("mäter vad ett sparande i en nämnd bygger om (storlek L)")
        with stage("ett sparande i nämnd A"):
            scope = measure_save_scope(sizes["L"]["env"])
        load = None
        if not args.skip_load:
            with stage("last"):
                load = load_test(sizes["L"]["env"], args)
    markdown, summary = compose(sizes, pages, scope, load, stages, started, args)
    (OUT / "latest.md").write_text(markdown + "\n" + summary + "\n", encoding="utf-8")
    print(markdown)
    print(summary, flush=True)


if __name__ == "__main__":
    main()
