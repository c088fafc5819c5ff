"""The demo's texts of AN's verksamhetsberättelse 2022 are seed 001's, section by section.

The expected paragraphs below are copied from Arbetsmarknadsnämndens verksamhetsberättelse 2022
(seed 001); the texts are those `load_demo` stores (fixtures/linkoping/narratives.toml), read as
every renderer reads them (reports.narrative.parse).
"""

from __future__ import annotations

import pytest

from demo.management.commands.load_demo import load_all
from goals.models import DocumentKind, NarrativeText, ReportingOccasion
from goals.periods import OccasionKind
from reports.narrative import parse
from reports.outline import default_lines, narrative_sections
from reports.report.model import OutlineKind

pytestmark = pytest.mark.django_db

VB = DocumentKind.VERKSAMHETSBERATTELSE

# (section, kind of block, the block's whole text), each verbatim from seed 001.
SEED_BLOCKS = [
    ("namndens-uppdrag", "paragraph", "Nämnden ska inom kommunen svara för:"),
    (
        "namndens-uppdrag",
        "bullet",
        "Kommunens beställning av offentlig serviceanställning, OSA",
    ),
    (
        "bedomning",
        "paragraph",
        "Verksamhetsberättelsen är en uppföljning av arbetsmarknadsnämndens samlade verksamhet "
        "för 2022 utifrån bl.a. reglemente, internbudget och förvaltningens verksamhetsplan. "
        "Utifrån uppföljningen och revisionsberättelserna för nämnder och styrelser prövar "
        "kommunfullmäktige frågan om ansvarsfrihet i styrelser och nämnder. Genom en uppföljning "
        "utifrån mål och resultat kan slutsatser dras för att ta fram planer och aktiviteter för "
        "fortsatt utveckling. Syftet med uppföljning är att säkerställa att verksamhetens "
        "resurser används till det som avsetts, få god ekonomisk kontroll och att säkerställa att "
        "verksamheten bedrivs inom tilldelade ramar och i linje med målen för god ekonomisk "
        "hushållning.",
    ),
    ("handelser", "heading", "Arbete med organisationsstruktur"),
    (
        "handelser",
        "paragraph",
        "Den nya organisationsstrukturen på IAF verkställs den 1 februari 2023.",
    ),
    (
        "handelser",
        "paragraph",
        "Med anledning av invasionen av Ukraina har förvaltningen tagit emot 110 flyktingar "
        "enligt massflyktsdirektivet. Enligt ordinarie flyktingmottagande har 102 flyktingar "
        "mottagits av 124 enligt kommunal för 2024. Resterande flyktingar tas emot under 2023.",
    ),
    ("forvantad-utveckling", "paragraph", "¹ SKR:s ekonomirapport, december 2022"),
    ("internkontroll", "heading", "Internkontrollmoment 2022 - väsentliga avvikelser och åtgärder"),
    (
        "internkontroll",
        "paragraph",
        "Kontrollen gällande mutor, jäv och andra oegentligheter har visat att låg andel "
        "medarbetare har genomgått E-utbildningen. Som åtgärd har ett APT-material om mutor, jäv "
        "och andra oegentligheter tagits fram och införlivats som ett årligt återkommande moment "
        "i årshjulet för SAM (systematiskt arbetsmiljöarbete).",
    ),
    (
        "personalplan",
        "bullet",
        "Stärka chefers förutsättningar genom chefsutvecklingsprogram via MiL",
    ),
    (
        "volym-kommentar",
        "paragraph",
        "Färre hushåll är aktuella för ekonomiskt bistånd jämfört med samma period föregående "
        "år, detta är en trend bland jämnstora kommuner nationellt. Under året har ett nytt "
        "arbetssätt arbetats fram tillsammans med medarbetare. Systemet för intag inom "
        "arbetsmarknadsinsatser; Heltidsaktivering/ Arena Arbetsmarknad har formats om och i det "
        "glapp som uppstått i omställningen har genomsnittet för antalet deltagare tillfälligt "
        "sjunkit, vilket påverkar utfallet för 2022.",
    ),
    ("upphandlingsplan", "paragraph", None),  # checked for its start below
]


@pytest.fixture
def texts(demo_data) -> dict[str, NarrativeText]:
    return {
        text.section: text
        for text in NarrativeText.objects.filter(board__code="AN", year=2022, document=VB)
    }


def test_every_narrative_section_of_the_outline_has_its_seed_text(texts):
    sections = [line.key for line in default_lines(VB) if line.kind == OutlineKind.NARRATIVE]
    assert len(sections) == 23
    assert sorted(texts) == sorted(sections)
    assert [line.key for line in narrative_sections(VB)] == sections
    for section in sections:
        assert parse(texts[section].text), section


def test_the_texts_hold_seed_001s_paragraphs_whole(texts):
    for section, kind, expected in SEED_BLOCKS:
        blocks = parse(texts[section].text)
        if expected is None:
            assert blocks[0].text.startswith("För 2022 fanns inga planer på upphandlingar")
            assert blocks[0].text.endswith(
                "En direktupphandling av Worldish digitala språkstöd gjordes."
            )
            continue
        assert (kind, expected) in [(block.kind, block.text) for block in blocks], section


def test_the_format_marks_become_styles_not_text(texts):
    [italic] = [run for block in parse(texts["handelser"].text) for run in block.runs if run.italic]
    assert italic.text == "i aktiv planering"
    bold = [
        run.text
        for block in parse(texts["forvantad-utveckling"].text)
        for run in block.runs
        if run.bold
    ]
    assert bold == [
        "Intern kompetensförsörjning och arbetsmarknadsanställningar",
        "Verksamhetsuppdrag",
        "Samordningsbron",
        "Språkutveckling",
    ]
    links = {
        run.link
        for block in parse(texts["forvantad-utveckling"].text)
        for run in block.runs
        if run.link
    }
    assert links == {
        "https://skr.se/download/18.2c94532618505289fbc13a74/1671444962016/"
        "Ekonomirapporten-december-2022.pdf"
    }
    assert "**" not in "".join(block.text for block in parse(texts["forvantad-utveckling"].text))


def test_the_texts_belong_to_their_occasion_and_are_locked_with_it(texts):
    occasion = ReportingOccasion.objects.get(
        board__code="AN", year=2022, kind=OccasionKind.FULL_YEAR
    )
    assert occasion.state == ReportingOccasion.State.APPROVED
    assert {text.occasion_id for text in texts.values()} == {occasion.pk}
    assert {text.version for text in texts.values()} == {1}
    history = NarrativeText.history.model.objects.filter(id=texts["bedomning"].pk)
    assert [(row.history_type, row.history_change_reason) for row in history] == [("+", "Demodata")]


def test_delar2_has_its_invented_texts_at_its_occasion(demo_data):
    stored = NarrativeText.objects.filter(board__code="AN", year=2022, document=DocumentKind.DELAR2)
    assert sorted(stored.values_list("section", flat=True)) == [
        "bedomning",
        "handelser",
        "prognos-kommentar",
    ]
    assert {text.occasion.kind for text in stored} == {OccasionKind.INTERIM_2}


def test_loading_again_writes_no_text(demo_data):
    before = NarrativeText.history.model.objects.count()
    stats = load_all()
    assert stats.kinds["Texter i rapporter"].created == 0
    assert stats.kinds["Texter i rapporter"].changed == 0
    assert NarrativeText.history.model.objects.count() == before
