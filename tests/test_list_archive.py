"""The list of archived reports: every copy the user may download, filtered and sorted."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import OccasionTransition, ReportingOccasion
from reports.models import ArchivedReport
from tests.lists import assert_flat_queries, records

URL = reverse("reports:archived_report_list")


def archive(board, year: int, kind: str, *, user=None, version: int = 1) -> ArchivedReport:
    """A stored copy as an approval leaves it (small stand-in bytes; the list never reads them)."""
    occasion = ReportingOccasion.objects.get_or_create(
        board=board, year=year, kind=kind, defaults={"state": "godkand"}
    )[0]
    approval = OccasionTransition.objects.create(
        occasion=occasion, from_state="inskickad", to_state="godkand", user=user
    )
    xlsx, text = f"xlsx {board.code} {year} {kind} {version}".encode(), "{}"
    return ArchivedReport.objects.create(
        occasion=occasion,
        approval=approval,
        board=board,
        year=year,
        kind=kind,
        version=version,
        created_at=timezone.now(),
        created_by=user,
        xlsx=xlsx,
        xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
        xlsx_size=len(xlsx),
        json_text=text,
        json_sha256=hashlib.sha256(text.encode()).hexdigest(),
        json_size=len(text),
    )


def shown(response) -> list[tuple[str, int, str, int]]:
    return [(a.board.code, a.year, a.kind, a.version) for a in records(response)]


@pytest.fixture
def archives(board_an, board_other, secretary_an):
    return [
        archive(board_an, 2022, "helar", user=secretary_an),
        archive(board_an, 2022, "helar", user=secretary_an, version=2),
        archive(board_an, 2023, "k1"),
        archive(board_other, 2022, "helar"),
    ]


def test_newest_first_with_downloads_and_checksum(client, archives, admin_user):
    client.force_login(admin_user)
    response = client.get(URL)
    assert shown(response)[0] == ("BIN", 2022, "helar", 1)
    page = response.content.decode()
    copy = archives[1]
    assert f'href="{reverse("reports:archived_report_xlsx", args=[copy.pk])}" download' in page
    assert f'href="{reverse("reports:archived_report_json", args=[copy.pk])}" download' in page
    assert f"<code>{copy.xlsx_sha256}</code>" in page
    assert "sekreterare_an" in page  # who approved, by username when no name is set


def test_filters_by_board_year_and_kind(client, archives, admin_user, board_other):
    client.force_login(admin_user)
    assert shown(client.get(URL + f"?namnd={board_other.pk}")) == [("BIN", 2022, "helar", 1)]
    assert shown(client.get(URL + "?ar=2023")) == [("AN", 2023, "k1", 1)]
    assert len(shown(client.get(URL + "?tillfalle=helar&ar=2022"))) == 3


def test_sorting_by_board_and_version(client, archives, admin_user):
    client.force_login(admin_user)
    assert shown(client.get(URL + "?sort=board")) == [
        ("AN", 2022, "helar", 1),
        ("AN", 2022, "helar", 2),
        ("AN", 2023, "k1", 1),
        ("BIN", 2022, "helar", 1),
    ]
    assert shown(client.get(URL + "?sort=-version"))[0] == ("AN", 2022, "helar", 2)


def test_a_board_scoped_user_never_sees_another_boards_copies(
    client, archives, controller_other, board_an
):
    client.force_login(controller_other)
    response = client.get(URL + f"?namnd={board_an.pk}")
    assert response.context["filter"].form.errors["namnd"]
    assert shown(response) == [("BIN", 2022, "helar", 1)]
    assert "Arbetsmarknadsnämnden" not in response.content.decode()


def test_an_outsider_sees_no_copy(client, archives, outsider):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert shown(response) == []
    assert "Inga arkiverade rapporter" in response.content.decode()


def test_query_count_does_not_grow_with_the_rows(client, board_an, board_other, admin_user):
    archive(board_an, 2020, "helar", user=admin_user)
    archive(board_other, 2020, "helar")

    def grow():
        for year in (2021, 2022, 2023):
            for kind in ("k1", "d1", "k3"):
                archive(board_an, year, kind, user=admin_user)
                archive(board_other, year, kind)

    client.force_login(admin_user)
    assert_flat_queries(client, URL, rows=ArchivedReport.objects.count, grow=grow)


def test_hostile_names_are_escaped(client, archives, admin_user, board_an, secretary_an):
    board_an.name = "<script>alert(1)</script>"
    board_an.save()
    secretary_an.first_name = "<img src=x onerror=alert(1)>"
    secretary_an.save()
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (AN)" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
