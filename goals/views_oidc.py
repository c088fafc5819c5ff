"""The two OpenID Connect pages: off to the provider, and back from it (goals.oidc verifies)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from core.security import SESSION_LOGOUT_REDIRECT_KEY, SecurityEvent, log_security_event
from goals.identity import InactiveUserError, NoRoleError
from goals.oidc import BACKEND_PATH, OIDCBackend, TokenRefused, endpoints, provider_logout_url

STATES_KEY = "oidc_states"  # mozilla-django-oidc's session key: state → nonce, PKCE verifier


def _require_enabled() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Inloggning med OpenID Connect är inte påslagen.")


def _refused(
    request: HttpRequest, reason: str, *, page: str = "misslyckades", **detail: object
) -> HttpResponse:
    log_security_event(
        SecurityEvent.SSO_REFUSED, request=request, protocol="oidc", reason=reason, **detail
    )
    return redirect("goals:sign_in_refused", reason=page)


class _RequestView(OIDCAuthenticationRequestView):
    """The library's redirect (state, nonce, PKCE challenge), with the endpoint read when used."""

    def __init__(self, **kwargs: object) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints().authorization
        except TokenRefused as exc:
            return _refused(request, exc.reason, **exc.detail)
        return super().get(request)


oidc_login = login_not_required(never_cache(_RequestView.as_view()))


@login_not_required
@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error).

    A state this session did not start (a replayed, forged or stale answer) is refused before
    anything is sent to the provider; a state is used once. Refusals never touch a session that
    is already logged in, so a crafted link cannot log anyone out.
    """
    _require_enabled()
    states = request.session.get(STATES_KEY) or {}
    state = request.GET.get("state", "")
    entry = states.pop(state, None) if state else None
    if entry is not None:
        request.session[STATES_KEY] = states
        request.session.save()  # used up before the slow exchange, so a second try fails
    if request.GET.get("error"):
        return _refused(request, "provider_error", error=request.GET["error"][:100])
    code = request.GET.get("code", "")
    if not code or not state:
        return _refused(request, "missing_code_or_state")
    if entry is None:
        return _refused(request, "unknown_state")
    try:
        user, id_token = OIDCBackend().sign_in_with_code(
            request,
            code=code,
            nonce=entry.get("nonce", ""),
            code_verifier=entry.get("code_verifier"),
        )
    except TokenRefused as exc:
        return _refused(request, exc.reason, **exc.detail)
    except NoRoleError:
        log_security_event(SecurityEvent.SSO_NO_ROLE, request=request, protocol="oidc")
        return redirect("goals:sign_in_refused", reason="ingen-behorighet")
    except InactiveUserError:
        return _refused(request, "inactive_user", page="inaktiverat")
    # The library checked `next` when the login started (same host only).
    next_url = request.session.pop("oidc_login_next", None) or resolve_url(
        settings.LOGIN_REDIRECT_URL
    )
    auth.login(request, user, backend=BACKEND_PATH)
    if settings.OIDC_OP_LOGOUT_URL:
        request.session[SESSION_LOGOUT_REDIRECT_KEY] = provider_logout_url(request, id_token)
    return HttpResponseRedirect(next_url)
