"""django-tables2 tables of the list pages that indicators owns (the occasions to report)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables

from goals.models import Board, ReportingOccasion
from indicators.formatting import format_number

STATUS_CELL = (
    "{% load user_labels %}"
    '<span class="state state-{{ record.occasion.state }}">'
    "{{ record.occasion.get_state_display }}</span>"
    '{% if record.send_back %}<p class="send-back">Skickades tillbaka av '
    '{{ record.send_back.user|user_label:"en nämndsekreterare" }}'
    ' den {{ record.send_back.at|date:"j F Y H:i" }}: '
    "{{ record.send_back.reason }}</p>{% endif %}"
)
MISSING_CELL = (
    "{% if record.status.missing %}<details><summary>"
    "{{ record.missing_label }}</summary><ul>"
    "{% for indicator in record.status.missing_indicators %}<li>{{ indicator.name }}</li>"
    "{% endfor %}</ul></details>{% else %}Inget saknas{% endif %}"
)


class OccasionTable(tables.Table):
    """The occasions of the user's boards: state, deadline and what is still missing.

    Its rows are the dicts of the overview view (status, send-back note), sorted in Python:
    the missing fields are worked out per occasion, so there is no queryset to order.
    """

    caption = "Uppföljningstillfällen: status, sista dag och vad som saknas"

    board = tables.Column(
        verbose_name="Nämnd", accessor="occasion__board", order_by=("board_order", "board_name")
    )
    kind = tables.Column(
        verbose_name="Tillfälle",
        accessor="occasion",
        order_by=("kind_rank", "board_order", "board_name"),
        linkify=lambda record: record["entry_url"],
    )
    deadline = tables.DateColumn(
        verbose_name="Sista dag",
        accessor="occasion__deadline",
        format="j F Y",
        order_by=("deadline_key", "kind_rank", "board_order", "board_name"),
        default="–",
    )
    state = tables.TemplateColumn(
        STATUS_CELL,
        verbose_name="Status",
        order_by=("state_rank", "kind_rank", "board_order", "board_name"),
    )
    reported = tables.Column(
        verbose_name="Rapporterat",
        accessor="status__reported_count",
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    missing = tables.TemplateColumn(
        MISSING_CELL,
        verbose_name="Saknas",
        order_by=("missing_count", "kind_rank", "board_order", "board_name"),
    )

    class Meta:
        empty_text = "Det finns inga uppföljningstillfällen för dina nämnder med det urvalet."

    def render_board(self, value: Board) -> str:
        return f"{value.name} ({value.code})"

    def render_kind(self, value: ReportingOccasion) -> str:
        return f"{value.get_kind_display()} {value.year}"

    def render_reported(self, record: dict[str, Any]) -> str:
        status = record["status"]
        return f"{format_number(status.reported_count)} av {format_number(status.due)} fält"
