"""Swedish error pages that show nothing of the error (DEBUG is off in tests, as in production)."""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import include, path
from django.views import defaults

SECRET = "hemlig-intern-detalj-7f3a"


@login_not_required
def crash(request):
    raise RuntimeError(f"database password is {SECRET}")


@login_not_required
def forbidden(request):
    raise PermissionDenied(f"intern regel {SECRET}")


@login_not_required
def missing(request):
    raise Http404(f"No Board matches the given query ({SECRET}).")


@login_not_required
def suspicious(request):
    raise SuspiciousOperation(f"konstig förfrågan {SECRET}")


urlpatterns = [
    path("test-krasch/", crash),
    path("test-forbjuden/", forbidden),
    path("test-saknas/", missing),
    path("test-misstankt/", suspicious),
    path("", include("config.urls")),
]

pytestmark = pytest.mark.urls(__name__)

LEAKS = ["Traceback", SECRET, "RuntimeError", "Page not found", "Server Error", "DEBUG", "urls.py"]


def assert_no_internals(text: str):
    for leak in LEAKS:
        assert leak not in text, f"error page shows {leak!r}"


def assert_swedish_page(text: str, title: str):
    assert '<html lang="sv">' in text
    assert f"<h1>{title}</h1>" in text
    assert 'class="skip-link"' in text


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def test_debug_is_off_in_tests(settings):
    assert settings.DEBUG is False


def test_unknown_address_gives_the_swedish_404(anonymous, db):
    response = anonymous.get("/finns-inte-alls/")
    assert response.status_code == 404
    text = response.content.decode()
    assert_swedish_page(text, "Sidan finns inte")
    assert "Felkod 404" in text
    assert_no_internals(text)


def test_404_from_a_view_hides_the_exception_message(anonymous, db):
    response = anonymous.get("/test-saknas/")
    assert response.status_code == 404
    text = response.content.decode()
    assert_swedish_page(text, "Sidan finns inte")
    assert "No Board matches" not in text
    assert_no_internals(text)


def test_404_for_a_logged_in_user_on_another_board(client, controller_other, board_an):
    client.force_login(controller_other)
    response = client.get("/namnd/AN/2022/malstruktur/")
    assert response.status_code == 404
    text = response.content.decode()
    assert_swedish_page(text, "Sidan finns inte")
    assert "Arbetsmarknadsnämnden" not in text


def test_500_is_swedish_and_shows_nothing_of_the_error(anonymous, db):
    response = anonymous.get("/test-krasch/")
    assert response.status_code == 500
    text = response.content.decode()
    assert_swedish_page(text, "Något gick fel")
    assert "Felkod 500" in text
    assert_no_internals(text)


def test_500_page_renders_without_the_database():
    """No `db` fixture: any query here would fail the test."""
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


def test_403_is_swedish(anonymous, db):
    response = anonymous.get("/test-forbjuden/")
    assert response.status_code == 403
    text = response.content.decode()
    assert_swedish_page(text, "Åtkomst nekad")
    assert_no_internals(text)


def test_400_is_swedish(anonymous, db):
    response = anonymous.get("/test-misstankt/")
    assert response.status_code == 400
    text = response.content.decode()
    assert_swedish_page(text, "Felaktig förfrågan")
    assert_no_internals(text)


def test_csrf_failure_is_swedish_and_explains_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/logga-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    text = response.content.decode()
    assert_swedish_page(text, "Formuläret kunde inte skickas")
    assert "ladda om sidan" in text
    assert "CSRF" not in text


def test_error_pages_carry_the_security_headers(anonymous, db):
    response = anonymous.get("/test-krasch/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
