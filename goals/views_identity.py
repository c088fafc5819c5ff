"""The page a person sees when the identity provider's sign-in does not let them in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from goals.identity import INACTIVE_MESSAGE, NO_ROLE_MESSAGE

FAILED_MESSAGE = (
    "Inloggningen genom kommunens identitetstjänst kunde inte genomföras: svaret från "
    "identitetstjänsten godtogs inte. Försök igen; kvarstår felet, kontakta Styrkorts "
    "administratör och ange tidpunkten."
)

# URL word → (heading, message). The protocol glue redirects here; nothing is read from the
# query string, so the page can never be made to say something else.
REFUSALS = {
    "ingen-behorighet": ("Ingen behörighet i Styrkort", NO_ROLE_MESSAGE),
    "inaktiverat": ("Kontot är inaktiverat", INACTIVE_MESSAGE),
    "misslyckades": ("Inloggningen misslyckades", FAILED_MESSAGE),
}


@login_not_required
@require_GET
def sign_in_refused(request: HttpRequest, reason: str) -> HttpResponse:
    if reason not in REFUSALS:
        raise Http404("Sidan finns inte.")
    heading, message = REFUSALS[reason]
    return render(
        request,
        "goals/sign_in_refused.html",
        {"heading": heading, "message": message},
        status=403,
    )
