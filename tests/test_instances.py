"""Several instances: two gunicorns behind haproxy sharing Redis and PostgreSQL, and Redis as
the cache of built outputs.

The stack is what README "Drift" → "Several instances" describes, on loopback: redis-server on a
spare port, two gunicorn instances (two workers each, DEBUG off, production settings as
bench/run.py's django_env gives them, CACHE_URL at that Redis) on the suite's own PostgreSQL
test database, and haproxy in front (round robin, a health check on the login page, another
instance tried when one refuses the connection). The tests are transactional, so what they
write is committed and the instances see it. Everything is stopped when the module ends, also
after a failure, and a test that stopped an instance leaves the next one a running stack.

- A save through instance 1 shows through instance 2 on the next request (entry page, report
  page, database), and instance 2 serves the report instance 1 built (Redis counts no write).
- Instance 1 stopped gracefully (SIGTERM) in the middle of a stream of concurrent saves through
  haproxy: every save answered as saved is in the database with its value and in the history,
  and no refused save was stored.
- With Redis as the cache, every cached output pickles and reads back as built; a full Redis
  and an unreadable copy still give the page.

Marked `instances`. They need redis-server and haproxy (Debian's packages) and, for the two
instances, PostgreSQL; without them they skip, unless STYRKORT_REQUIRE_INSTANCES is true (CI,
.ci/run), which turns a missing program or database into a failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import override_settings
from django.urls import reverse

import core.cache
from config.settings import cache_from_url
from goals.models import Board, BoardRole, Municipality, ReportingOccasion, Role
from goals.periods import PeriodType
from indicators.models import Indicator, IndicatorValue
from tests.conftest import PASSWORD
from tests.entry_data import goal_chain
from tests.test_deploy_check import PYTHON, ROOT, database_url_of_the_test_database, free_port
from tests.test_deploy_check import production_env as deploy_env

pytestmark = pytest.mark.instances

REQUIRED = os.environ.get("STYRKORT_REQUIRE_INSTANCES", "").lower() in {"1", "true", "yes"}
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin"])
KEY_PREFIX = "styrkort-instanser"
WORKERS = 2
YEAR = 2022
ENTRY_PAGE = f"/utfall/AN/{YEAR}/helar/"
SAVE_URL = ENTRY_PAGE + "varde/"
REPORT_PAGE = f"/namnd/AN/{YEAR}/verksamhetsberattelse/"
HEALTH_URL = "/logga-in/"
INSTANCE_HEADER = "X-Styrkort-Instans"


def required(what: str) -> None:
    """Skip with the reason, or fail when the instance tests are required (CI)."""
    if REQUIRED:
        pytest.fail(f"{what} (STYRKORT_REQUIRE_INSTANCES är satt)")
    pytest.skip(what)


def program(name: str) -> str:
    found = shutil.which(name, path=SEARCH_PATH)
    if found is None:
        required(f"{name} saknas: installera Debians paket {name} för instanstesterna")
    return str(found)


def stop_group(process: subprocess.Popen, timeout: float = 30) -> None:
    """End a process this module started and all it started (its own process group)."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Workers whose master went first: the group outlives its leader.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""


def wait_until(
    check: Callable[[], bool],
    seconds: float,
    what: str,
    process: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: the process ended ({process.returncode}): {_tail(log)}")
        with suppress(OSError):
            if check():
                return
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:.0f} s: {_tail(log)}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status == 200


# --- Redis ---------------------------------------------------------------------------------------


@dataclass
class Redis:
    port: int
    socket: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_timeout=5)

    def stored_keys(self, kind: str = "") -> list[str]:
        """Our keys (prefix:version:layout:kind:…), of one kind of output if given."""
        found = (key.decode() for key in self.client().scan_iter(match=f"{KEY_PREFIX}:*"))
        return sorted(key for key in found if not kind or key_kind(key) == kind)

    def writes(self) -> int:
        """SET commands run since the last reset of the statistics (Django's RedisCache.set)."""
        stats = self.client().info("commandstats")
        return int(stats.get("cmdstat_set", {}).get("calls", 0))

    def hits(self) -> int:
        return int(self.client().info("stats")["keyspace_hits"])


