"""Sign-in with OpenID Connect (authorization code flow with PKCE, mozilla-django-oidc).

The library sends the browser to the provider and keeps state, nonce and PKCE verifier in the
session; this module does the rest and trusts nothing it has not checked: the ID token's
signature against the provider's JWKS, `alg`, `iss`, `aud` (our client id; `azp` when there are
several audiences), `exp`, `iat` and `nbf` with a small leeway, and the nonce. Only then is an
`Identity` built and `goals.identity.sign_in` called. The library's own check leaves the
audience and the issuer unverified and lets expiry errors escape as exceptions, hence the
verifier here.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from goals.identity import Identity, sign_in
from goals.models import IdentityProvider

BACKEND_PATH = "goals.oidc.OIDCBackend"


class TokenRefused(Exception):
    """The provider's answer was not accepted; `reason` goes to the security log."""

    def __init__(self, reason: str, **detail: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ProviderEndpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str


_discovered: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def _discovery_document(url: str) -> dict[str, Any]:
    """The provider's metadata, fetched once per process (a restart reads it again)."""
    with _discovery_lock:
        if url not in _discovered:
            try:
                response = requests.get(
                    url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL
                )
                response.raise_for_status()
                document = response.json()
            except (requests.RequestException, ValueError) as exc:
                raise TokenRefused("discovery_failed", error=type(exc).__name__) from None
            issuer = str(document.get("issuer", ""))
            # OpenID Connect Discovery 1.0, 4.3: the document is the issuer's own.
            if url != issuer.rstrip("/") + "/.well-known/openid-configuration":
                raise TokenRefused("discovery_issuer_mismatch", issuer=issuer[:200])
            _discovered[url] = document
        return _discovered[url]


def endpoints() -> ProviderEndpoints:
    """The provider's endpoints: each explicit setting, else the discovery document's."""
    document: dict[str, Any] = {}
    if settings.OIDC_OP_DISCOVERY_URL:
        document = _discovery_document(settings.OIDC_OP_DISCOVERY_URL)

    def pick(setting: str, key: str) -> str:
        return str(getattr(settings, setting, "") or document.get(key, "") or "")

    found = ProviderEndpoints(
        issuer=pick("OIDC_OP_ISSUER", "issuer"),
        authorization=pick("OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
        token=pick("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint"),
        userinfo=pick("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint"),
        jwks=pick("OIDC_OP_JWKS_ENDPOINT", "jwks_uri"),
    )
    if not (found.issuer and found.authorization and found.token and found.jwks):
        raise TokenRefused("endpoints_missing")
    return found


def groups_from_claims(claims: dict[str, Any]) -> tuple[str, ...]:
    """The groups claim as a tuple of strings (Entra sends a list of GUIDs)."""
    raw = claims.get(settings.OIDC_GROUPS_CLAIM)
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    return tuple(str(group).strip() for group in raw if isinstance(group, (str, int)))


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    return Identity(
        provider=IdentityProvider.OIDC,
        subject=str(claims["sub"]),
        username=str(claims.get("preferred_username") or ""),
        email=str(claims.get("email") or ""),
        first_name=str(claims.get("given_name") or ""),
        last_name=str(claims.get("family_name") or ""),
        groups=groups_from_claims(claims),
    )


def provider_logout_url(request: HttpRequest, id_token: str) -> str:
    """RP-initiated logout at the provider, back to our login page afterwards."""
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("core:login")),
        "client_id": settings.OIDC_RP_CLIENT_ID,
    }
    separator = "&" if "?" in settings.OIDC_OP_LOGOUT_URL else "?"
    return f"{settings.OIDC_OP_LOGOUT_URL}{separator}{urlencode(params)}"


