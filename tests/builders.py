"""Small builders for test data (a goal chain of a chosen size: tests.entry_data.goal_chain)."""

from __future__ import annotations

from indicators.models import Breakdown


def breakdown(gender: str = "", org_unit=None, category: str = "") -> Breakdown:
    code = Breakdown.make_code(gender, org_unit.code if org_unit else "", category)
    return Breakdown.objects.get_or_create(
        code=code, defaults={"gender": gender, "org_unit": org_unit, "category": category}
    )[0]
