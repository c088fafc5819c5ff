"""Types the apps share in annotations.

Every view behind LoginRequiredMiddleware (all but the login, status and error pages) is
called with a signed-in user; django-stubs types `request.user` as possibly anonymous, so those
views take this request type and the services they call can ask for a `User`.
The type is for annotations only: Django never builds one.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

# Who a read or an access check may be asked about: anyone, signed in or not.
AnyUser = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django_htmx's middleware on every request