def key_kind(key: str) -> str:
    """ "styrkort-instanser:1:2:report-page:5:2022:…" → "report-page"."""
    return key.split(":")[3]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[Redis]:
    binary = program("redis-server")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = folder / "redis.log"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir"]
    command += [str(folder), "--appendonly", "no", "--daemonize", "no"]
    command += ["--unixsocket", str(folder / "redis.sock"), "--unixsocketperm", "700"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Redis(port=port, socket=folder / "redis.sock", process=process)
    try:
        wait_until(lambda: bool(server.client().ping()), 20, "redis-server", process, log)
        yield server
    finally:
        stop_group(process)


@pytest.fixture
def redis_cache(redis_server) -> Iterator[Redis]:
    """Django's default cache is that Redis (as CACHE_URL=redis://… gives it), emptied."""
    redis_server.client().flushall()
    redis_server.client().config_resetstat()
    core.cache.resume()
    with override_settings(
        CACHES={"default": cache_from_url(redis_server.url, key_prefix=KEY_PREFIX)}
    ):
        yield redis_server
    core.cache.resume()


# --- the stack: two instances and haproxy --------------------------------------------------------

HAPROXY_CONFIG = """\
global
    maxconn 256

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    # A connection an instance refuses (it is stopping) is tried again on the other one; the
    # request was never sent, so this is safe for a save too.
    retries 3
    option redispatch 1

frontend styrkort
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend instances

backend instances
    balance roundrobin
    option httpchk
    http-check send meth GET uri {health} ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    # Which instance answered, for the test.
    http-response set-header {header} %s
    default-server check inter 300ms fall 1 rise 1
    server app1 127.0.0.1:{app1}
    server app2 127.0.0.1:{app2}
"""


@dataclass
class Instance:
    name: str
    port: int
    env: dict[str, str] = field(repr=False)
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        command = [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--workers", str(WORKERS)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "20"]
        command += ["--access-logfile", "-", "--access-logformat", "ACCESS %(p)s %(s)s %(m)s %(U)s"]
        command += ["--error-logfile", "-"]
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        wait_until(
            lambda: answers(self.base + HEALTH_URL),
            90,
            f"gunicorn {self.name}",
            self.process,
            self.log,
        )

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


@dataclass
class Stack:
    redis: Redis
    instances: list[Instance]
    proxy_port: int
    proxy_log: Path

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def ensure_running(self) -> None:
        """Start an instance an earlier test stopped, wait until haproxy uses both again, and
        empty Redis (the tests of Redis as the cache share it)."""
        self.redis.client().flushall()
        self.redis.client().config_resetstat()
        stopped = [instance for instance in self.instances if not instance.running()]
        for instance in stopped:
            instance.start()
        for instance in stopped:
            instance.wait_ready()

        def both_answer() -> bool:
            names = set()
            for _ in range(4):
                with urllib.request.urlopen(self.proxy + HEALTH_URL, timeout=5) as response:
                    names.add(response.headers[INSTANCE_HEADER])
            return names == {"app1", "app2"}

        wait_until(both_answer, 30, "haproxy with both instances", log=self.proxy_log)


@pytest.fixture(scope="module")
def stack(django_db_setup, redis_server, tmp_path_factory) -> Iterator[Stack]:
    database = database_url_of_the_test_database()
    if database is None:
        required("två instanser behöver PostgreSQL (DATABASE_URL=postgres://…)")
    haproxy = program("haproxy")
    folder = tmp_path_factory.mktemp("instances")
    env = deploy_env(
        DATABASE_URL=database,
        CACHE_URL=redis_server.url,
        CACHE_KEY_PREFIX=KEY_PREFIX,
        # bench/run.py's django_env: plain HTTP on loopback, no TLS proxy in the test.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        # haproxy appends the client's address to X-Forwarded-For.
        TRUSTED_PROXY_COUNT="1",
        # Unhashed static files: no collectstatic of plotly for a test of saves and pages.
        STYRKORT_TESTING="true",
        STATIC_ROOT=str(folder / "static"),
        LOG_LEVEL="WARNING",
    )
    instances = [
        Instance(name, free_port(), env, folder / f"{name}.log") for name in ("app1", "app2")
    ]
    proxy_port = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(
            port=proxy_port,
            health=HEALTH_URL,
            header=INSTANCE_HEADER,
            app1=instances[0].port,
            app2=instances[1].port,
        )
    )
    proxy_log = folder / "haproxy.log"
    with ExitStack() as cleanup:
        for instance in instances:
            cleanup.callback(instance.stop)
            instance.start()
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True)
        assert check.returncode == 0, check.stderr.decode() + check.stdout.decode()
        with proxy_log.open("w") as output:
            proxy = subprocess.Popen(
                [haproxy, "-db", "-f", str(config)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        cleanup.callback(stop_group, proxy)
        for instance in instances:
            instance.wait_ready()
        running = Stack(redis_server, instances, proxy_port, proxy_log)
        running.ensure_running()
        yield running
    for instance in instances:
        assert not instance.running(), f"{instance.name} still runs"


# --- a user of the stack ---------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class Visitor:
    """A browser's cookie jar; each request on a new connection to the base URL given."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(
        self, base: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body, headers=headers or {})
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, _lower(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, _lower(error.headers), error.read().decode(errors="replace"))

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def log_in(self, base: str) -> None:
        """Through the real login form."""
        assert self.request(base, "/logga-in/").status == 200
        answer = self.request(
            base, "/logga-in/", {"username": "controller_an", "password": PASSWORD}
        )
        assert answer.status == 302, answer.body[:500]


def an_with_values(indicators: int) -> list[IndicatorValue]:
    """AN with a controller, yearly indicators (total, K, M) with 2022 values, helår 2022 open.

    The password is hashed as the instances hash it (PBKDF2), not with the suite's fast hasher.
    """
    town = Municipality.objects.create(name="Linköpings kommun")
    board = Board.objects.create(
        code="AN", municipality=town, name="Arbetsmarknadsnämnden", valid_from=2019
    )
    hasher = PBKDF2PasswordHasher()
    user = get_user_model().objects.create(
        username="controller_an", password=hasher.encode(PASSWORD, hasher.salt())
    )
    BoardRole.objects.create(user=user, role=Role.CONTROLLER, board=board)
    goal_chain(
        board,
        goals=2,
        indicators_per_goal=indicators // 2,
        frequency=PeriodType.YEAR,
        value_years=(YEAR,),
    )
    ReportingOccasion.objects.create(board=board, year=YEAR, kind="helar")
    return list(
        IndicatorValue.objects.filter(indicator__board=board, year=YEAR).order_by(
            "indicator_id", "breakdown_id"
        )
    )


def save_form(value: IndicatorValue, version: int, number: Decimal | int) -> dict[str, str]:
    """The entry page script's post of one field (as bench/locustfile.py sends it)."""
    return {
        "indicator": str(value.indicator_id),
        "breakdown": str(value.breakdown_id),
        "period_type": value.period_type,
        "period_number": str(value.period_number),
        "version": str(version),
        "value": str(number),
        "missing_reason": "",
        "comment": "",
        "footnote": "",
    }


JSON = {"Accept": "application/json"}


def saved(answer: Answer) -> bool:
    return answer.status == 200 and answer.json().get("state") in {"saved", "warning"}


def readable(html: str) -> str:
    """A page's text as compared here: without the CSRF token and with plain spaces."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace("\xa0", " ").replace("&nbsp;", " ")


# --- two instances ---------------------------------------------------------------------------------


def test_a_save_through_one_instance_shows_through_the_other(transactional_db, stack):
    stack.ensure_running()
    first = an_with_values(indicators=2)[0]
    app1, app2 = stack.instances
    visitor = Visitor()
    visitor.log_in(stack.proxy)  # a session in the database: both instances know it

    # Instance 1 builds the report; instance 2 serves that copy from Redis, building nothing.
    assert stack.redis.stored_keys("report-page") == []
    built = visitor.request(app1.base, REPORT_PAGE)
    assert built.status == 200, built.body[:500]
    assert len(stack.redis.stored_keys("report-page")) == 1
    writes, hits = stack.redis.writes(), stack.redis.hits()
    shared = visitor.request(app2.base, REPORT_PAGE)
    assert shared.status == 200
    assert stack.redis.writes() == writes, "instance 2 built the report again"
    assert stack.redis.hits() > hits
    assert readable(shared.body) == readable(built.body)
    assert "4 711" not in readable(shared.body)

    # A save through instance 1 ...
    answer = visitor.request(app1.base, SAVE_URL, save_form(first, first.version, 4711), JSON)
    assert saved(answer), (answer.status, answer.body[:500])
    version = answer.json()["version"]

    # ... is what instance 2 shows on the next request, and what the database holds.
    report = readable(visitor.request(app2.base, REPORT_PAGE).body)
    assert "4 711" in report
    entry = visitor.request(app2.base, ENTRY_PAGE)
    assert entry.status == 200
    assert re.search(r'value="4 ?711"', readable(entry.body)), "the entry page lacks the save"
    stored = IndicatorValue.objects.get(pk=first.pk)
    assert (stored.value, stored.version) == (Decimal(4711), version)
    # The report of the new data is a new copy beside the old one (which is never read again).
    assert len(stack.redis.stored_keys("report-page")) == 2

    # Through haproxy the requests alternate between the instances.
    names = [visitor.request(stack.proxy, REPORT_PAGE).header(INSTANCE_HEADER) for _ in range(4)]
    assert set(names) == {"app1", "app2"}


@dataclass
class Save:
    value_id: int
    version_sent: int
    number: int
    sent: float
    answered: float
    status: int
    state: str
    version: int | None
    instance: str


def test_stopping_an_instance_mid_stream_loses_no_accepted_save(transactional_db, stack):
    stack.ensure_running()
    values = an_with_values(indicators=8)  # 24 fields, six per thread
    initial = {value.pk: value.version for value in values}
    threads = 4
    visitor = Visitor()
    visitor.log_in(stack.proxy)
    saves: list[Save] = []
    stop = threading.Event()
    numbers = iter(range(10_000, 10_000_000))
    lock = threading.Lock()

    def typist(mine: list[IndicatorValue]) -> None:
        version = {value.pk: value.version for value in mine}
        turn = 0
        while not stop.is_set():
            value = mine[turn % len(mine)]
            turn += 1
            with lock:
                number = next(numbers)
            sent = time.monotonic()
            form = save_form(value, version[value.pk], number)
            try:
                answer = visitor.request(stack.proxy, SAVE_URL, form, JSON)
            except OSError as error:  # the proxy closed the connection: refused, cleanly
                answer = Answer(0, {}, str(error))
            accepted = saved(answer)
            if accepted:
                version[value.pk] = int(answer.json()["version"])
            saves.append(
                Save(
                    value_id=value.pk,
                    version_sent=int(form["version"]),
                    number=number,
                    sent=sent,
                    answered=time.monotonic(),
                    status=answer.status,
                    state=answer.json().get("state", ""),
                    version=version[value.pk] if accepted else None,
                    instance=answer.header(INSTANCE_HEADER),
                )
            )

    def accepted_after(moment: float) -> list[Save]:
        return [s for s in list(saves) if s.sent >= moment and s.version is not None]

    workers = [
        threading.Thread(target=typist, args=(values[number::threads],), daemon=True)
        for number in range(threads)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    app1 = stack.instances[0]
    try:
        wait_until(
            lambda: (
                {s.instance for s in accepted_after(started)} == {"app1", "app2"}
                and len(accepted_after(started)) >= 16
            ),
            30,
            "saves through both instances",
        )
        assert app1.process is not None
        terminated = time.monotonic()
        app1.process.send_signal(signal.SIGTERM)  # the master: a graceful stop
        exit_code = app1.process.wait(timeout=30)
        gone = time.monotonic()
        wait_until(lambda: len(accepted_after(gone)) >= 16, 30, "saves after the stop")
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)

    assert exit_code == 0, _tail(app1.log)
    accepted = [s for s in saves if s.version is not None]
    refused = [s for s in saves if s.version is None]
    # Refused only as the switch allows: a proxy or server error, never a 2xx without the data
    # and never a conflict (that would be a refused save that was stored after all).
    assert all(not 200 <= s.status < 300 for s in refused), refused
    assert not [s for s in refused if s.state == "conflict"], refused
    # Saves were answered by instance 1 before the stop and only by instance 2 after it.
    assert {s.instance for s in accepted if s.answered < terminated} == {"app1", "app2"}
    assert {s.instance for s in accepted if s.sent > gone} == {"app2"}

    # Every accepted save is in the database (the last one of each field) and in the history,
    # and no version is stored that was not answered as saved.
    last: dict[int, Save] = {}
    for save in accepted:
        if save.value_id not in last or save.version > last[save.value_id].version:  # type: ignore[operator]
            last[save.value_id] = save
    stored = {
        row["pk"]: row
        for row in IndicatorValue.objects.filter(pk__in=initial).values("pk", "value", "version")
    }
    lost = [
        save
        for value_id, save in last.items()
        if (stored[value_id]["version"], stored[value_id]["value"])
        != (save.version, Decimal(save.number))
    ]
    assert not lost, lost
    history = {
        (row[0], row[1]): row[2]
        for row in IndicatorValue.history.filter(id__in=initial).values_list(
            "id", "version", "value"
        )
    }
    missing = [s for s in accepted if history.get((s.value_id, s.version)) != Decimal(s.number)]
    assert not missing, missing
    unanswered = {key for key in history if key[1] != initial[key[0]]} - {
        (s.value_id, s.version) for s in accepted
    }
    assert not unanswered, f"stored without a 2xx answer: {sorted(unanswered)}"
    print(
        f"\ninstanser: {len(accepted)} sparade ({len(accepted_after(gone))} efter stoppet), "
        f"{len(refused)} vägrade {sorted({s.status for s in refused})}, "
        f"stoppet tog {gone - terminated:.1f} s"
    )


# --- Redis as the cache of built outputs -------------------------------------------------------------

# Kinds of cached output the demo's pages below do not build: Kolada's panel needs Kolada data.
NOT_ON_THE_DEMO_PAGES: set[str] = set()


def cached_kinds_in_source() -> set[str]:
    """The kinds of copy the code keeps: each literal key of a call of freshness.cached."""
    kinds: set[str] = set()
    for path in (ROOT / "reports").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        kinds.update(re.findall(r'cached\(\s*f?"([a-z][a-z-]*):', text))
        kinds.update(re.findall(r'key = f"([a-z][a-z-]*):', text))
    return kinds


def demo_urls(board: Board) -> list[str]:
    from reports.report.build import build_report
    from reports.report.plans import build_plan

    an = {"board_code": board.code, "year": YEAR}
    report_table = build_report(board, YEAR).download_keys[0]
    internbudget_table = build_plan(board, YEAR, "internbudget").download_keys[0]
    indicator = Indicator.objects.filter(board=board, computed="").order_by("pk").first()
    assert indicator is not None
    return [
        reverse("reports:home"),
        reverse("reports:goal_tree", kwargs=an),
        reverse("reports:indicator_detail", args=[indicator.pk]),
        reverse("reports:municipality_overview") + f"?ar={YEAR}",
        reverse("reports:board_dashboard", kwargs=an),
        reverse("reports:board_economy", kwargs=an),
        reverse("reports:report", kwargs=an),
        reverse("reports:report_xlsx", kwargs=an),
        reverse("reports:report_table_xlsx", kwargs={**an, "table_key": report_table}),
        reverse("reports:report_xlsx_all", kwargs={"year": YEAR}),
        reverse("reports:delar2", kwargs=an),
        reverse("reports:delar2_xlsx", kwargs=an),
        reverse("reports:document_docx", kwargs={**an, "document": "verksamhetsberattelse"}),
        reverse("reports:internbudget", kwargs=an),
        reverse("reports:internbudget_xlsx", kwargs=an),
        reverse(
            "reports:internbudget_table_xlsx",
            kwargs={**an, "internbudget_table": internbudget_table},
        ),
        reverse("reports:verksamhetsplan", kwargs=an),
    ]


def _content(response) -> bytes | str:
    if response["Content-Type"].startswith("text/html"):
        return readable(response.content.decode())
    return response.content


def test_every_cached_output_pickles_and_reads_back_as_built(
    client, demo_data, admin_user, redis_cache
):
    client.force_login(admin_user)
    urls = demo_urls(demo_data)
    built = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        built[url] = _content(response)
    kinds = {key_kind(key) for key in redis_cache.stored_keys()}
    assert cached_kinds_in_source() - NOT_ON_THE_DEMO_PAGES <= kinds, (
        "a cached output not built here"
    )

    redis_cache.client().config_resetstat()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _content(response) == built[url], f"{url}: not the same read back from Redis"
    assert redis_cache.writes() == 0, "something was built again instead of read from Redis"
    assert redis_cache.hits() >= len(urls)


@pytest.mark.parametrize("form", ["redis://127.0.0.1:{port}/3", "unix://{socket}?db=3"])
def test_each_redis_form_of_cache_url_reaches_redis(redis_server, form):
    import redis
    from django.core.cache import cache

    database_3 = redis.Redis(port=redis_server.port, db=3)
    database_3.flushdb()
    url = form.format(port=redis_server.port, socket=redis_server.socket)
    with override_settings(CACHES={"default": cache_from_url(url, key_prefix=KEY_PREFIX)}):
        cache.set("prov", {"år": 2022}, 60)
        assert cache.get("prov") == {"år": 2022}
    assert database_3.exists(f"{KEY_PREFIX}:1:prov") == 1


@pytest.fixture
def report_in_redis(client, admin_user, redis_cache) -> tuple[str, str]:
    """AN's 2022 report, built once into Redis: its URL and its page."""
    board = Board.objects.create(
        code="AN",
        municipality=Municipality.objects.create(name="Linköpings kommun"),
        name="Arbetsmarknadsnämnden",
        valid_from=2019,
    )
    goal_chain(board, value_years=(YEAR,))
    client.force_login(admin_user)
    url = reverse("reports:report", args=["AN", YEAR])
    return url, readable(client.get(url).content.decode())


def test_a_full_redis_still_gives_the_page(client, report_in_redis, redis_cache, caplog):
    url, normal = report_in_redis
    redis_cache.client().flushall()
    # No eviction and no room: every write is refused with OOM, reads still work.
    redis_cache.client().config_set("maxmemory-policy", "noeviction")
    redis_cache.client().config_set("maxmemory", "1")
    try:
        with caplog.at_level(logging.WARNING, logger="styrkort.cache"):
            full = client.get(url)
    finally:
        redis_cache.client().config_set("maxmemory", "0")
    assert full.status_code == 200
    assert readable(full.content.decode()) == normal
    warnings = [r.getMessage() for r in caplog.records if r.name == "styrkort.cache"]
    assert len(warnings) == 1 and warnings[0].startswith("Cachen svarar inte (spara "), warnings
    assert "OutOfMemoryError" in warnings[0] or "OOM" in warnings[0]


def test_an_unreadable_copy_is_built_again(client, report_in_redis, redis_cache, caplog):
    """A copy another release wrote under the same key is a miss, not an error page."""
    url, normal = report_in_redis
    redis = redis_cache.client()
    for key in redis_cache.stored_keys():
        redis.set(key, b"\x80\x05\x95garbage", keepttl=True)
    writes = redis_cache.writes()
    with caplog.at_level(logging.WARNING, logger="styrkort.cache"):
        again = client.get(url)
    assert again.status_code == 200
    assert readable(again.content.decode()) == normal
    assert redis_cache.writes() > writes, "the page was not built and kept again"
    warnings = [r.getMessage() for r in caplog.records if r.name == "styrkort.cache"]
    assert warnings and all("går inte att läsa" in warning for warning in warnings), warnings


def test_the_health_check_reads_no_database(client, django_assert_num_queries, db):
    """haproxy asks the login page every few hundred ms; it must cost no query."""
    with django_assert_num_queries(0):
        assert client.get(HEALTH_URL).status_code == 200


def test_the_readme_haproxy_configuration_is_valid(tmp_path):
    """The haproxy block of README "Several instances" passes `haproxy -c` (with a throw-away
    certificate where it names /etc/haproxy/styrkort.pem)."""
    haproxy = program("haproxy")
    openssl = program("openssl")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```haproxy\n(.*?)^```", readme, flags=re.S | re.M)
    assert len(blocks) == 1, "README has no haproxy block"
    assert "uri /logga-in/" in blocks[0] and "X-Forwarded-Proto https" in blocks[0]
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", "/CN=styrkort.linkoping.se", "-keyout", str(key), "-out", str(certificate)]
    made = subprocess.run(command, capture_output=True)
    assert made.returncode == 0, made.stderr.decode()
    bundle = tmp_path / "styrkort.pem"
    bundle.write_bytes(certificate.read_bytes() + key.read_bytes())
    config = tmp_path / "haproxy.cfg"
    config.write_text(blocks[0].replace("/etc/haproxy/styrkort.pem", str(bundle)))
    check = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "[WARNING]" not in check.stdout + check.stderr, check.stdout + check.stderr
