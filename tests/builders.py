"""Small builders for test data (a goal chain of a chosen size: tests.entry_data.goal_chain).

Plain functions, not factory_boy: each builder is a get_or_create on a natural key or a loop
over years and breakdowns, and the tests name every field they depend on. As factories they
grow longer (LazyAttribute for the derived code, post_generation for the loops) and a default
made up by a factory would hide the year or state a test is about.
"""

from __future__ import annotations

from indicators.models import Breakdown


def breakdown(gender: str = "", org_unit=None, category: str = "") -> Breakdown:
    code = Breakdown.make_code(gender, org_unit.code if org_unit else "", category)
    return Breakdown.objects.get_or_create(
        code=code, defaults={"gender": gender, "org_unit": org_unit, "category": category}
    )[0]
