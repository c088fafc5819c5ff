"""A real SAML 2.0 identity provider for the tests: pysaml2's own `saml2.server.Server`.

Run as a program (`python tests/idp/saml_idp.py CONFIG.json`), it serves on loopback:
/metadata, /sso/redirect (the AuthnRequest, HTTP-Redirect binding: a login form) and
/sso/login (the form's POST: checks the user in the users file, answers with a signed
assertion and response through the HTTP-POST binding). The users file is read at each login,
so a test changes a user's groups between two logins. The tests also import `Idp` to build
responses by hand (unsigned, expired, for another audience ...).

Keys and certificates are made at test time by `make_key_pair` (openssl); nothing is committed.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import saml2
from saml2 import saml
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

XMLSEC = "/usr/bin/xmlsec1"
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
GROUPS_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"


def make_key_pair(directory: Path, name: str) -> tuple[str, str]:
    """A fresh RSA key and self-signed certificate (PEM files) for `name`."""
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(key), str(cert)


def idp_config(
    base_url: str,
    key: str,
    cert: str,
    sp_metadata: str | list[str] | None,
    lifetime_minutes: int = 5,
) -> dict[str, Any]:
    if isinstance(sp_metadata, str):
        sp_metadata = [sp_metadata]
    return {
        "entityid": f"{base_url}/metadata",
        "xmlsec_binary": XMLSEC,
        "key_file": key,
        "cert_file": cert,
        "metadata": {"local": sp_metadata} if sp_metadata else {},
        "service": {
            "idp": {
                "name": "Test-IdP",
                "endpoints": {
                    "single_sign_on_service": [
                        (f"{base_url}/sso/redirect", saml2.BINDING_HTTP_REDIRECT)
                    ],
                },
                "policy": {"default": {"lifetime": {"minutes": lifetime_minutes}}},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": False,
            }
        },
    }


def idp_metadata_xml(config: dict[str, Any]) -> str:
    loaded = IdPConfig()
    loaded.load(dict(config, metadata={}))
    return str(entity_descriptor(loaded))


class Idp:
    """pysaml2's IdP with the claims Entra ID sends (URIs; groups as ids)."""

    def __init__(self, config: dict[str, Any]) -> None:
        loaded = IdPConfig()
        loaded.load(config)
        self.server = Server(config=loaded)

    def read_request(self, saml_request: str, binding: str = saml2.BINDING_HTTP_REDIRECT):
        return self.server.parse_authn_request(saml_request, binding).message

    def response_xml(
        self,
        request: Any,
        user: dict[str, Any],
        *,
        sign_assertion: bool = True,
        sign_response: bool = True,
        audience: str | None = None,
        name_id_format: str = NAMEID_FORMAT_PERSISTENT,
    ) -> str:
        """The signed <Response> to `request` (a parsed AuthnRequest) for `user`."""
        args = self.server.response_args(request, [saml2.BINDING_HTTP_POST])
        if audience is not None:
            args["sp_entity_id"] = audience
        identity = {
            f"{CLAIMS}/name": [user["username"]],
            f"{CLAIMS}/emailaddress": [user.get("email", user["username"])],
            f"{CLAIMS}/givenname": [user.get("first_name", "")],
            f"{CLAIMS}/surname": [user.get("last_name", "")],
            GROUPS_CLAIM: list(user.get("groups", [])),
        }
        response = self.server.create_authn_response(
            identity,
            userid=user["username"],
            name_id=NameID(format=name_id_format, text=user["subject"]),
            authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": "test-idp"},
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            **args,
        )
        return str(response)

    def post_form(self, response_xml: str, destination: str, relay_state: str) -> str:
        """The auto-posting HTML form that carries the response to the ACS."""
        info = self.server.apply_binding(
            saml2.BINDING_HTTP_POST, response_xml, destination, relay_state, response=True
        )
        return "".join(info["data"]) if isinstance(info["data"], list) else info["data"]


LOGIN_FORM = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Test-IdP: logga in</title></head><body><main><h1>Kommunens inloggning (test)</h1>
{error}<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay}">
<p><label for="username">Användarnamn</label> <input id="username" name="username"></p>
<p><label for="password">Lösenord</label> <input id="password" name="password" type="password"></p>
<button type="submit">Logga in hos IdP</button></form></main></body></html>"""


def make_app(settings: dict[str, Any]):
    idp = Idp(
        idp_config(settings["base_url"], settings["key"], settings["cert"], settings["sp_metadata"])
    )
    metadata = idp_metadata_xml(
        idp_config(settings["base_url"], settings["key"], settings["cert"], None)
    )

    def form(start_response, saml_request: str, relay: str, error: str = "") -> list[bytes]:
        page = LOGIN_FORM.format(
            request=html.escape(saml_request), relay=html.escape(relay), error=error
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [metadata.encode()]
        if path == "/sso/redirect":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            saml_request = query.get("SAMLRequest", [""])[0]
            idp.read_request(saml_request)  # refuses a broken request before the form
            return form(start_response, saml_request, query.get("RelayState", [""])[0])
        if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            fields = parse_qs(environ["wsgi.input"].read(length).decode())
            value = {name: values[0] for name, values in fields.items()}
            users = json.loads(Path(settings["users_file"]).read_text())
            user = users.get(value.get("username", ""))
            if user is None or user["password"] != value.get("password"):
                return form(
                    start_response,
                    value["SAMLRequest"],
                    value.get("RelayState", ""),
                    '<p role="alert">Fel användarnamn eller lösenord.</p>',
                )
            request = idp.read_request(value["SAMLRequest"])
            xml = idp.response_xml(request, dict(user, username=value["username"]))
            destination = idp.server.response_args(request, [saml2.BINDING_HTTP_POST])
            page = idp.post_form(xml, destination["destination"], value.get("RelayState", ""))
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


def main() -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    settings = json.loads(Path(sys.argv[1]).read_text())
    server = make_server("127.0.0.1", settings["port"], make_app(settings), handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
