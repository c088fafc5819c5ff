"""`make bench`: size S and size L, every page's time and query count, the floors, and a load test.

    .venv/bin/python bench/run.py [--runs 15] [--warmup 2] [--save-runs 5]
                                  [--users 50] [--duration 60] [--think 1,2] [--skip-load]

1. PostgreSQL: the server of DATABASE_URL when it is set, otherwise a throw-away cluster
   (initdb into a temporary directory, as the postgres user when run as root, ICU sv-SE, on
   127.0.0.1 and a spare port; stopped and removed at the end).
2. Two databases, styrkort_bench_s and styrkort_bench_l (dropped and recreated): migrate,
   `load_demo --no-users` (the real KF goals), then `generate_municipality` with
   `--boards 1 --years 3` (size S) and `--boards 15 --years 10` (size L), seed 1.
3. Every page measured in-process at both sizes (bench/django_side.py pages), with DEBUG off.
4. Load (size L): gunicorn with one worker per core on 127.0.0.1, DEBUG off, and locust headless
   with 50 users for 60 s mixing dashboards, reports and entry saves (bench/locustfile.py);
   then the lost-update check.
5. The Markdown table is printed and written to var/bench/latest.md; the last line printed is
   `SUMMARY growth_max=… growth_cold_max=… floor_max=… floor_cold_max=… load_p95_ms=… errors=…
   lost_updates=…`.
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
DATABASES = {"S": "styrkort_bench_s", "L": "styrkort_bench_l"}
SEED = 1
YEAR = 2022
BOARD = "S01"
GROWTH_GOAL = 1.3
FLOOR_GOAL = 1.5
LOAD_AT_START = 0.0


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
    return env


def prepare_size(server: str, size: str) -> dict:
    url = recreate_database(server, DATABASES[size])
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


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status < 500:
                return
        time.sleep(0.3)
    raise SystemExit(f"bench: gunicorn svarade inte på {url}")


def load_test(env: dict[str, str], args) -> dict:
    plan = OUT / "load-plan.json"
    saves = OUT / "load-saves.jsonl"
    saves.unlink(missing_ok=True)
    run(
        [
            PYTHON,
            "bench/django_side.py",
            "prepare-load",
            "--users",
            str(args.users),
            "--year",
            str(YEAR),
            "--out",
            str(plan),
        ],
        env=env,
        log="prepare-load",
    )
    workers = os.cpu_count() or 2
    port = free_port()
    venv_bin = Path(PYTHON).parent
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
        env=env,
        stdout=gunicorn_log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/logga-in/", 60)
        say(
            f"last: {args.users} användare i {args.duration} s mot gunicorn med {workers} "
            f"arbetare på 127.0.0.1:{port}"
        )
        locust_env = {
            **env,
            "BENCH_PLAN": str(plan),
            "BENCH_SAVES": str(saves),
            "BENCH_THINK": args.think,
        }
        prefix = OUT / "load"
        run(
            [
                str(venv_bin / "locust"),
                "-f",
                "bench/locustfile.py",
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(max(1, args.users // 5)),  # every user started within five seconds
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
            log="locust",
            timeout=args.duration + 300,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        gunicorn_log.close()
    check = OUT / "load-check.json"
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
        log="check-load",
    )
    with (OUT / "load_stats.csv").open(newline="", encoding="utf-8") as handle:
        stats = list(csv.DictReader(handle))
    return {
        "workers": workers,
        "users": args.users,
        "duration_s": args.duration,
        "think": args.think,
        "stats": stats,
        "check": json.loads(check.read_text()),
    }


# ---------------------------------------------------------------------------------------------
# The report


def fmt(value, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"


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


def compose(sizes: dict, pages: dict, load: dict | None, started: float, args) -> tuple[str, str]:
    def runs(key: str) -> str:
        page = next((p for p in pages["S"]["pages"] if p["key"] == key), None)
        return str(page["runs"]) if page and page["runs"] else "–"

    lines = [
        "# Styrkort benchmark",
        "",
        f"Körd {time.strftime('%Y-%m-%d %H:%M')} på {os.cpu_count()} kärnor (belastning "
        f"{LOAD_AT_START:.1f} vid start, {os.getloadavg()[0]:.1f} vid slut), PostgreSQL, "
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
    p95 = None
    errors = None
    lost = None
    if load is not None:
        lines += [
            "",
            f"## Last (storlek L, gunicorn {load['workers']} arbetare, {load['users']} användare, "
            f"{load['duration_s']} s, betänketid {load['think']} s)",
            "",
            "| Begäran | Antal | Fel | Begäran/s | p50 | p95 | p99 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in load["stats"]:
            name = "Totalt" if row["Name"] == "Aggregated" else row["Name"]
            lines.append(
                f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
                f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
            )
            if row["Name"] == "Aggregated":
                p95 = float(row["95%"])
                errors = int(row["Failure Count"])
        check = load["check"]
        lost = check["lost_updates"]
        lines += [
            "",
            f"Sparanden som besvarades som sparade: {check['accepted']} ({check['fields']} fält); "
            f"saknas i databasen: {check['lost_in_database']}, saknas i ändringshistoriken: "
            f"{check['missing_in_history']}.",
        ]
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
    if load is not None:
        lines.append(f"- Last: fel {errors} (mål 0), förlorade uppdateringar {lost} (mål 0).")
    else:
        lines.append("- Last: inte körd (--skip-load).")
    if missing:
        lines.append("- Sidor som saknas ännu: " + "; ".join(missing) + ".")
    if failed:
        lines.append("- Sidor som fallerade: " + "; ".join(failed) + ".")
    lines.append(f"- Hela körningen tog {time.perf_counter() - started:.0f} s.")
    summary = (
        f"SUMMARY growth_max={fmt(growth_max, 2)} growth_cold_max={fmt(cold_max, 2)} "
        f"floor_max={fmt(floor_max, 2)} floor_cold_max={fmt(floor_cold_max, 2)} "
        f"load_p95_ms={fmt(p95, 0)} errors={'–' if errors is None else errors} "
        f"lost_updates={'–' if lost is None else lost}"
    )
    return "\n".join(lines) + "\n", summary


def main() -> None:
    parser = argparse.ArgumentParser(description="Styrkort benchmark (make bench)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (2)")
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternating rounds of S and L the runs share (4)"
    )
    parser.add_argument("--save-runs", type=int, default=3, help="runs of a full quarter save (3)")
    parser.add_argument("--users", type=int, default=50, help="simulated users (50)")
    parser.add_argument("--duration", type=int, default=60, help="load test seconds (60)")
    parser.add_argument(
        "--think", default="3,10", help="seconds a user waits between requests (3,10)"
    )
    parser.add_argument("--skip-load", action="store_true", help="no load test")
    args = parser.parse_args()
    started = time.perf_counter()
    global LOAD_AT_START
    LOAD_AT_START = os.getloadavg()[0]  # other work on the machine makes every figure slower
    OUT.mkdir(parents=True, exist_ok=True)
    with postgres_server() as server:
        sizes = {size: prepare_size(server, size) for size in SIZES}
        say("collectstatic (DEBUG av behöver manifestet)")
        run(
            [PYTHON, "manage.py", "collectstatic", "--noinput"],
            env=sizes["L"]["env"],
            log="collectstatic",
        )
        pages = measure_all(sizes, args)
        load = None if args.skip_load else load_test(sizes["L"]["env"], args)
    markdown, summary = compose(sizes, pages, load, started, args)
    (OUT / "latest.md").write_text(markdown + "\n" + summary + "\n", encoding="utf-8")
    print(markdown)
    print(summary, flush=True)


if __name__ == "__main__":
    main()
