"""The archived copy of an occasion's report: stored at approval, identical ever after.

Approving an occasion stores the verksamhetsberättelse of its board and year (.xlsx and JSON)
with their SHA-256. Editing goals, indicators, targets or the layout afterwards leaves the
stored bytes identical; reopening and approving again adds a version and keeps the old one.
The copy cannot be changed by any path: model, queryset, admin or SQL.
"""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from openpyxl import load_workbook

from goals import services
from goals.models import OccasionTransition, ReportingOccasion
from goals.periods import PeriodType
from indicators.models import IndicatorValue, Target
from reports import archive as archive_service
from reports.models import IMMUTABLE, ArchivedReport
from reports.renderers.xlsx import render_xlsx
from reports.report import build_report, report_from_json
from tests.entry_data import breakdown, goal_chain

YEAR = 2023
OLD_NAME = "Antal hushåll med ekonomiskt bistånd"
NEW_NAME = "Antal hushåll som uppbär försörjningsstöd"


@pytest.fixture
def chain(board_an):
    indicators = goal_chain(board_an, goals=2, indicators_per_goal=2, frequency=PeriodType.YEAR)
    first = indicators[0]
    first.name = OLD_NAME
    first.save()
    for number, indicator in enumerate(indicators, start=1):
        IndicatorValue.objects.create(
            indicator=indicator,
            year=YEAR,
            period_type=PeriodType.YEAR,
            period_number=1,
            breakdown=breakdown(),
            value=Decimal(3300 + number),
        )
    return indicators


@pytest.fixture
def helar(board_an, chain):
    return ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="helar")


def approve(occasion, controller, secretary) -> ArchivedReport:
    services.submit_occasion(user=controller, occasion=occasion, confirm_missing=True)
    services.approve_occasion(user=secretary, occasion=occasion)
    return ArchivedReport.objects.filter(occasion=occasion).order_by("-version").first()


def stored(archive: ArchivedReport) -> tuple[bytes, str]:
    fresh = ArchivedReport.objects.get(pk=archive.pk)
    return bytes(fresh.xlsx), fresh.json_text


