"""The Texter page (reports.views.narratives): every narrative section of a document's outline
with its text, saved one section at a time, with htmx or a plain POST."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import NarrativeText, ReportingOccasion
from goals.narrative_services import save_narrative
from reports.outline import narrative_sections

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
VB = "verksamhetsberattelse"
State = ReportingOccasion.State


@pytest.fixture
def helar(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")


def page_url(document=VB, year=2022):
    return reverse("reports:narratives", args=["AN", year, document])


def save_url(section, document=VB):
    return reverse("reports:narrative_save", args=["AN", 2022, document, section])


def stored(section="handelser", document=VB):
    return NarrativeText.objects.get(
        board__code="AN", year=2022, document=document, section=section
    )


def test_urls_are_the_documented_ones():
    assert page_url() == "/namnd/AN/2022/verksamhetsberattelse/texter/"
    assert save_url("handelser") == "/namnd/AN/2022/verksamhetsberattelse/texter/handelser/"


def test_the_page_lists_every_section_in_outline_order_under_its_heading(
    client, controller_an, helar
):
    client.force_login(controller_an)
    response = client.get(page_url())
    assert response.status_code == 200
    html = response.content.decode()
    keys = re.findall(r'<form id="text-([a-z-]+)"', html)
    assert keys == [line.key for line in narrative_sections(VB)]
    assert len(keys) == 23
    # "Händelser av väsentlig betydelse" is the heading above the section of the same name,
    # and "Upphandlingsplan" sits under its own level-3 heading.
    assert html.index("<h2>Händelser av väsentlig betydelse</h2>") < html.index(
        'id="text-handelser"'
    )
    assert 'name="version" value="0"' in html
    assert "En tom rad mellan stycken" in html
    assert 'hx-post="/namnd/AN/2022/verksamhetsberattelse/texter/handelser/"' in html


def test_a_plan_has_its_own_sections_and_needs_no_occasion(client, controller_an, board_an):
    client.force_login(controller_an)
    html = client.get(page_url("internbudget")).content.decode()
    assert re.findall(r'<form id="text-([a-z-]+)"', html) == [
        line.key for line in narrative_sections("internbudget")
    ]
    assert "<textarea" in html


def test_htmx_save_swaps_the_form_and_stores_the_text(client, controller_an, helar):
    client.force_login(controller_an)
    response = client.post(
        save_url("handelser"), {"text": "Ett stycke.\r\n\r\n- en punkt", "version": "0"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<form id="text-handelser"') or '<form id="text-handelser"' in html
    assert "Sparat (version 1)" in html
    assert 'name="version" value="1"' in html
    assert stored().text == "Ett stycke.\n\n- en punkt"
    assert stored().history.get().history_user == controller_an


def test_plain_post_redirects_back_to_the_section(client, controller_an, helar):
    client.force_login(controller_an)
    response = client.post(save_url("bedomning"), {"text": "Utan JS.", "version": "0"})
    assert response.status_code == 302
    assert response["Location"] == page_url() + "#text-bedomning"
    page = client.get(response["Location"]).content.decode()
    assert "Texten ”Bedömning och analys, inledning” är sparad." in page
    assert "Utan JS.</textarea>" in page


def test_a_conflict_shows_the_saved_text_and_keeps_what_was_typed(
    client, controller_an, admin_user, board_an, helar
):
    save_narrative(
        user=admin_user,
        board=board_an,
        year=2022,
        document=VB,
        section="handelser",
        text="Administratörens **text**.",
        expected_version=0,
    )
    client.force_login(controller_an)
    for headers in (HTMX, {}):
        response = client.post(
            save_url("handelser"), {"text": "Min text <b>här</b>", "version": "0"}, **headers
        )
        html = response.content.decode()
        assert response.status_code == (200 if headers else 409)
        assert "sparade här" in html and "medan du skrev" in html
        assert "Administratörens <strong>text</strong>." in html  # the other's, as the document
        assert "Min text &lt;b&gt;här&lt;/b&gt;</textarea>" in html  # the user's, kept
        assert 'name="version" value="1"' in html  # saving again replaces the other's
    assert stored().text == "Administratörens **text**."
    client.post(save_url("handelser"), {"text": "Min text", "version": "1"}, **HTMX)
    assert (stored().text, stored().version) == ("Min text", 2)


def test_errors_are_shown_at_the_field(client, controller_an, helar):
    client.force_login(controller_an)
    response = client.post(save_url("handelser"), {"text": "x" * 20_001, "version": "0"}, **HTMX)
    html = response.content.decode()
    assert "högst 20 000 tecken" in html
    assert 'aria-invalid="true"' in html
    response = client.post(save_url("handelser"), {"text": "Text", "version": "gammal"})
    assert response.status_code == 400
    assert "Ladda om sidan" in response.content.decode()
    assert not NarrativeText.objects.exists()


def test_an_unknown_document_or_section_is_404(client, controller_an, helar):
    client.force_login(controller_an)
    assert client.get(page_url("arsredovisning")).status_code == 404
    response = client.post(save_url("inte-i-mallen"), {"text": "x", "version": "0"})
    assert response.status_code == 404
    # A section of another document's outline is not one of this document's.
    response = client.post(save_url("sammanfattning"), {"text": "x", "version": "0"})
    assert response.status_code == 404
    assert not NarrativeText.objects.exists()


@pytest.mark.parametrize(
    ("state", "message"), [(State.SUBMITTED, "inskickat"), (State.APPROVED, "godkänt och låst")]
)
def test_locked_occasion_shows_the_texts_without_fields(
    client, controller_an, board_an, helar, state, message
):
    save_narrative(
        user=controller_an,
        board=board_an,
        year=2022,
        document=VB,
        section="handelser",
        text="Låst <script>alert(1)</script> text",
        expected_version=0,
    )
    ReportingOccasion.objects.filter(pk=helar.pk).update(state=state)
    client.force_login(controller_an)
    html = client.get(page_url()).content.decode()
    assert message in html
    assert "<textarea" not in html and "hx-post" not in html
    assert "Låst &lt;script&gt;alert(1)&lt;/script&gt; text" in html
    response = client.post(save_url("handelser"), {"text": "Nytt", "version": "1"}, **HTMX)
    assert message in response.content.decode()
    assert stored().text == "Låst <script>alert(1)</script> text"


def test_a_follow_up_document_without_its_occasion_is_read_only(client, controller_an, board_an):
    client.force_login(controller_an)
    html = client.get(page_url("delar2")).content.decode()
    assert "inget tillfälle delår 2 2022" in html
    assert "<textarea" not in html


def test_who_may_write(
    client,
    board_an,
    helar,
    controller_an,
    admin_user,
    secretary_an,
    manager_an,
    controller_other,
    outsider,
):
    for user, status in [
        (controller_an, 200),
        (admin_user, 200),
        (secretary_an, 403),  # sees the board, does not enter for it (Action.ENTER)
        (manager_an, 403),
        (controller_other, 404),
        (outsider, 404),
    ]:
        client.force_login(user)
        assert client.get(page_url()).status_code == status, user.username
        response = client.post(save_url("handelser"), {"text": "x", "version": "0"})
        assert response.status_code == (302 if status == 200 else status), user.username
        NarrativeText.objects.all().delete()
    client.logout()
    assert client.get(page_url()).status_code == 302


def test_the_board_nav_links_the_page_for_those_who_write(
    client, board_an, helar, controller_an, manager_an
):
    link = f'href="{page_url()}"'
    client.force_login(controller_an)
    assert (
        link in client.get(reverse("reports:board_dashboard", args=["AN", 2022])).content.decode()
    )
    client.force_login(manager_an)
    assert (
        link
        not in client.get(reverse("reports:board_dashboard", args=["AN", 2022])).content.decode()
    )


def test_query_count_does_not_grow_with_the_texts(client, controller_an, board_an, helar):
    client.force_login(controller_an)
    sections = narrative_sections(VB)

    def count() -> int:
        client.get(page_url())  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url()).status_code == 200
        return len(queries)

    save_narrative(
        user=controller_an,
        board=board_an,
        year=2022,
        document=VB,
        section=sections[0].key,
        text="Ett",
        expected_version=0,
    )
    one = count()
    for line in sections[1:]:
        save_narrative(
            user=controller_an,
            board=board_an,
            year=2022,
            document=VB,
            section=line.key,
            text=f"Text i {line.title}\n\n- punkt",
            expected_version=0,
        )
    assert count() == one
    assert one <= 8


def test_the_document_pages_link_their_texts_for_those_who_write(
    client, board_an, helar, controller_an, manager_an
):
    pages = [
        (reverse("reports:report", args=["AN", 2022]), page_url()),
        (reverse("reports:internbudget", args=["AN", 2022]), page_url("internbudget")),
        (reverse("reports:verksamhetsplan", args=["AN", 2022]), page_url("verksamhetsplan")),
    ]
    for document_page, texts in pages:
        client.force_login(controller_an)
        assert f'href="{texts}"' in client.get(document_page).content.decode(), document_page
        client.force_login(manager_an)
        assert f'href="{texts}"' not in client.get(document_page).content.decode(), document_page
