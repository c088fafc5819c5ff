"""The machinery every list page shares, whatever it lists: the one text search, the year
filter, and the page that draws a django-tables2 table under its django-filter form.

`contains_text` is case-insensitive for Swedish letters too. SQLite's LIKE folds only ASCII (so
"ÄLDRE" would miss "äldre"); a regular expression with (?i) is folded by Python's re on SQLite
and by PostgreSQL's ~* alike.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

PER_PAGE = 25  # every list page shows 25 rows a page
SEARCH_LABEL = "Sök"
SEARCH_MAX = 200  # a search text, not a document


def contains_text(fields: list[str], text: str) -> Q:
    """Rows where any of the fields holds the text, whatever its case (ä, å, ö as well)."""
    pattern = re.escape(text.strip())
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__iregex": pattern})
    return condition


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number typed in a number field (not an amount with decimals)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1900, "max": 2999}))
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2999)
        super().__init__(*args, **kwargs)


def render_list(
    request: HttpRequest,
    *,
    table: tables.Table,
    filterset: django_filters.FilterSet,
    heading: str,
    template: str = "lists/page.html",
    **context: Any,
) -> HttpResponse:
    """A list page: the table sorted and paged from the query string, under its filters.

    Sorting keeps the filters (the links carry the whole query string) and filtering keeps the
    sorting (the form carries it back), and either starts again at page 1.
    """
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    sort = request.GET.get(table.prefixed_order_by_field, "")
    context.update(table=table, filter=filterset, heading=heading, sort=sort)
    return render(request, template, context)
