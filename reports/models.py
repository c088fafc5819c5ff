"""The archived copy of an occasion's report, stored when the occasion is approved.

The bytes are kept in the database (BinaryField), not in MEDIA_ROOT: the backup (core.backup,
`make backup`) copies the database and nothing else, so a copy in the database is in every
backup and every restore brings back the archive together with the approvals it belongs to; a
file beside the database could go missing or be restored from another day than the rows that
name it. An archive is one workbook and one JSON text of some tens of kB per approval, which
PostgreSQL stores out of line (TOAST) without cost to the rest of the table.

An archived report never changes: the model refuses to save an existing row or to delete
one, the queryset refuses update() and delete(), the admin is read-only, and the database
itself refuses UPDATE (a trigger, migration 0002). Each copy carries its SHA-256, checked
against the bytes on every download (reports.archive.verified_content).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from core.audit import HistorySourceMixin
from core.types import AnyUser
from goals.models import Board, DocumentKind, OccasionTransition, ReportingOccasion
from goals.periods import OccasionKind

IMMUTABLE = "En arkiverad rapport kan inte ändras eller tas bort."
SHA256_HEX_LENGTH = 64


class ArchivedReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")

    def delete(self):
        raise ValidationError(IMMUTABLE, code="immutable")

    def bulk_update(self, objs, *args, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")

    def without_content(self) -> ArchivedReportQuerySet:
        """The rows without the stored bytes (for lists of copies)."""
        return self.defer("xlsx", "json_text", "docx", "pdf")


class ArchivedReport(models.Model):
    """The verksamhetsberättelse of the occasion's board and year as it was at approval.

    One row per approval: reopening and approving again gives a new row with the next
    version; the earlier ones stay.
    """

    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="archived_reports",
        verbose_name="uppföljningstillfälle",
    )
    approval = models.OneToOneField(
        OccasionTransition,
        on_delete=models.PROTECT,
        related_name="archived_report",
        verbose_name="godkännande",
    )
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="archived_reports", verbose_name="nämnd"
    )
    year = models.PositiveSmallIntegerField("år")
    kind = models.CharField("tillfälle", max_length=8, choices=OccasionKind.choices)
    version = models.PositiveSmallIntegerField("version")
    created_at = models.DateTimeField("arkiverad")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="godkänd av",
    )
    xlsx = models.BinaryField("Excelfil (.xlsx)")
    xlsx_sha256 = models.CharField("SHA-256 för Excelfilen", max_length=SHA256_HEX_LENGTH)
    xlsx_size = models.PositiveIntegerField("storlek för Excelfilen (byte)")
    json_text = models.TextField("rapportens data (JSON)")
    json_sha256 = models.CharField("SHA-256 för JSON-filen", max_length=SHA256_HEX_LENGTH)
    json_size = models.PositiveIntegerField("storlek för JSON-filen (byte, UTF-8)")
    # The document the board decides on; copies archived before issue 15 have none.
    docx = models.BinaryField("Worddokument (.docx)", null=True, blank=True)
    docx_sha256 = models.CharField("SHA-256 för Worddokumentet", max_length=64, blank=True)
    pdf = models.BinaryField("PDF", null=True, blank=True)
    pdf_sha256 = models.CharField("SHA-256 för PDF-filen", max_length=64, blank=True)

    objects = ArchivedReportQuerySet.as_manager()

    class Meta:
        verbose_name = "arkiverad rapport"
        verbose_name_plural = "arkiverade rapporter"
        ordering = ["occasion", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "version"],
                name="reports_archive_unique_version_per_occasion",
                violation_error_message="Tillfället har redan en arkiverad rapport med den versionen.",
            ),
            models.CheckConstraint(
                condition=Exact(Length("xlsx_sha256"), SHA256_HEX_LENGTH),
                name="reports_archive_xlsx_sha256_length",
                violation_error_message="SHA-256 ska vara 64 hexadecimala tecken.",
            ),
            models.CheckConstraint(
                condition=Exact(Length("json_sha256"), SHA256_HEX_LENGTH),
                name="reports_archive_json_sha256_length",
                violation_error_message="SHA-256 ska vara 64 hexadecimala tecken.",
            ),
            models.CheckConstraint(
                condition=Exact(Length("xlsx"), models.F("xlsx_size")),
                name="reports_archive_xlsx_size_matches",
                violation_error_message="Storleken stämmer inte med Excelfilen.",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="reports_archive_version_from_1",
                violation_error_message="Versionen börjar på 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board.code} {self.get_kind_display()} {self.year}, version {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ValidationError(IMMUTABLE, code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")

    @property
    def filename_stem(self) -> str:
        """E.g. delar2-AN-2022-d2-v1: a delår's copy is its delårsrapport, the others the
        verksamhetsberättelse (reports.report.documents.document_for_occasion)."""
        document = DocumentKind.for_occasion(self.kind) or DocumentKind.VERKSAMHETSBERATTELSE
        return f"{document.value}-{self.board.code}-{self.year}-{self.kind}-v{self.version}"


class DataToken(models.Model):
    """The change mark of one scope of the data: shared structure, a board, or a board's year.

    Derived outputs (a built report) are cached under the digest of the scopes they show
    (reports.freshness), so a change makes exactly the copies that show it unreachable.
    Database triggers change the marks (reports.freshness), not Python code: bulk writes,
    imports, the admin, a restore and raw SQL all pass through them. Sentinels instead of NULLs
    keep one unique constraint plain on both backends: board 0 is the shared structure, year 0
    "every year of the board". A scope has a few slots (a writing transaction takes the one its
    transaction id names), so two writers in the same board seldom wait for each other.
    """

    SHARED = 0  # board: the structure every output shows
    ALL_YEARS = 0  # year: the board's rows that carry no year
    SLOTS = 8

    board = models.PositiveIntegerField("nämnd (0 = gemensam struktur)")
    year = models.PositiveSmallIntegerField("år (0 = alla år)")
    slot = models.PositiveSmallIntegerField("plats")
    token = models.CharField("ändringsmärke", max_length=64)

    class Meta:
        verbose_name = "ändringsmärke för data"
        verbose_name_plural = "ändringsmärken för data"
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year", "slot"], name="reports_datatoken_one_per_scope_slot"
            ),
            models.CheckConstraint(
                condition=models.Q(slot__gte=1, slot__lte=8), name="reports_datatoken_slot_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board}/{self.year}/{self.slot}: {self.token}"


class OutlineItem(models.Model):
    """One line of a document's outline: a heading, a narrative section or a table.

    A document kind's outline is its rows in `position` order. Without rows the defaults in
    reports/outlines.toml apply (reports.outline); a municipality that adjusts its template
    saves its own rows, and every renderer (HTML, xlsx, docx, PDF) follows them.
    """

    class ItemKind(models.TextChoices):
        HEADING = "rubrik", "Rubrik"
        NARRATIVE = "text", "Textavsnitt"
        TABLE = "tabell", "Tabell"

    document = models.CharField("dokument", max_length=24, choices=DocumentKind.choices)
    position = models.PositiveSmallIntegerField("ordning")
    item_kind = models.CharField("slag", max_length=8, choices=ItemKind.choices)
    level = models.PositiveSmallIntegerField("rubriknivå", default=1)
    title = models.CharField(
        "rubrik eller namn",
        max_length=200,
        blank=True,
        help_text="{year} blir rapportåret och {previous_year} året före.",
    )
    key = models.SlugField(
        "nyckel", max_length=60, blank=True, help_text="Textavsnittets eller tabellens nyckel."
    )

    history = HistoricalRecords(
        bases=[HistorySourceMixin], verbose_name="historik för rad i dokumentmall"
    )
    _history_user: AnyUser | None  # set by reports.outline_services for the history row

    class Meta:
        verbose_name = "rad i dokumentmall"
        verbose_name_plural = "dokumentmallar"
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"],
                name="reports_outline_unique_position",
                violation_error_message="Två rader i mallen har samma plats.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4),
                name="reports_outline_level_1_to_4",
                violation_error_message="Rubriknivån ska vara 1–4.",
            ),
            models.CheckConstraint(
                condition=models.Q(item_kind="rubrik", key="")
                | (~models.Q(item_kind="rubrik") & ~models.Q(key="")),
                name="reports_outline_key_unless_heading",
                violation_error_message="En text eller tabell behöver en nyckel; en rubrik har ingen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_display()} {self.position}: {self.title or self.key}"
