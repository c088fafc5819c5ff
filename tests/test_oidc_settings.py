"""The OIDC and password settings come from the environment, and a wrong value stops the start."""

from __future__ import annotations

import pytest

from tests.test_deploy_check import manage, production_env

OIDC_ENV = {
    "OIDC_RP_CLIENT_ID": "styrkort",
    "OIDC_RP_CLIENT_SECRET": "hemlighet-fran-miljon",
    "OIDC_OP_DISCOVERY_URL": "https://login.example/tenant/v2.0/.well-known/openid-configuration",
    "OIDC_OP_LOGOUT_URL": "https://login.example/tenant/oauth2/v2.0/logout",
    "STYRKORT_PASSWORD_LOGIN": "admins",
}


def test_check_deploy_stays_clean_with_oidc_configured():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**OIDC_ENV))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_providers_logout_origin_is_allowed_as_a_form_target():
    code = (
        "from django.conf import settings; "
        "print(settings.OIDC_ENABLED, settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = manage("shell", "-c", code, env=production_env(**OIDC_ENV))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True [\"'self'\", 'https://login.example']"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"OIDC_RP_CLIENT_SECRET": ""}, "OIDC_RP_CLIENT_SECRET must be set"),
        ({"OIDC_OP_DISCOVERY_URL": ""}, "Set OIDC_OP_DISCOVERY_URL, or OIDC_OP_ISSUER"),
        ({"OIDC_RP_SIGN_ALGO": "HS256"}, "OIDC_RP_SIGN_ALGO must be an RS or ES algorithm"),
        ({"STYRKORT_PASSWORD_LOGIN": "ja"}, "STYRKORT_PASSWORD_LOGIN must be on, admins or off"),
    ],
)
def test_a_wrong_setting_stops_the_start(overrides, message):
    result = manage("check", env=production_env(**{**OIDC_ENV, **overrides}))
    assert result.returncode != 0
    assert message in result.stderr
