"""Every historical row records its source: form, import, admin or command."""

from __future__ import annotations

from decimal import Decimal

from core.audit import ChangeSource, change_source
from goals.periods import PeriodType
from indicators.models import IndicatorValue
from tests.entry_data import goal_chain, set_value


def test_orm_write_without_request_is_a_command(board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    set_value(indicator, year=2022, period_type=PeriodType.QUARTER, number=1, value=3)
    value = IndicatorValue.objects.filter(indicator=indicator).first()
    assert value.history.first().history_source == ChangeSource.COMMAND


def test_change_source_marks_the_rows_written_inside(board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    set_value(indicator, year=2022, period_type=PeriodType.QUARTER, number=1, value=3)
    value = IndicatorValue.objects.filter(indicator=indicator).first()
    with change_source(ChangeSource.IMPORT):
        value.value = Decimal(12)
        value.save()
    value.value = Decimal(13)
    value.save()
    sources = list(value.history.order_by("history_id").values_list("history_source", flat=True))
    assert sources == [ChangeSource.COMMAND, ChangeSource.IMPORT, ChangeSource.COMMAND]
