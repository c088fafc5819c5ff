"""Production settings: `check --deploy` is clean, bad settings refuse to start, `make serve` works.

Everything here runs manage.py or scripts/serve.sh in a subprocess with an environment like
production's (DEBUG off, a long random SECRET_KEY, ALLOWED_HOSTS), never the test settings.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Variables of the test run that must not leak into the "production" process.
TEST_ONLY = {
    "DEBUG",
    "DATABASE_URL",
    "STYRKORT_TESTING",
    "DJANGO_SETTINGS_MODULE",
    "SQLITE_PATH",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="styrkort.example.se,127.0.0.1",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_check_deploy_reports_nothing_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_would_catch_a_weakened_setting():
    """The check is real: turning HTTPS redirection off is reported."""
    env = production_env(SECURE_SSL_REDIRECT="false")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in names}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (without(production_env(), "SECRET_KEY"), "SECRET_KEY must be set when DEBUG is off"),
        (production_env(SECRET_KEY="kort-nyckel"), "SECRET_KEY must be at least 50 characters"),
        (production_env(DEBUG="kanske"), "DEBUG must be true or false, not 'kanske'"),
        (without(production_env(), "ALLOWED_HOSTS"), "ALLOWED_HOSTS must be set"),
        (production_env(SECURE_HSTS_SECONDS="ett år"), "SECURE_HSTS_SECONDS must be an integer"),
        (production_env(DATABASE_URL="mysql-ish://"), "DATABASE_URL is not a valid database URL"),
        (
            production_env(STYRKORT_DOCUMENT_TEMPLATE="/finns/inte/mall.docx"),
            "STYRKORT_DOCUMENT_TEMPLATE must name a .docx file, not '/finns/inte/mall.docx'",
        ),
    ],
    ids=[
        "no-secret-key",
        "short-secret-key",
        "bad-debug",
        "no-hosts",
        "bad-hsts",
        "bad-db-url",
        "no-document-template",
    ],
)
def test_bad_settings_refuse_to_start_with_a_clear_message(env, message):
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_makemigrations_check_needs_no_secrets():
    """CI and a newcomer run `makemigrations --check` without SECRET_KEY or ALLOWED_HOSTS; it
    reads only the models. The server-side commands still refuse (the test above)."""
    env = without(production_env(), "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")
    result = manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    assert manage("migrate", "--plan", env=env).returncode != 0


# --- make serve ---------------------------------------------------------------------------------


def serve(env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["scripts/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def serve_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    values = {
        "PY": PYTHON,
        "GUNICORN": str(Path(PYTHON).parent / "gunicorn"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'styrkort.sqlite3'}",
    }
    values.update(overrides)
    return production_env(**values)


@pytest.mark.parametrize("missing", ["DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"])
def test_serve_refuses_without_a_required_variable(tmp_path, missing):
    result = serve(without(serve_env(tmp_path), missing))
    assert result.returncode == 2
    assert f"make serve: {missing} saknas" in result.stderr


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    result = serve(serve_env(tmp_path))
    assert result.returncode == 2
    assert "migreringar som inte körts" in result.stderr
    assert "make backup" in result.stderr


def test_serve_explains_a_database_it_cannot_reach(tmp_path):
    env = serve_env(tmp_path, DATABASE_URL=f"postgres://styrkort@127.0.0.1:{free_port()}/styrkort")
    result = serve(env)
    assert result.returncode == 2
    assert "kunde inte läsa databasen" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def database_url_of_the_test_database() -> str | None:
    """The migrated PostgreSQL test database, when the suite runs on PostgreSQL (as in CI)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db
def test_serve_runs_gunicorn_with_whitenoise_and_the_security_headers(tmp_path):
    """On PostgreSQL (CI) against the test database; on SQLite against a fresh migrated file."""
    postgres = database_url_of_the_test_database()
    env = serve_env(tmp_path, WORKERS="1")
    if postgres:
        env["DATABASE_URL"] = postgres
    else:
        migrated = manage("migrate", "--noinput", "-v", "0", env=env, timeout=300)
        assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    env["BIND"] = f"127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https", "Host": "styrkort.example.se"}
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                status, headers, body = fetch(f"{base}/logga-in/", https)
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)

        assert status == 200
        # serve.sh execs gunicorn: a worker may take a PDF conversion's whole time limit.
        arguments = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        limit = int(env.get("STYRKORT_PDF_TIMEOUT", "120")) + 30
        assert arguments[arguments.index(b"--timeout") + 1] == str(limit).encode()
        page = body.decode()
        assert "Logga in" in page
        assert "Traceback" not in page
        # Security headers.
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp + ";"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        cookie = headers["Set-Cookie"]
        assert "csrftoken=" in cookie and "Secure" in cookie and "HttpOnly" in cookie

        # Hashed, compressed static files from whitenoise, cached for ever.
        start = page.index("/static/css/styrkort.")
        css_url = page[start : page.index('"', start)]
        assert css_url != "/static/css/styrkort.css", "static file name is not hashed"
        status, headers, _ = fetch(base + css_url, {"Accept-Encoding": "gzip", **https})
        assert status == 200
        assert headers["Content-Encoding"] in {"gzip", "br"}
        assert "immutable" in headers["Cache-Control"]

        # Plain HTTP is sent to HTTPS; an unknown page is the Swedish 404.
        status, headers, _ = fetch(f"{base}/logga-in/", {"Host": "styrkort.example.se"})
        assert status == 301
        assert headers["Location"] == "https://styrkort.example.se/logga-in/"
        status, _, body = fetch(f"{base}/finns-inte/", https)
        assert status == 404
        assert "Sidan finns inte" in body.decode()
        # A host that is not allowed gets nothing.
        status, _, _ = fetch(f"{base}/logga-in/", {"X-Forwarded-Proto": "https", "Host": "ond.se"})
        assert status == 400
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen) -> None:
    """End the server this test started: its own process group, nothing else."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
