"""The Makefile's install steps never remove what another target installed.

`uv sync` is exact unless told otherwise: a sync of the app alone (what `make demo` and
`make run` install) would uninstall pytest, Playwright and ruff that `make install-test` put
there. Every sync a target runs must therefore be `--inexact`. Read from `make -n` (what each
target would run, nothing executed), so the test follows the Makefile's variables and
dependencies rather than its text.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings

TARGETS = ["install", "install-test", "migrate", "demo", "run", "manage", "check", "test", "bench"]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", target, "ARGS=check"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


@pytest.mark.parametrize("target", TARGETS)
def test_every_sync_of_a_target_keeps_what_is_installed(target):
    syncs = [line for line in dry_run(target) if " sync " in line and "uv" in line]
    assert syncs, f"make {target} installs nothing?"
    for line in syncs:
        assert "--inexact" in line, line
        assert "--frozen" in line, line  # the versions of uv.lock, never a new resolution


def test_make_manage_runs_the_command_with_the_development_settings():
    [command] = [line for line in dry_run("manage") if "manage.py" in line]
    assert command.startswith("DEBUG=true .venv/bin/python manage.py check")