class OIDCBackend(OIDCAuthenticationBackend):
    """Exchanges the code, verifies the ID token and signs the person in.

    `authenticate` answers None: there are no credentials to check through
    `django.contrib.auth.authenticate` (the password form must never reach this backend). The
    callback view calls `sign_in_with_code` instead. Listed in AUTHENTICATION_BACKENDS so the
    sessions it opens are restored, with Django's check that the user is still active.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Endpoints are read when a sign-in needs them, not each time Django loads backends.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def authenticate(self, request: Any, **kwargs: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> Any:
        return ModelBackend.get_user(self, user_id)

    def _configure(self) -> None:
        found = endpoints()
        self.endpoints = found
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_USER_ENDPOINT = found.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def sign_in_with_code(
        self, request: HttpRequest, *, code: str, nonce: str, code_verifier: str | None
    ) -> tuple[Any, str]:
        """(user, ID token) for a verified code; raises TokenRefused, NoRoleError,
        InactiveUserError."""
        self.request = request
        self._configure()
        payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.build_absolute_uri(reverse("goals:oidc_callback")),
        }
        if code_verifier:
            payload["code_verifier"] = code_verifier
        try:
            token_info = self.get_token(payload)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            raise TokenRefused("token_request_refused", status=status) from None
        except (requests.RequestException, ValueError) as exc:
            raise TokenRefused("token_request_failed", error=type(exc).__name__) from None
        id_token = token_info.get("id_token") if isinstance(token_info, dict) else None
        if not isinstance(id_token, str) or not id_token:
            raise TokenRefused("no_id_token")
        claims = self.verify_id_token(id_token, nonce=nonce)
        access_token = token_info.get("access_token")
        if self.OIDC_OP_USER_ENDPOINT and isinstance(access_token, str) and access_token:
            # The signed ID token wins over userinfo where both name a claim.
            claims = {**self.verified_userinfo(access_token, subject=claims["sub"]), **claims}
        user = sign_in(identity_from_claims(claims))
        return user, id_token

    def verify_id_token(self, token: str, *, nonce: str) -> dict[str, Any]:
        """The ID token's claims, after every check OpenID Connect Core 3.1.3.7 asks for."""
        algorithm = self.OIDC_RP_SIGN_ALGO
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("malformed_token") from None
        if header.get("alg") != algorithm:
            raise TokenRefused("wrong_algorithm", alg=str(header.get("alg"))[:20])
        try:
            key = self.retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise TokenRefused("unknown_signing_key", kid=str(header.get("kid"))[:100]) from None
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise TokenRefused("jwks_failed", error=type(exc).__name__) from None
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.endpoints.issuer,
                # Times are checked below against this module's clock, with the leeway.
                options={
                    "require": ["iss", "sub", "aud", "exp", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise TokenRefused("bad_signature") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("wrong_audience") from None
        except jwt.InvalidIssuerError:
            raise TokenRefused("wrong_issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRefused("missing_claim", claim=exc.claim) from None
        except jwt.PyJWTError as exc:
            raise TokenRefused("invalid_token", error=type(exc).__name__) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.OIDC_RP_CLIENT_ID:
            raise TokenRefused("wrong_authorized_party")
        self._check_times(claims)
        token_nonce = claims.get("nonce")
        if not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce, nonce):
            raise TokenRefused("wrong_nonce")
        if not str(claims["sub"]):
            raise TokenRefused("missing_claim", claim="sub")
        return claims

    @staticmethod
    def _check_times(claims: dict[str, Any]) -> None:
        now = time.time()
        leeway = settings.OIDC_LEEWAY_SECONDS
        for name in ("exp", "iat", "nbf"):
            if name in claims and not isinstance(claims[name], (int, float)):
                raise TokenRefused("invalid_time_claim", claim=name)
        if now > claims["exp"] + leeway:
            raise TokenRefused("expired", seconds_ago=int(now - claims["exp"]))
        if claims["iat"] > now + leeway or claims.get("nbf", 0) > now + leeway:
            raise TokenRefused("not_yet_valid")
        if now - claims["iat"] > settings.OIDC_MAX_TOKEN_AGE_SECONDS + leeway:
            raise TokenRefused("issued_too_long_ago")

    def verified_userinfo(self, access_token: str, *, subject: str) -> dict[str, Any]:
        try:
            response = requests.get(
                self.OIDC_OP_USER_ENDPOINT,
                headers={"Authorization": f"Bearer {access_token}"},
                verify=settings.OIDC_VERIFY_SSL,
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            info = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TokenRefused("userinfo_failed", error=type(exc).__name__) from None
        if not isinstance(info, dict):
            raise TokenRefused("userinfo_failed", error="not an object")
        # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
        if info.get("sub") != subject:
            raise TokenRefused("userinfo_subject_mismatch")
        return info