def sheet_texts(xlsx: bytes) -> str:
    workbook = load_workbook(io.BytesIO(xlsx))
    return " ".join(
        str(value)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_approval_archives_the_report_with_its_sha256(helar, controller_an, secretary_an):
    assert not ArchivedReport.objects.exists()
    archive = approve(helar, controller_an, secretary_an)

    assert archive is not None
    approval = OccasionTransition.objects.get(occasion=helar, to_state="godkand")
    assert (archive.board.code, archive.year, archive.kind, archive.version) == (
        "AN",
        YEAR,
        "helar",
        1,
    )
    assert archive.approval == approval
    assert archive.created_at == approval.at
    assert archive.created_by == secretary_an
    xlsx, json_text = stored(archive)
    assert archive.xlsx_sha256 == hashlib.sha256(xlsx).hexdigest()
    assert archive.json_sha256 == hashlib.sha256(json_text.encode()).hexdigest()
    assert archive.xlsx_size == len(xlsx) > 1000
    assert archive.json_size == len(json_text.encode())

    # The workbook is the report as the export renders it; the JSON reads back as the report.
    assert OLD_NAME in sheet_texts(xlsx)
    report = report_from_json(json.loads(json_text))
    expected = build_report(helar.board, YEAR)
    assert [t.key for t in report.tables] == [t.key for t in expected.tables]
    assert report.generated_at == approval.at
    assert OLD_NAME in json_text and "\\u00e5" not in json_text  # å kept as å


def test_editing_the_structure_after_approval_leaves_the_archive_identical(
    helar, chain, controller_an, secretary_an, client
):
    archive = approve(helar, controller_an, secretary_an)
    xlsx_before, json_before = stored(archive)

    # Structure and layout change after the approval.
    indicator = chain[0]
    indicator.name = NEW_NAME
    indicator.save()
    goal = indicator.board_goal
    goal.title = "Ett helt nytt nämndmål"
    goal.save()
    Target.objects.filter(indicator=indicator, year=YEAR).update(value=Decimal(9999))

    # The report built now shows the change, so the archive could differ if it were rebuilt…
    now = build_report(helar.board, YEAR)
    assert NEW_NAME in sheet_texts(render_xlsx(now))
    assert OLD_NAME not in json.dumps(archive_service.report_to_json(now), ensure_ascii=False)

    # …but the stored copy is byte for byte what was archived at approval.
    xlsx_after, json_after = stored(archive)
    assert xlsx_after == xlsx_before
    assert json_after == json_before
    assert hashlib.sha256(xlsx_after).hexdigest() == archive.xlsx_sha256
    assert OLD_NAME in sheet_texts(xlsx_after) and NEW_NAME not in sheet_texts(xlsx_after)

    # And so is what the occasion's page downloads.
    client.force_login(secretary_an)
    response = client.get(f"/arkiv/{archive.pk}/verksamhetsberattelse.xlsx")
    assert response.status_code == 200
    assert response.content == xlsx_before
    response = client.get(f"/arkiv/{archive.pk}/verksamhetsberattelse.json")
    assert response.content.decode() == json_before


def test_a_changed_renderer_does_not_touch_stored_copies(
    helar, controller_an, secretary_an, client, monkeypatch
):
    archive = approve(helar, controller_an, secretary_an)
    xlsx_before, _ = stored(archive)
    monkeypatch.setattr(archive_service, "render_xlsx", lambda report: b"a new layout")
    monkeypatch.setattr("reports.views.report.render_xlsx", lambda report: b"a new layout")
    client.force_login(secretary_an)
    assert client.get("/namnd/AN/2023/verksamhetsberattelse.xlsx").content == b"a new layout"
    assert client.get(f"/arkiv/{archive.pk}/verksamhetsberattelse.xlsx").content == xlsx_before


def test_reopen_and_approve_again_adds_a_version_and_keeps_the_first(
    helar, chain, controller_an, secretary_an, admin_user
):
    first = approve(helar, controller_an, secretary_an)
    first_bytes = stored(first)
    services.reopen_occasion(user=admin_user, occasion=helar, reason="Fel namn på indikatorn")
    indicator = chain[0]
    indicator.name = NEW_NAME
    indicator.save()
    second = approve(helar, controller_an, secretary_an)

    assert [a.version for a in ArchivedReport.objects.filter(occasion=helar)] == [1, 2]
    assert second.pk != first.pk and second.approval_id != first.approval_id
    assert stored(first) == first_bytes
    assert OLD_NAME in sheet_texts(stored(first)[0])
    assert NEW_NAME in sheet_texts(stored(second)[0])
    assert second.xlsx_sha256 != first.xlsx_sha256


@pytest.mark.parametrize("kind", ["k1", "d1", "d2", "helar"])
def test_every_kind_of_occasion_archives_the_years_report(
    board_an, chain, controller_an, secretary_an, kind
):
    occasion = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind=kind)
    archive = approve(occasion, controller_an, secretary_an)
    assert (archive.kind, archive.year) == (kind, YEAR)
    assert json.loads(stored(archive)[1])["year"] == YEAR


def test_submit_and_send_back_archive_nothing(helar, controller_an, secretary_an):
    services.submit_occasion(user=controller_an, occasion=helar, confirm_missing=True)
    services.return_occasion(user=secretary_an, occasion=helar, reason="Komplettera")
    assert not ArchivedReport.objects.exists()


def test_a_failed_archive_refuses_the_approval(helar, controller_an, secretary_an, monkeypatch):
    services.submit_occasion(user=controller_an, occasion=helar, confirm_missing=True)

    def broken(report):
        raise RuntimeError("disk full")

    monkeypatch.setattr(archive_service, "render_xlsx", broken)
    with pytest.raises(ValidationError) as refused:
        services.approve_occasion(user=secretary_an, occasion=helar)
    assert refused.value.messages == [archive_service.ARCHIVE_FAILED]
    helar.refresh_from_db()
    assert helar.state == "inskickad"
    assert not OccasionTransition.objects.filter(occasion=helar, to_state="godkand").exists()
    assert not ArchivedReport.objects.exists()


