"""Sign-in with SAML 2.0 (djangosaml2 on pysaml2, which verifies signatures through xmlsec1).

pysaml2 verifies the response completely (signature of the assertion, and of the response when
required, issuer, audience, NotBefore/NotOnOrAfter with SAML_CLOCK_SKEW_SECONDS of leeway, and
InResponseTo against the requests this browser sent); only then does `AcsView` read the
assertion, build a `goals.identity.Identity` and call `sign_in`. Every refusal is one
SSO_REFUSED line in the security log and a redirect to the Swedish refusal page: no user, no
session, never a stack trace.

The configuration is built from the settings (SAML_* in config/settings.py) at each request,
so it follows the environment and the tests can point it at an identity provider of their own.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import saml2
from django.conf import settings
from django.contrib import auth
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

import core.cache
from core.security import SecurityEvent, log_security_event
from goals.identity import Identity, InactiveUserError, NoRoleError, sign_in
from goals.models import IdentityProvider

logger = logging.getLogger(__name__)

# The session is Django's own: the user has no password; this backend only loads them again.
SESSION_BACKEND = "goals.identity.IdentityProviderSessionBackend"
USED_ASSERTION_KEY = "saml-assertion-used:{}"
CONFIG_MAX_AGE_SECONDS = 3600
_loaded: dict[str, tuple[float, SPConfig]] = {}


class SamlRefused(Exception):
    """A verified response that still cannot sign anyone in (say why, never the XML)."""


def enabled() -> bool:
    return bool(settings.SAML_IDP_METADATA_FILE or settings.SAML_IDP_METADATA_URL)


def sp_config_dict() -> dict[str, Any]:
    """pysaml2's service provider configuration, from the SAML_* settings."""
    base = settings.SAML_SP_BASE_URL.rstrip("/")
    if settings.SAML_IDP_METADATA_FILE:
        metadata: dict[str, Any] = {"local": [settings.SAML_IDP_METADATA_FILE]}
    else:
        metadata = {"remote": [{"url": settings.SAML_IDP_METADATA_URL}]}
    config: dict[str, Any] = {
        "entityid": settings.SAML_SP_ENTITY_ID or f"{base}{reverse('saml:metadata')}",
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "metadata": metadata,
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.SAML_CLOCK_SKEW_SECONDS,
        "service": {
            "sp": {
                "name": "Styrkort",
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "name_id_format_allow_create": True,
                "endpoints": {
                    "assertion_consumer_service": [
                        (f"{base}{reverse('saml:acs')}", saml2.BINDING_HTTP_POST)
                    ],
                },
                "want_assertions_signed": True,
                "want_response_signed": settings.SAML_WANT_RESPONSE_SIGNED,
                "allow_unsolicited": settings.SAML_ALLOW_UNSOLICITED,
                "only_use_keys_in_metadata": True,
                "authn_requests_signed": bool(settings.SAML_SP_KEY_FILE),
            }
        },
    }
    if settings.SAML_SP_KEY_FILE:
        config["key_file"] = settings.SAML_SP_KEY_FILE
        config["cert_file"] = settings.SAML_SP_CERT_FILE
        config["encryption_keypairs"] = [
            {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
        ]
    return config


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: loaded once an hour per worker, so the IdP's metadata
    URL is not fetched at every request and a renewed IdP certificate is read within the hour."""
    if not enabled():
        raise Http404("Inloggning med SAML är inte aktiverad.")
    wanted = sp_config_dict()
    key = repr(sorted(wanted.items()))
    now = time.monotonic()
    cached_config = _loaded.get(key)
    if cached_config is None or now - cached_config[0] > CONFIG_MAX_AGE_SECONDS:
        config = SPConfig()
        config.load(wanted)
        _loaded.clear()
        _loaded[key] = cached_config = (now, config)
    return cached_config[1]


def attributes(assertion: Any) -> dict[str, list[str]]:
    """The assertion's attributes by their name (and friendly name), exactly as sent: Entra ID
    and ADFS name them by claim URIs, which pysaml2's converters would rename."""
    values: dict[str, list[str]] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute:
            texts = [value.text.strip() for value in attribute.attribute_value if value.text]
            for name in {attribute.name, attribute.friendly_name} - {None, ""}:
                values.setdefault(name.lower(), []).extend(texts)
    return values


def identity_from_assertion(assertion: Any) -> Identity:
    found = attributes(assertion)

    def first(setting: str) -> str:
        name = getattr(settings, setting)
        return (found.get(name.lower()) or [""])[0] if name else ""

    name_id = assertion.subject.name_id
    subject = first("SAML_ATTRIBUTE_SUBJECT")
    if not subject:
        if name_id is None or not (name_id.text or "").strip():
            raise SamlRefused("no NameID")
        if name_id.format == NAMEID_FORMAT_TRANSIENT:
            # A transient id changes at every login: it would make a new user each time.
            raise SamlRefused("transient NameID and no SAML_ATTRIBUTE_SUBJECT")
        subject = name_id.text.strip()
    groups = found.get(settings.SAML_ATTRIBUTE_GROUPS.lower(), [])
    return Identity(
        provider=IdentityProvider.SAML,
        subject=subject,
        username=first("SAML_ATTRIBUTE_USERNAME") or (name_id.text or "" if name_id else ""),
        email=first("SAML_ATTRIBUTE_EMAIL"),
        first_name=first("SAML_ATTRIBUTE_FIRST_NAME"),
        last_name=first("SAML_ATTRIBUTE_LAST_NAME"),
        groups=tuple(groups),
    )


def refusal_redirect(reason: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("goals:sign_in_refused", args=[reason]))


class LoginView(saml_views.LoginView):
    """Sends the browser to the identity provider with a (signed, if keyed) AuthnRequest."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404("Inloggning med SAML är inte aktiverad.")
        return super().dispatch(request, *args, **kwargs)


class MetadataView(saml_views.MetadataView):
    """Styrkort's metadata, to register at Entra ID or ADFS."""


# The IdP posts from another site, with no CSRF token; the signed InResponseTo stands for it.
@method_decorator(csrf_exempt, name="dispatch")
class AcsView(saml_views.AssertionConsumerServiceView):
    """The assertion consumer service: the identity provider posts its response here."""

    refusal: str | None = None
    identity: Identity | None = None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404("Inloggning med SAML är inte aktiverad.")
        # Read before the body is parsed: a huge document is refused without being read.
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > settings.SAML_MAX_RESPONSE_BYTES:
            return self.refuse(request, f"response larger than {settings.SAML_MAX_RESPONSE_BYTES}")
        return super().post(request, *args, **kwargs)

    def custom_validation(self, response: Any) -> None:
        # Called by djangosaml2 only after pysaml2 has verified the response.
        assertion = response.assertion
        if assertion is None or assertion.subject is None:
            self.refusal = "no assertion"
            raise SamlRefused(self.refusal)
        # InResponseTo already stops a replay when unsolicited responses are off; this also
        # stops one when they are allowed (per process: the cache is local to the worker).
        expires = response.not_on_or_after or 0
        timeout = max(int(expires - timezone.now().timestamp()), 0) + 300
        try:
            first_use = cache.add(USED_ASSERTION_KEY.format(assertion.id), True, timeout=timeout)
        except core.cache.UNAVAILABLE as error:
            # Without the record of used assertions a replay cannot be told apart: refuse.
            self.refusal = (
                f"the cache of used assertions cannot be reached ({type(error).__name__})"
            )
            raise SamlRefused(self.refusal) from error
        if not first_use:
            self.refusal = "assertion already used"
            raise SamlRefused(self.refusal)
        self.verified_assertion = assertion

    def authenticate_user(
        self,
        request: HttpRequest,
        session_info: dict[str, Any],
        attribute_mapping: Any,
        create_unknown_user: Any,
        assertion_info: Any,
    ) -> Any:
        try:
            identity = identity_from_assertion(self.verified_assertion)
        except SamlRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        self.identity = identity
        user = sign_in(identity)  # NoRoleError and InactiveUserError reach handle_acs_failure
        auth.login(request, user, backend=SESSION_BACKEND)
        return user

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        # The request's state is spent, whatever the outcome (there is no single logout to keep
        # the subject for): the emptied session drops its cookie, so later pages do not save it
        # at every request.
        saml_session = getattr(request, "saml_session", None)
        if saml_session is not None:
            saml_session.flush()
        return response

    def handle_acs_failure(
        self,
        request: HttpRequest,
        exception: BaseException | None = None,
        status: int = 403,
        **kwargs: Any,
    ) -> HttpResponse:
        # The provider vouched for these two: the log names who it was.
        username = self.identity.username if self.identity else None
        if isinstance(exception, NoRoleError):
            log_security_event(
                SecurityEvent.SSO_NO_ROLE, request=request, user=username, provider="saml"
            )
            return refusal_redirect("ingen-behorighet")
        if isinstance(exception, InactiveUserError):
            log_security_event(
                SecurityEvent.SSO_REFUSED,
                request=request,
                user=username,
                provider="saml",
                reason="inactive account",
            )
            return refusal_redirect("inaktiverat")
        return self.refuse(request, getattr(self, "refusal", None) or _why(exception))

    def refuse(self, request: HttpRequest, why: str, page: str = "misslyckades") -> HttpResponse:
        log_security_event(
            SecurityEvent.SSO_REFUSED, request=request, user=None, provider="saml", reason=why
        )
        return refusal_redirect(page)


def _why(exception: BaseException | None) -> str:
    """The exception's kind and a short message: never the XML it may quote."""
    if exception is None:
        return "unknown"
    if isinstance(exception, PermissionDenied) and isinstance(exception.__cause__, SamlRefused):
        return str(exception.__cause__)
    message = str(exception).splitlines()[0][:200] if str(exception) else ""
    if "<" in message:
        message = ""
    return f"{type(exception).__name__}: {message}".rstrip(": ")


def end_saml_session(sender: object, request: HttpRequest | None, **kwargs: Any) -> None:
    """Logging out of Styrkort also forgets the SAML subject kept for this browser."""
    saml_session = getattr(request, "saml_session", None)
    if saml_session is not None:
        saml_session.flush()
