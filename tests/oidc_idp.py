"""A real OpenID Connect provider for the tests: tests/idp/oidc_provider.mjs (npm oidc-provider).

`start_provider` runs it with `node` on a free loopback port; `Provider.authorize` walks its dev
login and consent pages with plain HTTP and returns where it sends the browser back (the
callback URL with code and state), so tests without a browser get the provider's real codes
and tokens. Without node or the npm package the tests skip, and fail under
STYRKORT_REQUIRE_BROWSER (CI).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
import requests
from django.conf import settings

from tests.conftest import BROWSER_REQUIRED

SCRIPT = Path(settings.BASE_DIR) / "tests" / "idp" / "oidc_provider.mjs"
PACKAGE = Path(settings.BASE_DIR) / "node_modules" / "oidc-provider"
CALLBACK_PATH = "/inloggning/oidc/callback/"
CLIENT_ID = "styrkort"
CLIENT_SECRET = "testhemlighet-" + "x" * 20
OTHER_CLIENT_ID = "annan-app"
OTHER_CLIENT_SECRET = "annan-hemlighet-" + "y" * 20
OTHER_REDIRECT = "http://annan.invalid/callback"


def node_or_skip() -> str:
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node saknas (Debians paket nodejs)"
    elif not PACKAGE.exists():
        missing = f"{PACKAGE} saknas (kör npm ci)"
    else:
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
        if int(version.strip().lstrip("v").split(".")[0]) < 20:
            missing = f"oidc-provider 9 behöver Node.js 20 eller senare, inte {version.strip()}"
    if missing:
        if BROWSER_REQUIRED:
            pytest.fail(f"OIDC-leverantören kan inte startas: {missing}")
        print(f"Hoppar över OIDC-testerna: {missing}")
        pytest.skip(f"OIDC-leverantören kan inte startas: {missing}")
    assert node is not None
    return node


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    url: str
    accounts_file: Path
    accounts: dict[str, dict] = field(default_factory=dict)

    def set_account(self, login: str, groups: list[str], **claims: str) -> None:
        """Add or change an account; the provider reads the file at every sign-in."""
        self.accounts[login] = {
            "email": f"{login}@kommun.example",
            "given_name": login.capitalize(),
            "family_name": "Testsson",
            **claims,
            "groups": groups,
        }
        self.accounts_file.write_text(json.dumps(self.accounts), encoding="utf-8")

    def settings(self, *, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict:
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": client_id,
            "OIDC_RP_CLIENT_SECRET": secret,
            "OIDC_OP_DISCOVERY_URL": "",
            "OIDC_OP_ISSUER": self.url,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_OP_LOGOUT_URL": "",
        }

    def authorize(self, authorization_url: str, login: str) -> str:
        """Sign in at the provider (any password) and consent; the URL it redirects back to."""
        session = requests.Session()
        url = authorization_url
        for _ in range(12):
            response = session.get(url, allow_redirects=False, timeout=10)
            while response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.url):
                    return url
                response = session.get(url, allow_redirects=False, timeout=10)
            response.raise_for_status()
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert action, response.text[:500]
            if 'name="login"' in response.text:
                form = {"prompt": "login", "login": login, "password": "valfritt"}
            else:
                form = {"prompt": "consent"}
            response = session.post(
                urljoin(url, unescape(action.group(1))), data=form, allow_redirects=False
            )
            assert response.is_redirect, response.text[:500]
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.url):
                return url
        raise AssertionError("The provider never sent the browser back.")

    def token_for_other_client(self, *, login: str, nonce: str) -> dict:
        """A real token response issued to the second client (another audience)."""
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": OTHER_CLIENT_ID,
                "redirect_uri": OTHER_REDIRECT,
                "scope": "openid email profile",
                "state": secrets.token_urlsafe(16),
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        back = self.authorize(f"{self.url}/auth?{query}", login)
        code = re.search(r"[?&]code=([^&]+)", back)
        assert code, back
        response = requests.post(
            f"{self.url}/token",
            data={
                "grant_type": "authorization_code",
                "code": code.group(1),
                "redirect_uri": OTHER_REDIRECT,
                "client_id": OTHER_CLIENT_ID,
                "client_secret": OTHER_CLIENT_SECRET,
                "code_verifier": verifier,
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


@contextlib.contextmanager
def start_provider(directory: Path, styrkort_base_urls: list[str]) -> Iterator[Provider]:
    """The provider with our client (callbacks on these base URLs) and a second client."""
    node = node_or_skip()
    port = free_port()
    accounts_file = directory / "accounts.json"
    accounts_file.write_text("{}", encoding="utf-8")
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [base + CALLBACK_PATH for base in styrkort_base_urls],
                "post_logout_redirect_uris": [base + "/logga-in/" for base in styrkort_base_urls],
            },
            {
                "client_id": OTHER_CLIENT_ID,
                "client_secret": OTHER_CLIENT_SECRET,
                "redirect_uris": [OTHER_REDIRECT],
            },
        ],
        "accounts_file": str(accounts_file),
    }
    config_file = directory / "provider.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    log = (directory / "provider.log").open("w")
    process = subprocess.Popen(
        [node, str(SCRIPT), str(port), str(config_file)], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{url}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "OIDC-leverantören startade inte: "
                        + (directory / "provider.log").read_text()[-2000:]
                    )
                time.sleep(0.1)
        yield Provider(url=url, accounts_file=accounts_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