def test_the_approve_view_shows_the_archive_failure(
    client, helar, controller_an, secretary_an, monkeypatch
):
    services.submit_occasion(user=controller_an, occasion=helar, confirm_missing=True)
    monkeypatch.setattr(archive_service, "render_xlsx", lambda report: 1 / 0)
    client.force_login(secretary_an)
    response = client.post(f"/uppfoljning/tillfalle/{helar.pk}/godkann/", follow=True)
    assert response.status_code == 200
    assert archive_service.ARCHIVE_FAILED in response.content.decode()
    helar.refresh_from_db()
    assert helar.state == "inskickad"


# --- immutability ---------------------------------------------------------------------------


@pytest.fixture
def archived(helar, controller_an, secretary_an):
    return approve(helar, controller_an, secretary_an)


def test_the_model_refuses_to_save_or_delete_an_archived_copy(archived):
    before = stored(archived)
    archived.xlsx = b"changed"
    with pytest.raises(ValidationError, match=IMMUTABLE):
        archived.save()
    with pytest.raises(ValidationError, match=IMMUTABLE):
        archived.delete()
    with pytest.raises(ValidationError, match=IMMUTABLE):
        ArchivedReport.objects.filter(pk=archived.pk).update(year=1999)
    with pytest.raises(ValidationError, match=IMMUTABLE):
        ArchivedReport.objects.filter(pk=archived.pk).delete()
    with pytest.raises(ValidationError, match=IMMUTABLE):
        ArchivedReport.objects.bulk_update([archived], ["xlsx"])
    assert stored(archived) == before


def test_the_database_refuses_an_update_by_sql(archived):
    before = stored(archived)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reports_archivedreport SET json_text = %s", ["{}"])
    assert stored(archived) == before


def test_the_database_checks_the_sha256_length_and_size(archived):
    row = ArchivedReport.objects.get(pk=archived.pk)
    base = {
        "occasion_id": row.occasion_id,
        "board_id": row.board_id,
        "year": row.year,
        "kind": row.kind,
        "created_at": row.created_at,
        "xlsx": b"abc",
        "xlsx_size": 3,
        "xlsx_sha256": hashlib.sha256(b"abc").hexdigest(),
        "json_text": "{}",
        "json_size": 2,
        "json_sha256": hashlib.sha256(b"{}").hexdigest(),
    }
    for number, bad in enumerate(
        [{"xlsx_sha256": "abc"}, {"json_sha256": "0" * 63}, {"xlsx_size": 4}, {"version": 0}],
        start=2,
    ):
        transition = OccasionTransition.objects.create(
            occasion=row.occasion, from_state="inskickad", to_state="godkand"
        )
        fields = {**base, "version": number, "approval": transition, **bad}
        with pytest.raises(ValidationError):
            ArchivedReport(**fields).full_clean()
        # bulk_create skips save() and full_clean(): the database's CHECK still refuses.
        with pytest.raises(IntegrityError), transaction.atomic():
            ArchivedReport.objects.bulk_create([ArchivedReport(**fields)])
    assert ArchivedReport.objects.count() == 1


def test_an_occasion_with_archived_copies_cannot_be_deleted(archived, admin_user):
    services.reopen_occasion(user=admin_user, occasion=archived.occasion, reason="Rättelse")
    occasion = ReportingOccasion.objects.get(pk=archived.occasion_id)
    with pytest.raises(ProtectedError):
        occasion.delete()
    assert ArchivedReport.objects.filter(pk=archived.pk).exists()


def test_a_stored_copy_that_fails_its_checksum_is_not_served(archived, security_log):
    tampered = ArchivedReport.objects.get(pk=archived.pk)
    data = bytes(tampered.xlsx)
    tampered.xlsx = data[:100] + bytes([data[100] ^ 1]) + data[101:]
    with pytest.raises(archive_service.ArchiveIntegrityError):
        archive_service.verified_content(tampered, "xlsx")
    assert security_log.events(archive_service.ARCHIVE_TAMPERED_EVENT)
    assert archive_service.verified_content(archived, "json").decode() == archived.json_text
