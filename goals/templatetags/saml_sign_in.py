"""The login page's button for SAML sign-in, shown only when SAML is configured."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from goals import saml

register = template.Library()


@register.inclusion_tag("goals/saml_sign_in_button.html")
def saml_sign_in_button(next_url: str = "") -> dict[str, str]:
    if not saml.enabled():
        return {}
    try:
        url = reverse("saml:login")
    except NoReverseMatch:  # configured, but the URLs were loaded before it was
        return {}
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return {"url": url, "label": settings.SAML_BUTTON_LABEL}
