"""Shared fixtures: named personas (as healthchecks' hc/test.py), the demo data, a browser."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth import get_user_model

from goals.models import Board, BoardRole, Municipality, Role

BROWSER_REQUIRED = os.environ.get("STYRKORT_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PASSWORD = "korrekt-hast-batteri-42"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Logging personas in thousands of times with PBKDF2 would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def no_archive_pdf():
    """Approvals archive no PDF in the suite (each takes LibreOffice seconds, and the suite
    approves hundreds of times, the demo load among them); a test that wants one sets
    settings.STYRKORT_ARCHIVE_PDF = True."""
    from django.test.utils import override_settings

    with override_settings(STYRKORT_ARCHIVE_PDF=False):
        yield


@pytest.fixture(scope="session", autouse=True)
def no_warming():
    """No background rebuilds after saves in the suite (a thread building while the next test
    flushes the database); tests/test_warming.py turns it on where it is the subject."""
    from django.test.utils import override_settings

    with override_settings(STYRKORT_WARM_AFTER_WRITE=False):
        yield


@pytest.fixture(scope="session")
def soffice_path():
    """LibreOffice's soffice for the PDF tests; fails when browsers (and so LibreOffice) are
    required, else skips."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if BROWSER_REQUIRED:
            pytest.fail("LibreOffice (soffice) krävs men finns inte: installera libreoffice-writer")
        pytest.skip(
            "LibreOffice saknas: installera Debians paket libreoffice-writer för PDF-testerna"
        )
    return path


@pytest.fixture
def axe_source():
    """axe-core's source for the browser tests; fails when browsers are required, else skips."""
    from tests.browser import read_axe_source  # tests.browser imports this module

    return read_axe_source()


@pytest.fixture
def municipality(db):
    return Municipality.objects.get_or_create(name="Linköpings kommun")[0]


@pytest.fixture
def board_an(municipality):
    return Board.objects.get_or_create(
        code="AN",
        defaults={
            "municipality": municipality,
            "name": "Arbetsmarknadsnämnden",
            "valid_from": 2019,
        },
    )[0]


@pytest.fixture
def board_other(municipality):
    return Board.objects.get_or_create(
        code="BIN",
        defaults={"municipality": municipality, "name": "Bildningsnämnden", "valid_from": 2019},
    )[0]


def make_user(username: str, role: str | None, board: Board | None, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        BoardRole.objects.create(user=user, role=role, board=board)
    return user


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True)


@pytest.fixture
def controller_an(board_an):
    return make_user("controller_an", Role.CONTROLLER, board_an)


@pytest.fixture
def controller_other(board_other):
    return make_user("controller_bin", Role.CONTROLLER, board_other)


@pytest.fixture
def secretary_an(board_an):
    return make_user("sekreterare_an", Role.SECRETARY, board_an)


@pytest.fixture
def manager_an(board_an):
    return make_user("chef_an", Role.MANAGER, board_an)


@pytest.fixture
def outsider(db):
    return make_user("utomstaende", None, None)


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker):
    """The rows load_demo writes, read once per session (tests/demo_database.py)."""
    from tests import demo_database

    with django_db_blocker.unblock():
        return demo_database.capture()


@pytest.fixture
def demo_data(db, demo_rows):
    """The Linköping demo data as `make run` loads it; returns the board AN.

    Copied from the session's one load. A test whose other fixtures already made demo rows (a
    persona's board) gets a real load over them instead, as `make run` over existing data.
    """
    from django.core.management import call_command

    from tests import demo_database

    if demo_database.is_untouched(demo_rows):
        demo_database.insert(demo_rows)
    else:
        call_command("load_demo", verbosity=0)
    return Board.objects.get(code="AN")


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if BROWSER_REQUIRED:
            pytest.fail("Chromium is required (STYRKORT_REQUIRE_BROWSER) but was not found")
        pytest.skip("Chromium saknas: installera Debians paket chromium för webbläsartesterna")
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(chromium_path):
    return {
        "executable_path": chromium_path,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def security_log():
    """The security events written during the test, each parsed from its JSON line."""
    import json
    import logging

    from core.security_log import SecurityJsonFormatter

    class Capture(logging.Handler):
        def __init__(self):
            super().__init__(level=logging.DEBUG)
            self.setFormatter(SecurityJsonFormatter())
            self.lines: list[str] = []

        def emit(self, record):
            self.lines.append(self.format(record))

        def events(self, name: str | None = None) -> list[dict]:
            parsed = [json.loads(line) for line in self.lines]
            return [e for e in parsed if name is None or e["event"] == name]

    handler = Capture()
    logger = logging.getLogger("styrkort.security")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
