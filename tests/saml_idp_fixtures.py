"""Fixtures for the SAML tests: keys made by openssl, Styrkort configured as the service
provider, pysaml2's IdP in this process (for hand-made responses) or as a server on loopback
(for the browser). Skipped with the reason when xmlsec1 or openssl is missing, failed instead
when STYRKORT_REQUIRE_BROWSER is set (CI)."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import BROWSER_REQUIRED

IDP_SCRIPT = Path(__file__).parent / "idp" / "saml_idp.py"
GUID_AN = "7c1e2b3a-4d5f-4a6b-8c7d-9e0f1a2b3c4d"
GUID_BIN = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"


def require_programs() -> None:
    for program in ("xmlsec1", "openssl"):
        if shutil.which(program) is None:
            message = f"{program} saknas: installera Debians paket {program} för SAML-testerna"
            if BROWSER_REQUIRED:
                pytest.fail(message)
            pytest.skip(message)


@pytest.fixture(scope="session")
def saml_keys(tmp_path_factory):
    """Fresh key pairs: the IdP's, Styrkort's and a stranger's (for a forged signature)."""
    require_programs()
    from tests.idp.saml_idp import make_key_pair

    directory = tmp_path_factory.mktemp("saml-keys")
    return {name: make_key_pair(directory, name) for name in ("idp", "sp", "stranger")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SamlSetup:
    idp_base_url: str
    sp_base_url: str
    sp_metadata: str
    directory: Path
    keys: dict

    def idp(self, key: str = "idp", lifetime_minutes: int = 5, other_sp: str = ""):
        """pysaml2's IdP, signing with the named key (the metadata names the "idp" one); it
        also knows `other_sp`, a service provider with Styrkort's endpoints under another
        entity id, for an assertion meant for someone else."""
        from tests.idp.saml_idp import Idp, idp_config

        private, cert = self.keys[key]
        metadata = [self.sp_metadata]
        if other_sp:
            other = self.directory / "other-sp-metadata.xml"
            ours = Path(self.sp_metadata).read_text()
            other.write_text(
                ours.replace(f'entityID="{self.sp_entity_id}"', f'entityID="{other_sp}"')
            )
            metadata.append(str(other))
        return Idp(idp_config(self.idp_base_url, private, cert, metadata, lifetime_minutes))

    @property
    def sp_entity_id(self) -> str:
        return f"{self.sp_base_url}/saml2/metadata/"


def configure_saml(settings, keys, directory: Path, sp_base_url: str, idp_port: int) -> SamlSetup:
    """Styrkort as the service provider of the IdP on `idp_port`; metadata for both sides."""
    from saml2.metadata import entity_descriptor

    from goals.saml import sp_config
    from tests.idp.saml_idp import idp_config, idp_metadata_xml

    idp_base_url = f"http://127.0.0.1:{idp_port}"
    idp_metadata = directory / "idp-metadata.xml"
    idp_metadata.write_text(idp_metadata_xml(idp_config(idp_base_url, *keys["idp"], None)))
    settings.ROOT_URLCONF = "tests.saml_urls"
    settings.SAML_IDP_METADATA_FILE = str(idp_metadata)
    settings.SAML_IDP_METADATA_URL = ""
    settings.SAML_SP_BASE_URL = sp_base_url
    settings.SAML_SP_ENTITY_ID = ""
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = keys["sp"]
    settings.SAML_WANT_RESPONSE_SIGNED = True
    settings.SAML_ALLOW_UNSOLICITED = False
    sp_metadata = directory / "sp-metadata.xml"
    sp_metadata.write_text(str(entity_descriptor(sp_config())))
    return SamlSetup(idp_base_url, sp_base_url, str(sp_metadata), directory, keys)


@pytest.fixture
def saml(db, settings, saml_keys, tmp_path):
    """Styrkort configured for SAML behind Django's test client (http://testserver)."""
    return configure_saml(settings, saml_keys, tmp_path, "http://testserver", free_port())


def start_login(client) -> tuple[str, str]:
    """Styrkort's AuthnRequest as the browser carries it to the IdP: (SAMLRequest, RelayState)."""
    response = client.get("/saml2/login/")
    assert response.status_code == 302, response.status_code
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["SAMLRequest"][0], query.get("RelayState", [""])[0]


def post_response(client, xml: str | bytes, relay_state: str = ""):
    raw = xml.encode() if isinstance(xml, str) else xml
    return client.post(
        "/saml2/acs/",
        {"SAMLResponse": base64.b64encode(raw).decode(), "RelayState": relay_state},
    )


@dataclass
class IdpServer:
    setup: SamlSetup
    users_file: Path

    def set_users(self, users: dict) -> None:
        self.users_file.write_text(json.dumps(users))


@pytest.fixture
def saml_idp_server(settings, saml_keys, tmp_path, live_server):
    """pysaml2's IdP as its own process on a free loopback port, Styrkort on live_server."""
    port = free_port()
    setup = configure_saml(settings, saml_keys, tmp_path, live_server.url, port)
    # As in production: the IdP (127.0.0.1) is another site than Styrkort (localhost), so the
    # request state travels in a SameSite=None cookie, which must be Secure (Chromium takes
    # Secure cookies from http://localhost).
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SAML_SESSION_COOKIE_SAMESITE = "None"
    users_file = tmp_path / "users.json"
    users_file.write_text("{}")
    private, cert = saml_keys["idp"]
    config = tmp_path / "idp.json"
    config.write_text(
        json.dumps(
            {
                "port": port,
                "base_url": setup.idp_base_url,
                "key": private,
                "cert": cert,
                "sp_metadata": setup.sp_metadata,
                "users_file": str(users_file),
            }
        )
    )
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, str(IDP_SCRIPT), str(config)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{setup.idp_base_url}/metadata", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"Test-IdP:n startade inte: {process.stderr.read()}")
                time.sleep(0.05)
        yield IdpServer(setup, users_file)
    finally:
        process.terminate()
        process.wait(timeout=10)
