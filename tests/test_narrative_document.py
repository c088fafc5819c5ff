"""The document on screen: the verksamhetsberättelse and plan pages walk the outline, with the
headings, the narrative texts (escaped; lists, bold, italic, http(s) links) and the tables where
the outline names them (reports.renderers.html.document_parts, templates/reports/_document.html).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import NarrativeText, ReportingOccasion
from goals.narrative_services import save_narrative
from reports.narrative import Block, Run
from reports.outline import narrative_sections
from reports.renderers.narrative_html import narrative_nodes

VB = "verksamhetsberattelse"


def html_of(text: str, heading_level: int = 3) -> str:
    nodes = narrative_nodes(text, heading_level=heading_level)
    return render_to_string("reports/_narrative.html", {"nodes": nodes})


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_paragraphs_lists_and_styles_become_their_elements():
    html = squeeze(
        html_of(
            "Ett *kursivt* och **fett** stycke.\n\n- ett\n- två\n  - under två\n\n"
            "1. första\n2. andra\n\nSlut."
        )
    )
    assert html == (
        '<div class="narrative"><p>Ett <em>kursivt</em> och <strong>fett</strong> stycke.</p>'
        "<ul><li>ett</li><li>två<ul><li>under två</li></ul></li></ul>"
        "<ol><li>första</li><li>andra</li></ol><p>Slut.</p></div>"
    )


def test_a_list_item_may_go_on_with_a_paragraph_and_numbering_keeps_its_start():
    html = squeeze(html_of("3. tre\n\n   fortsättning\n4. fyra"))
    assert html == (
        '<div class="narrative"><ol start="3"><li>tre<p>fortsättning</p></li><li>fyra</li>'
        "</ol></div>"
    )


def test_headings_sit_below_the_outline_heading_relative_to_the_texts_shallowest():
    html = squeeze(html_of("## Ekonomi\n\ntext\n\n### Under\n\nmer", heading_level=4))
    assert '<h4 class="narrative-heading">Ekonomi</h4>' in html
    assert '<h5 class="narrative-heading">Under</h5>' in html
    assert "<h6" in squeeze(html_of("### a\n\n#### b", heading_level=6))  # never past h6


def test_user_text_is_escaped_and_only_http_links_are_links():
    html = html_of('<script>alert("x")</script> & <https://skr.se/rapport.pdf>')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in html
    assert '<a href="https://skr.se/rapport.pdf">https://skr.se/rapport.pdf</a>' in html
    unsafe = [Block("paragraph", [Run("klicka", link="javascript:alert(1)")])]
    nodes = narrative_nodes(unsafe)
    html = render_to_string("reports/_narrative.html", {"nodes": nodes})
    assert "klicka" in html and "<a" not in html and "javascript" not in html


@pytest.mark.django_db
def test_the_verksamhetsberattelse_page_draws_the_document_in_outline_order(
    client, demo_data, admin_user
):
    client.force_login(admin_user)
    html = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    order = [
        '<h2 class="document-heading">Nämndens uppdrag</h2>',
        '<div id="text-namndens-uppdrag">',
        "<li>Kommunens beställning av offentlig serviceanställning, OSA</li>",
        '<h3 class="document-heading">Händelser av väsentlig betydelse</h3>',
        '<h4 class="narrative-heading">Arbete med organisationsstruktur</h4>',
        "inte är <em>i aktiv planering</em> hos",
        '<h3 class="document-heading">Ekonomi, belopp i tkr</h3>',
        '<section class="report-sheet" id="ekonomi">',
        "<caption>Ekonomi, belopp i tkr",
        "Den största anledningen till avvikelsen kopplat till investeringarna",
        "<strong>Samordningsbron</strong>",
        '<h2 class="document-heading">Ekonomi</h2>',
        '<h4 class="document-heading">Resultat 2022</h4>',
        '<section class="report-sheet" id="driftsammandrag">',
        '<h5 class="narrative-heading">Analys och kommentar</h5>',
        '<section class="report-sheet" id="malredovisning">',
        '<h5 class="narrative-heading">Internkontrollmoment 2022 - väsentliga avvikelser',
        '<section class="report-sheet" id="namndindikatorer">',
        "För målområde medarbetare ska respektive nämnd följa upp",
    ]
    positions = [html.find(text) for text in order]
    assert -1 not in positions, [t for t, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    link = (
        "https://skr.se/download/18.2c94532618505289fbc13a74/1671444962016/"
        "Ekonomirapporten-december-2022.pdf"
    )
    assert f'<a href="{link}">{link}</a>' in html
    # The per-table downloads stay.
    assert reverse("reports:report_table_xlsx", args=["AN", 2022, "ekonomi"]) in html
    # Every table is drawn exactly once.
    assert html.count("<caption>Ekonomi, belopp i tkr") == 1


@pytest.mark.django_db
def test_tables_no_outline_entry_names_come_after_the_outline(client, demo_data, admin_user):
    from reports.models import OutlineItem

    OutlineItem.objects.bulk_create(
        [
            OutlineItem(
                document=VB, position=1, item_kind="rubrik", level=1, title="Bara en rubrik"
            ),
            OutlineItem(document=VB, position=2, item_kind="text", key="bedomning", title="B"),
            OutlineItem(document=VB, position=3, item_kind="tabell", key="personal"),
        ]
    )
    client.force_login(admin_user)
    html = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    assert html.index("Bara en rubrik") < html.index("Verksamhetsberättelsen är en uppföljning")
    assert html.index("Verksamhetsberättelsen är en uppföljning") < html.index('id="personal"')
    assert html.index('id="personal"') < html.index('id="ekonomi"')
    assert "Nämnden ska inom kommunen svara för" not in html  # not in this outline
    assert html.count("<caption>Personal") == 1


@pytest.mark.django_db
def test_a_typed_script_is_shown_as_text_on_the_document(
    client, board_an, controller_an, admin_user
):
    ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    save_narrative(
        user=controller_an,
        board=board_an,
        year=2022,
        document=VB,
        section="handelser",
        text="<script>alert(1)</script> **<b>fet</b>**",
        expected_version=0,
    )
    client.force_login(admin_user)
    html = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    assert "<strong>&lt;b&gt;fet&lt;/b&gt;</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


@pytest.mark.django_db
def test_the_plan_page_draws_its_texts(client, board_an, controller_an):
    save_narrative(
        user=controller_an,
        board=board_an,
        year=2022,
        document="internbudget",
        section="sammanfattning",
        text="Internbudgeten i **korthet**.",
        expected_version=0,
    )
    client.force_login(controller_an)
    html = client.get(reverse("reports:internbudget", args=["AN", 2022])).content.decode()
    assert '<h2 class="document-heading">Sammanfattning av nämndens internbudget</h2>' in html
    assert "Internbudgeten i <strong>korthet</strong>." in html


@pytest.mark.django_db
def test_report_page_query_count_does_not_grow_with_the_texts(client, board_an, controller_an):
    ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    client.force_login(controller_an)
    url = reverse("reports:report", args=["AN", 2022])
    sections = narrative_sections(VB)

    def count() -> int:
        from django.core.cache import cache

        cache.clear()
        client.get(url)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def write(line, text):
        save_narrative(
            user=controller_an,
            board=board_an,
            year=2022,
            document=VB,
            section=line.key,
            text=text,
            expected_version=0,
        )

    write(sections[0], "Ett stycke.")
    one = count()
    for line in sections[1:]:
        write(line, f"### {line.title}\n\n- punkt\n\nText med **fet**.")
    assert NarrativeText.objects.count() == len(sections)
    assert count() == one


@pytest.mark.django_db
def test_a_saved_text_is_on_the_cached_page_at_once(client, board_an, controller_an):
    ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    client.force_login(controller_an)
    url = reverse("reports:report", args=["AN", 2022])
    assert "Första versionen" not in client.get(url).content.decode()
    texts = reverse("reports:narrative_save", args=["AN", 2022, VB, "bedomning"])
    client.post(texts, {"text": "Första versionen.", "version": "0"})
    assert "Första versionen." in client.get(url).content.decode()
    client.post(texts, {"text": "Andra versionen.", "version": "1"})
    html = client.get(url).content.decode()
    assert "Andra versionen." in html and "Första versionen." not in html
