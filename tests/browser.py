"""Browser-test plumbing shared by the Playwright tests: axe-core, error watching, logging in."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import BROWSER_REQUIRED, PASSWORD

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def read_axe_source() -> str:
    if not AXE.exists():
        if BROWSER_REQUIRED:
            pytest.fail(f"{AXE} saknas: kör npm ci (STYRKORT_REQUIRE_BROWSER är satt)")
        print(f"Hoppar över: {AXE} saknas (kör npm ci för tillgänglighetstesterna)")
        pytest.skip("axe-core saknas (npm ci)")
    return AXE.read_text(encoding="utf-8")


def watch_problems(page) -> list[str]:
    """Collect console errors, failed responses and page errors into `page.problems`.

    A failed request is reported with its URL by the response handler; the browser's own
    favicon request (never answered by the app) only shows as a console line without one.
    """
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    return problems


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
