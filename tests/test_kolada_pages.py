"""The administrator's Kolada pages: the code, peer groups, links with a KPI search, revisions.

Administrators of every board only (others 404); links follow an indicator into its next
years; texts from Kolada are shown as text; the pages' query counts stay flat.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import rollover
from goals.models import BoardRole, Role
from indicators.kolada.mapping import (
    BAD_CODE,
    NO_KPI_CHOSEN,
    NO_RIGHT,
    NOT_LINKED,
    SEARCH_TOO_SHORT,
    UNKNOWN_GROUP,
    UNKNOWN_KPI,
)
from indicators.models import (
    Indicator,
    IndicatorBreakdown,
    KoladaGroup,
    KoladaLink,
    KoladaPeerGroup,
    KoladaRevision,
)
from indicators.structure_services import update_indicator
from tests import kolada_data as kd
from tests.conftest import make_user
from tests.entry_data import goal_chain

YEAR = 2023


@pytest.fixture
def indicator(board_an):
    return goal_chain(board_an, goals=1, indicators_per_goal=1)[0]


@pytest.fixture
def kpis(db):
    return [
        kd.kpi("N00097", "Invånare med ekonomiskt bistånd, andel (%)"),
        kd.kpi("N00098", "Ekonomiskt bistånd, kostnad kr/inv"),
        kd.kpi("U00401", "Deltagare i arbetsmarknadsåtgärder, andel"),
    ]


@pytest.fixture
def board_admin(board_an):
    """An administrator of AN alone: not every board, so not the Kolada pages."""
    return make_user("admin_an", Role.ADMINISTRATOR, board_an)


def _edit_url(indicator, year=YEAR):
    return reverse("indicators:kolada_link_edit", args=["AN", year, indicator.pk])


def _urls(indicator):
    return [
        reverse("indicators:kolada_index"),
        reverse("indicators:kolada_revisions"),
        reverse("indicators:kolada_links", args=["AN", YEAR]),
        reverse("indicators:kolada_peer_group", args=["AN"]),
        _edit_url(indicator),
    ]


def test_only_an_administrator_of_every_board_reaches_the_pages(
    client, admin_user, board_admin, controller_other, outsider, manager_an, indicator
):
    client.force_login(admin_user)
    for url in _urls(indicator):
        assert client.get(url).status_code == 200, url
    for user in (board_admin, controller_other, outsider, manager_an):
        client.force_login(user)
        for url in _urls(indicator):
            assert client.get(url).status_code == 404, (user.username, url)
        response = client.post(_edit_url(indicator), {"kpi": "N00097"})
        assert response.status_code == 404
    assert not KoladaLink.objects.exists()


def test_the_start_page_links_the_administrator_to_kolada(client, admin_user, manager_an):
    client.force_login(admin_user)
    assert (
        reverse("indicators:kolada_index") in client.get(reverse("reports:home")).content.decode()
    )
    client.force_login(manager_an)
    html = client.get(reverse("reports:home")).content.decode()
    assert reverse("indicators:kolada_index") not in html


def test_search_by_id_and_by_title_words(client, admin_user, indicator, kpis):
    client.force_login(admin_user)
    html = client.get(_edit_url(indicator), {"q": "n0009"}).content.decode()
    assert "N00097" in html and "N00098" in html and "U00401" not in html
    html = client.get(_edit_url(indicator), {"q": "bistånd KOSTNAD"}).content.decode()
    assert "N00098" in html and "N00097" not in html
    html = client.get(_edit_url(indicator), {"q": "ÄRBETSMARKNADSÅTGÄRDER"}).content.decode()
    assert "U00401" not in html  # Ä is not A
    html = client.get(_edit_url(indicator), {"q": "ARBETSMARKNADSÅTGÄRDER"}).content.decode()
    assert "U00401" in html  # case folded for å and ä too
    html = client.get(_edit_url(indicator), {"q": "x"}).content.decode()
    assert SEARCH_TOO_SHORT in html
    html = client.get(_edit_url(indicator), {"q": "finnsinte"}).content.decode()
    assert "Inga hämtade nyckeltal matchar" in html


def test_link_then_unlink_with_swedish_refusals(client, admin_user, indicator, kpis):
    client.force_login(admin_user)
    response = client.post(_edit_url(indicator), {"action": "link", "kpi": "N00097"})
    assert response.status_code == 302
    assert KoladaLink.objects.get(indicator=indicator).kpi_id == "N00097"
    links_page = client.get(response["Location"]).content.decode()
    assert "jämförs nu med N00097" in links_page
    assert "N00097 Invånare med ekonomiskt bistånd" in links_page
    # Linking again replaces the KPI; the indicator has one link.
    client.post(_edit_url(indicator), {"action": "link", "kpi": "N00098"})
    assert list(KoladaLink.objects.values_list("kpi_id", flat=True)) == ["N00098"]

    response = client.post(_edit_url(indicator), {"action": "link", "kpi": ""})
    assert response.status_code == 400
    assert NO_KPI_CHOSEN in response.content.decode()
    response = client.post(_edit_url(indicator), {"action": "link", "kpi": "N99999"})
    assert UNKNOWN_KPI.format(kpi="N99999") in response.content.decode()
    assert KoladaLink.objects.get(indicator=indicator).kpi_id == "N00098"

    response = client.post(_edit_url(indicator), {"action": "unlink"})
    assert response.status_code == 302
    assert not KoladaLink.objects.exists()
    response = client.post(_edit_url(indicator), {"action": "unlink"})
    assert response.status_code == 400 and NOT_LINKED in response.content.decode()


def test_an_indicator_of_another_board_or_year_is_not_found(
    client, admin_user, indicator, board_other, kpis
):
    client.force_login(admin_user)
    other = goal_chain(board_other, goals=1, indicators_per_goal=1)[0]
    url = reverse("indicators:kolada_link_edit", args=["AN", YEAR, other.pk])
    assert client.post(url, {"kpi": "N00097"}).status_code == 404
    assert client.get(_edit_url(indicator, year=2018)).status_code == 404
    assert not KoladaLink.objects.exists()


def test_peer_group_is_chosen_and_its_members_shown(client, admin_user, board_an):
    members = kd.municipalities(3)
    group = KoladaGroup.objects.create(id="G7", title="Liknande kommuner arbetsmarknad, 2024")
    group.members.set(members)
    client.force_login(admin_user)
    url = reverse("indicators:kolada_peer_group", args=["AN"])
    assert client.post(url, {"group": "G7"}).status_code == 302
    assert KoladaPeerGroup.objects.get(board=board_an).group_id == "G7"
    html = client.get(url).content.decode()
    assert "Kommun 1 (1001)" in html and "Kommun 3 (1003)" in html
    response = client.post(url, {"group": "G-saknas"})
    assert response.status_code == 400 and UNKNOWN_GROUP in response.content.decode()
    assert KoladaPeerGroup.objects.get(board=board_an).group_id == "G7"
    assert client.post(url, {"group": ""}).status_code == 302
    assert not KoladaPeerGroup.objects.exists()


def test_the_municipality_code_is_set_on_the_index(client, admin_user, board_an, municipality):
    client.force_login(admin_user)
    url = reverse("indicators:kolada_municipality_code")
    response = client.post(url, {"municipality": municipality.pk, "code": "0580"}, follow=True)
    municipality.refresh_from_db()
    assert municipality.code == "0580"
    assert "Kolada-koden för Linköpings kommun är sparad" in response.content.decode()
    response = client.post(url, {"municipality": municipality.pk, "code": "580"}, follow=True)
    assert BAD_CODE in response.content.decode()
    municipality.refresh_from_db()
    assert municipality.code == "0580"
    html = client.get(reverse("indicators:kolada_index")).content.decode()
    assert 'value="0580"' in html and "Arbetsmarknadsnämnden (AN)" in html
    assert client.post(url, {"municipality": "x", "code": "0123"}).status_code == 404
    assert client.post(url, {"code": "0123"}).status_code == 404
    municipality.refresh_from_db()
    assert municipality.code == "0580"


def test_services_refuse_a_board_administrator(board_admin, indicator, kpis, municipality):
    from django.core.exceptions import ValidationError

    from indicators.kolada.mapping import link_indicator, set_municipality_code

    with pytest.raises(ValidationError) as refused:
        link_indicator(user=board_admin, indicator=indicator, kpi_id="N00097")
    assert refused.value.messages == [NO_RIGHT]
    with pytest.raises(ValidationError):
        set_municipality_code(user=board_admin, municipality=municipality, code="0580")
    assert not KoladaLink.objects.exists()


def test_texts_from_kolada_are_shown_as_text(client, admin_user, board_an, indicator):
    hostile = '<img src=x onerror="alert(1)">Bistånd'
    kpi = kd.kpi("N00097", hostile)
    kd.link(indicator, kpi)
    members = kd.municipalities(1)
    KoladaGroup.objects.create(id="G1", title=hostile).members.set(members)
    KoladaPeerGroup.objects.create(board=board_an, group_id="G1")
    imported = kd.an_import()
    KoladaRevision.objects.create(
        imported=imported, kpi=kpi, municipality_id="1001", year=2022, gender="T",
        old_value=Decimal("1.5"), new_value=Decimal("2.25"),
    )  # fmt: skip
    client.force_login(admin_user)
    for url in [
        reverse("indicators:kolada_index"),
        reverse("indicators:kolada_links", args=["AN", YEAR]),
        reverse("indicators:kolada_peer_group", args=["AN"]),
        _edit_url(indicator) + "?q=N000",
        reverse("indicators:kolada_revisions"),
    ]:
        html = client.get(url).content.decode()
        assert "<img src=x" not in html, url
    assert "&lt;img src=x" in client.get(reverse("indicators:kolada_revisions")).content.decode()


def _revisions(count, imported=None):
    imported = imported or kd.an_import()
    kpi = kd.kpi()
    members = kd.municipalities(1)
    KoladaRevision.objects.bulk_create(
        KoladaRevision(
            imported=imported, kpi=kpi, municipality=members[0], year=2000 + n, gender="T",
            old_value=Decimal(n), new_value=Decimal(n) + Decimal("0.5"),
        )
        for n in range(count)
    )  # fmt: skip
    return imported


def test_revisions_newest_first_filtered_by_year_and_text(client, admin_user):
    older = _revisions(2)
    newer = kd.an_import()
    KoladaRevision.objects.create(
        imported=newer, kpi=kd.kpi("U00401", "Deltagare"), municipality_id="1001", year=2021,
        gender="K", old_value=None, old_status="Missing", new_value=Decimal("3327"),
    )  # fmt: skip
    client.force_login(admin_user)
    url = reverse("indicators:kolada_revisions")
    html = client.get(url).content.decode()
    assert html.index("U00401 Deltagare") < html.index("N00097")  # newest import first
    assert "– (Missing)" in html and "3\xa0327" in html and "0,5" in html
    assert "Senaste hämtningar" in html
    html = client.get(url, {"ar": "2001"}).content.decode()
    assert "U00401" not in html and "1,5" in html
    html = client.get(url, {"q": "deltag"}).content.decode()
    assert "U00401" in html and "N00097 Invånare" not in html
    assert older.pk != newer.pk


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_page_query_counts_stay_flat(client, admin_user, board_an, kpis):
    client.force_login(admin_user)
    first = goal_chain(board_an, goals=1, indicators_per_goal=1)
    kd.link(first[0], kpis[0])
    group = kd.peer_group(board_an, kd.municipalities(2))
    _revisions(2)
    urls = [
        reverse("indicators:kolada_index"),
        reverse("indicators:kolada_links", args=["AN", YEAR]),
        reverse("indicators:kolada_peer_group", args=["AN"]),
        reverse("indicators:kolada_revisions"),
        _edit_url(first[0]) + "?q=N000",
    ]
    few = [_count(client, url) for url in urls]
    for indicator in goal_chain(board_an, goals=2, indicators_per_goal=3):
        kd.link(indicator, kpis[1])
    group.members.set(kd.municipalities(20))
    for n in range(5):
        kd.kpi(f"N0{n}100", f"Fler nyckeltal {n}")
    _revisions(30)
    assert [_count(client, url) for url in urls] == few


def test_links_follow_the_indicator_into_the_next_year(client, admin_user, board_an, kpis):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    # Closed at YEAR, so the rollover is what carries it (and its breakdowns) into YEAR + 1.
    Indicator.objects.filter(pk=indicator.pk).update(valid_to=YEAR)
    IndicatorBreakdown.objects.filter(indicator=indicator).update(valid_to=YEAR)
    kd.link(indicator, kpis[0])
    rollover.publish_rollover(board=board_an, from_year=YEAR, to_year=YEAR + 1, user=admin_user)
    indicator.refresh_from_db()
    assert indicator.valid_to == YEAR + 1
    continued = Indicator.objects.valid_in(YEAR + 1).get(board=board_an)
    assert continued.kolada_link.kpi_id == "N00097"
    # Changed as of the next year: the new row (the successor) is compared with the same KPI,
    # and the old row keeps its link for the earlier years.
    saved = update_indicator(
        user=admin_user, indicator=continued, year=YEAR + 1, changes={"name": "Ny definition"}
    )
    successor = saved.object
    assert successor.pk != indicator.pk and successor.predecessor_id == indicator.pk
    assert KoladaLink.objects.get(indicator=successor).kpi_id == "N00097"
    assert KoladaLink.objects.get(indicator=indicator).kpi_id == "N00097"
    client.force_login(admin_user)
    html = client.get(reverse("indicators:kolada_links", args=["AN", YEAR + 1])).content.decode()
    assert "Ny definition" in html and "N00097 Invånare" in html


def test_a_board_role_change_does_not_open_the_pages(client, board_an, indicator):
    user = make_user("blir_admin", Role.CONTROLLER, board_an)
    client.force_login(user)
    assert client.get(reverse("indicators:kolada_index")).status_code == 404
    BoardRole.objects.create(user=user, role=Role.ADMINISTRATOR, board=None)
    assert client.get(reverse("indicators:kolada_index")).status_code == 200


def test_the_structure_tree_links_to_the_years_kolada_links(client, admin_user, board_admin):
    url = reverse("indicators:structure_tree", args=["AN", YEAR])
    links = reverse("indicators:kolada_links", args=["AN", YEAR])
    client.force_login(admin_user)
    assert links in client.get(url).content.decode()
    client.force_login(board_admin)  # reaches the tree, not the Kolada pages
    html = client.get(url).content.decode()
    assert "Kolada-koppling" not in html and links not in html
