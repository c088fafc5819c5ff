"""Security headers on every response, and templates the strict CSP can serve.

The policy itself is tried in a real browser in tests/test_security_csp.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.fixture
def login_page(db):
    return Client().get("/logga-in/")


def test_csp_allows_only_own_files_and_no_inline_script_or_eval(login_page):
    policy = directives(login_page["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # The only style exceptions: two hashes (plotly's empty <style> and maplibre's fixed CSS).
    assert policy["style-src"] == [
        "'self'",
        settings.CSP_EMPTY_STYLE_HASH,
        settings.CSP_PLOTLY_MAPLIBRE_STYLE_HASH,
    ]
    everything = " ".join(word for words in policy.values() for word in words)
    for unsafe in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "data:", "*", "http:"]:
        assert unsafe not in everything.split(), unsafe


def test_the_style_hash_is_of_the_empty_string():
    import base64
    import hashlib

    empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert f"'sha256-{empty}'" == settings.CSP_EMPTY_STYLE_HASH


def test_other_security_headers(login_page):
    assert login_page["X-Frame-Options"] == "DENY"
    assert login_page["Referrer-Policy"] == "same-origin"
    assert login_page["X-Content-Type-Options"] == "nosniff"
    assert login_page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_production_headers_and_cookies(settings, db):
    """With production values: HSTS on HTTPS, and Secure, HttpOnly cookies."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()

    insecure = client.get("/logga-in/")
    assert insecure.status_code == 301
    assert insecure["Location"].startswith("https://")

    response = client.get("/logga-in/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"]
    assert csrf["samesite"] == "Lax"


def test_session_cookie_flags_in_production(settings, controller_an):
    settings.SESSION_COOKIE_SECURE = True
    client = Client()
    client.force_login(controller_an)
    response = client.get("/byt-losenord/", secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def template_files() -> list[Path]:
    roots = [ROOT / "templates", *ROOT.glob("*/templates")]
    skip = {".venv", "node_modules"}
    return sorted(
        path
        for root in roots
        if root.parts[len(ROOT.parts)] not in skip
        for path in root.rglob("*.html")
    )


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
HTMX_EVAL = re.compile(r"\shx-on[:-]|\shx-vars=|\sjs:", re.IGNORECASE)


def test_there_are_templates_to_check():
    names = {path.name for path in template_files()}
    assert {"base.html", "login.html", "404.html", "accessibility.html"} <= names


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "inline <script> (put JS in static/js and pass data with json_script)"),
        (EVENT_HANDLER, "inline event handler attribute (onclick=…)"),
        (STYLE_ATTRIBUTE, "style attribute (use a class in a static CSS file)"),
        (JAVASCRIPT_URL, "javascript: URL"),
        (HTMX_EVAL, "htmx attribute that needs eval (hx-on, hx-vars, js:)"),
    ],
    ids=["inline-script", "event-handler", "style-attribute", "javascript-url", "htmx-eval"],
)
def test_no_template_needs_what_the_csp_blocks(pattern, what):
    offenders = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders, f"{what}: " + ", ".join(offenders)


@pytest.mark.parametrize(
    ("pattern", "bad", "good"),
    [
        (INLINE_SCRIPT, "<script>alert(1)</script>", '<script src="/static/js/a.js" defer>'),
        (INLINE_SCRIPT, '<script type="module">x()</script>', '<script type="application/json">'),
        (EVENT_HANDLER, '<button onclick="go()">', '<button class="online">'),
        (STYLE_ATTRIBUTE, '<div style="width: 3px">', '<div class="style">'),
        (JAVASCRIPT_URL, '<a href="javascript:void(0)">', '<a href="/javascript/">'),
        (HTMX_EVAL, '<div hx-on:click="x()">', '<div hx-get="/a/">'),
    ],
)
def test_the_template_checks_recognise_what_they_look_for(pattern, bad, good):
    assert pattern.search(bad)
    assert not pattern.search(good)
