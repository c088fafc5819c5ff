"""The real server when its PostgreSQL restarts or stops: gunicorn, DEBUG off, two workers.

The tests start their own throw-away PostgreSQL cluster (PGBIN, as .ci/run exports it) on a
free port, migrate it, run gunicorn against it in a subprocess and then restart or stop that
cluster. They never touch the suite's own database. As root (CI) the cluster runs as the
postgres user through `su`, as .ci/run does.

They run when the suite runs on PostgreSQL (as in CI) and skip on SQLite; where PGBIN is set
but its binaries are missing they fail instead of skipping.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import PASSWORD
from tests.test_deploy_check import PYTHON, ROOT, free_port, production_env, stop

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI)"),
]

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
WORKERS = 2
UNAVAILABLE_FIELD_TEXT = "Inte sparat: databasen går inte att nå just nu."

# A controller, an open occasion and one quarterly indicator (total, K, M) to enter into.
SETUP = """
from goals.models import Board, BoardRole, Municipality, ReportingOccasion, Role
from django.contrib.auth import get_user_model
from tests.entry_data import goal_chain
town = Municipality.objects.create(name="Linköpings kommun")
board = Board.objects.create(
    code="AN", municipality=town, name="Arbetsmarknadsnämnden", valid_from=2019
)
user = get_user_model().objects.create_user(username="controller_an", password={password!r})
BoardRole.objects.create(user=user, role=Role.CONTROLLER, board=board)
goal_chain(board, goals=1, indicators_per_goal=1)
ReportingOccasion.objects.create(board=board, year=2023, kind="k3")
"""
ENTRY_PAGE = "/utfall/AN/2023/k3/"
SAVE_URL = ENTRY_PAGE + "varde/"


def as_postgres(command: list[str]) -> list[str]:
    """Root may not run PostgreSQL: run it as the postgres user, as .ci/run does."""
    if os.geteuid() == 0:
        return ["su", "postgres", "-c", shlex.join(command)]
    return command


@dataclass
class Cluster:
    data: Path
    port: int

    def pg_ctl(self, *args: str) -> None:
        # The server's output goes to its log file: a pipe inherited by the server would keep
        # this call waiting for ever.
        command = [str(PGBIN / "pg_ctl"), "-D", str(self.data), "-w"]
        command += ["-l", str(self.data / "server.log"), *args]
        subprocess.run(
            as_postgres(command),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self.pg_ctl("-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "restart")

    def sql(self, query: str) -> str:
        command = [str(PGBIN / "psql"), "-h", str(self.data), "-p", str(self.port)]
        command += ["-d", "styrkort", "-Atc", query]
        result = subprocess.run(as_postgres(command), capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/styrkort"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not (PGBIN / "initdb").exists():
        if os.environ.get("PGBIN"):
            pytest.fail(f"PGBIN={PGBIN} has no initdb")
        pytest.skip(f"PostgreSQL's programs are not in {PGBIN} (set PGBIN)")
    data = Path(tempfile.mkdtemp(prefix="styrkort-outage-pg."))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    initdb = [str(PGBIN / "initdb"), "-D", str(data), "-E", "UTF8", "--locale=C.UTF-8", "-A"]
    subprocess.run(as_postgres([*initdb, "trust"]), check=True, capture_output=True, timeout=120)
    db = Cluster(data=data, port=free_port())
    db.start()
    try:
        createdb = [str(PGBIN / "createdb"), "-h", str(data), "-p", str(db.port), "styrkort"]
        subprocess.run(as_postgres(createdb), check=True, capture_output=True, timeout=60)
        yield db
    finally:
        # Stopped already by a test that failed half-way: nothing to stop.
        subprocess.run(
            as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(data, ignore_errors=True)


@dataclass
class Server:
    base: str
    log: Path
    cluster: Cluster
    process: subprocess.Popen = field(repr=False)

    def worker_pids(self, since: int) -> list[str]:
        """The worker of each request logged after byte `since` of the access log."""
        text = self.log.read_text(errors="replace")[since:]
        return re.findall(r"^ACCESS <(\d+)>", text, flags=re.MULTILINE)

    def log_size(self) -> int:
        return len(self.log.read_text(errors="replace"))


@pytest.fixture(scope="module")
def server(cluster, tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("outage-server")
    env = production_env(
        DATABASE_URL=cluster.url,
        STATIC_ROOT=str(tmp / "static"),
        # Plain HTTP on 127.0.0.1 (no TLS proxy in the test); unhashed static files, so
        # collectstatic copies instead of compressing plotly.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        STYRKORT_TESTING="true",
        AXES_ENABLED="true",
    )

    def manage(*command: str) -> subprocess.Popen:
        return subprocess.Popen(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait(process: subprocess.Popen) -> None:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output

    # The static files are copied while the database is migrated.
    static = manage("collectstatic", "--noinput", "-v", "0")
    wait(manage("migrate", "--noinput", "-v", "0"))
    wait(manage("shell", "-c", SETUP.format(password=PASSWORD)))
    wait(static)
    port = free_port()
    log = tmp / "gunicorn.log"
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--access-logformat",
            "ACCESS %(p)s %(s)s %(m)s %(U)s",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    running = Server(base=f"http://127.0.0.1:{port}", log=log, cluster=cluster, process=process)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(running.base + "/logga-in/", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield running
    finally:
        stop(process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A user with a cookie jar; every request on a new connection (gunicorn picks a worker)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(
        self, path: str, data: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.server.base + path, data=body, headers=headers or {})
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def log_in(self) -> None:
        status, _ = self.request("/logga-in/")
        assert status == 200
        status, body = self.request(
            "/logga-in/", {"username": "controller_an", "password": PASSWORD}
        )
        assert status == 302, body[:500]


def field_save(cluster: Cluster, value: str) -> dict[str, str]:
    indicator, total = cluster.sql(
        "select i.id, b.id from indicators_indicator i, indicators_breakdown b "
        "where b.code = 'total'"
    ).split("|")
    return {
        "indicator": indicator,
        "breakdown": total,
        "period_type": "kvartal",
        "period_number": "3",
        "version": "0",
        "value": value,
        "missing_reason": "",
        "comment": "",
        "footnote": "",
    }


def stored_values(cluster: Cluster) -> list[str]:
    rows = cluster.sql("select trim_scale(value) from indicators_indicatorvalue order by id")
    return rows.split()


def requests_until_every_worker_answered(server: Server, visitor: Visitor) -> list[int]:
    """Statuses of authenticated pages asked for in waves of simultaneous requests, until each
    worker has answered one: a sync worker takes one request at a time, so the others of a
    wave go to the other worker (sequential requests may all meet the same one)."""
    start = server.log_size()
    statuses: list[int] = []
    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        for _ in range(10):
            waves = pool.map(lambda _: visitor.request(ENTRY_PAGE)[0], range(2 * WORKERS))
            statuses += list(waves)
            if len(set(server.worker_pids(start))) == WORKERS:
                return statuses
    pytest.fail(f"not every worker answered: {server.worker_pids(start)}")


def test_the_next_request_of_every_worker_succeeds_after_a_database_restart(server):
    visitor = Visitor(server)
    visitor.log_in()
    # Each worker holds a database connection (CONN_MAX_AGE) from an authenticated page.
    assert set(requests_until_every_worker_answered(server, visitor)) == {200}

    server.cluster.restart()

    statuses = requests_until_every_worker_answered(server, visitor)
    assert set(statuses) == {200}, server.log.read_text()[-3000:]


def test_a_stopped_database_is_told_as_such_and_nothing_is_saved(server):
    visitor = Visitor(server)
    visitor.log_in()
    save = field_save(server.cluster, "3327")
    server.cluster.stop()
    try:
        status, body = visitor.request(ENTRY_PAGE)
        assert status == 503
        assert "<h1>Databasen går inte att nå</h1>" in body
        assert "Inget har sparats." in body
        status, body = visitor.request(SAVE_URL, save, {"HX-Request": "true"})
        assert status == 503
        assert body.startswith(UNAVAILABLE_FIELD_TEXT)
        assert "Det du skrev finns kvar" in body
        # The login form needs no database; logging in does.
        stranger = Visitor(server)
        assert stranger.request("/logga-in/")[0] == 200
        status, body = stranger.request(
            "/logga-in/", {"username": "controller_an", "password": PASSWORD}
        )
        assert status == 503
        assert "Databasen går inte att nå" in body
        log = server.log.read_text()
        assert "Traceback" not in log
        assert "WARNING styrkort.database Databasen går inte att nå" in log
    finally:
        server.cluster.start()
    assert stored_values(server.cluster) == []
    # Back up: the same save is stored.
    status, _ = visitor.request(SAVE_URL, save, {"HX-Request": "true"})
    assert status == 200
    assert stored_values(server.cluster) == ["3327"]


@pytest.mark.browser
def test_browser_shows_not_saved_and_keeps_the_typed_value(server, page):
    """Depends on the entry page's handling of failed saves (the entry helper's contract)."""
    page.goto(server.base + "/logga-in/")
    page.fill("#id_username", "controller_an")
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    page.goto(server.base + ENTRY_PAGE)
    form = page.locator("tr[data-field]").filter(has=page.locator("input[name$='-value']")).last
    field = form.locator("input[name$='-value']")
    before = stored_values(server.cluster)

    server.cluster.stop()
    try:
        field.click()
        field.press("Control+a")
        field.type("4711")
        with page.expect_response(lambda r: r.url.endswith(SAVE_URL)) as answer:
            field.press("Tab")
        assert answer.value.status == 503  # the server's part; the rest is the page's
        message = form.locator(".ef-msg")
        message.filter(has_text="Inte sparat").wait_for(timeout=10_000)
        assert field.input_value() == "4711"
        assert "is-unsaved" in (form.get_attribute("class") or "")
        assert "Sparat" not in message.inner_text().replace("Inte sparat", "")
    finally:
        server.cluster.start()
    assert stored_values(server.cluster) == before

    # Try again once the database is back: the field's own "Försök igen".
    form.get_by_role("button", name="Försök igen").click()
    page.locator(".ef-msg .saved").filter(has_text="Sparat").first.wait_for()
    assert "4711" in stored_values(server.cluster)
