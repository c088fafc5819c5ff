"""The list of recorded Kolada revisions: a django-filter form over a django-tables2 table."""

from __future__ import annotations

from decimal import Decimal

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet

from core.lists import SEARCH_LABEL, SEARCH_MAX, YearFilter, contains_text
from indicators.formatting import format_exact
from indicators.models import KoladaRevision

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def revisions() -> QuerySet[KoladaRevision]:
    """Newest import first; the KPI, municipality and import joined (one query a page)."""
    return KoladaRevision.objects.select_related("kpi", "municipality", "imported").order_by(
        "-imported__started_at", "-imported__pk", "kpi_id", "municipality__title", "year", "gender"
    )


class RevisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=SEARCH_LABEL, method="search", max_length=SEARCH_MAX)
    ar = YearFilter(label="År", field_name="year")

    class Meta:
        model = KoladaRevision
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return queryset.filter(
            contains_text(["kpi__id", "kpi__title", "municipality__title"], value)
        )


def _value(value: Decimal | None, status: str) -> str:
    if value is None:
        return f"– ({status})" if status else "–"
    return format_exact(value)


class RevisionTable(tables.Table):
    caption = "Värden som Kolada har ändrat mellan två hämtningar"

    imported = tables.DateTimeColumn(
        verbose_name="Hämtad",
        accessor="imported__started_at",
        format="Y-m-d H:i",
        order_by=("-imported__started_at", "-imported__pk"),
    )
    kpi = tables.Column(verbose_name="Nyckeltal", accessor="kpi", order_by=("kpi_id",))
    municipality = tables.Column(
        verbose_name="Kommun", accessor="municipality__title", order_by=("municipality__title",)
    )
    year = tables.Column(verbose_name="År", attrs=NUM)
    gender = tables.Column(verbose_name="Kön", accessor="get_gender_display", order_by="gender")
    old_value = tables.Column(verbose_name="Tidigare värde", attrs=NUM, empty_values=())
    new_value = tables.Column(verbose_name="Nytt värde", attrs=NUM, empty_values=())

    class Meta:
        empty_text = "Kolada har inte ändrat några hämtade värden."

    def render_kpi(self, record: KoladaRevision) -> str:
        return f"{record.kpi_id} {record.kpi.title}"

    def render_year(self, value: int) -> str:
        return str(value)

    def render_old_value(self, record: KoladaRevision) -> str:
        return _value(record.old_value, record.old_status)

    def render_new_value(self, record: KoladaRevision) -> str:
        return _value(record.new_value, record.new_status)
