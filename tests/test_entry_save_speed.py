"""The save paths: one field in at most 12 queries, "Spara alla" all or nothing in a fixed
number of queries, a retry after a lost answer, and clearing a stored value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import ReportingOccasion
from goals.periods import PeriodType
from indicators.models import Footnote, IndicatorValue
from tests.entry_data import breakdown, goal_chain, set_value
from tests.test_entry_page import Q, post_value, save_url, stored

JSON = {"HTTP_ACCEPT": "application/json"}
MAX_SINGLE_SAVE_QUERIES = 12


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


@pytest.fixture
def indicators(board_an):
    return goal_chain(board_an, goals=2, indicators_per_goal=2)


def key(indicator, gender=""):
    return f"v{indicator.pk}-{breakdown(gender).pk}-kvartal-3"


def save_all_url(item):
    return reverse("indicators:entry_save_all", args=[item.board.code, item.year, item.kind])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("footnote", ["Fotnoten", "Ny fotnot"])
def test_single_field_save_query_count(client, controller_an, occasion, indicators, footnote):
    """The common path: a stored value changed, with its footnote and comment (kept or changed).

    transaction=True: the save's own transaction is BEGIN/COMMIT as in production, not a
    savepoint inside the test's transaction.
    """
    first = indicators[0]
    value = set_value(first, year=2023, period_type=Q, number=3, value=10)
    Footnote.objects.create(value=value, text="Fotnoten")
    client.force_login(controller_an)
    client.get("/")
    data = {
        "indicator": first.pk,
        "breakdown": breakdown().pk,
        "period_type": Q,
        "period_number": 3,
        "version": value.version,
        "value": "11",
        "missing_reason": "",
        "comment": "Kommentar",
        "footnote": footnote,
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(save_url(occasion), data, **JSON)
    # Every statement counts, the save's BEGIN and COMMIT included (the session's renewal is a
    # lone UPDATE: core.sessions).
    queries = list(captured)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "saved"
    assert response.json()["version"] == value.version + 1
    # A changed footnote is two writes more (its UPDATE and its history row).
    limit = MAX_SINGLE_SAVE_QUERIES + (2 if footnote != "Fotnoten" else 0)
    assert len(queries) <= limit, "\n".join(q["sql"][:150] for q in queries)
    saved = stored(first)
    assert saved.value == 11 and saved.comment == "Kommentar"
    assert Footnote.objects.get(value=saved).text == footnote
    history = saved.history.first()
    assert history.history_user == controller_an and history.history_source == "formular"
    assert history.value == 11


@pytest.mark.django_db
def test_retry_of_a_committed_save_is_answered_as_saved(
    client, controller_an, occasion, indicators
):
    client.force_login(controller_an)
    first = indicators[0]
    assert (
        post_value(client, occasion, first, value="5", comment="K", **JSON).json()["version"] == 1
    )
    # The answer was lost: the page still has version 0 and sends the same content again.
    again = post_value(client, occasion, first, value="5", comment="K", **JSON)
    assert again.status_code == 200 and again.json()["state"] == "saved"
    assert stored(first).version == 1 and stored(first).history.count() == 1
    # Other content from the stale version is a conflict.
    other = post_value(client, occasion, first, value="6", comment="K", **JSON)
    assert other.status_code == 422 and other.json()["state"] == "conflict"
    assert stored(first).value == 5


@pytest.mark.django_db
def test_another_users_identical_save_is_still_a_conflict(
    client,
    controller_an,
    occasion,
    indicators,
):
    first = indicators[0]
    set_value(first, year=2023, period_type=Q, number=3, value=5)  # updated_by nobody
    client.force_login(controller_an)
    answer = post_value(client, occasion, first, value="5", **JSON)
    assert answer.status_code == 422 and answer.json()["state"] == "conflict"


@pytest.mark.django_db
def test_clearing_needs_confirmation_and_says_borttaget(
    client, controller_an, occasion, indicators
):
    client.force_login(controller_an)
    first = indicators[0]
    post_value(client, occasion, first, value="5", **JSON)
    refused = post_value(client, occasion, first, value="", version=1, **JSON)
    assert refused.status_code == 422 and "Ta bort det sparade värdet" in str(refused.json())
    assert stored(first).value == 5
    data = {
        "indicator": first.pk,
        "breakdown": breakdown().pk,
        "period_type": Q,
        "period_number": 3,
        "version": 1,
        "value": "",
        "clear": "1",
    }
    cleared = client.post(save_url(occasion), data, **JSON)
    assert cleared.json()["state"] == "deleted"
    assert [m["text"] for m in cleared.json()["messages"]] == ["Borttaget"]
    assert stored(first) is None


def grid_post(indicators, values: dict, versions: dict | None = None) -> dict:
    data = {"fields": []}
    for indicator in indicators:
        for gender in ("", "K", "M"):
            field = key(indicator, gender)
            data["fields"].append(field)
            data[f"{field}-version"] = (versions or {}).get(field, 0)
            data[f"{field}-value"] = values.get(field, "")
            data[f"{field}-missing_reason"] = ""
            data[f"{field}-footnote"] = ""
            data[f"{field}-comment"] = ""
    return data


@pytest.mark.django_db
def test_save_all_is_all_or_nothing(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    good = {key(indicators[0]): "3 327", key(indicators[1], "K"): "12,5"}
    bad = {**good, key(indicators[2], "M"): "12.5"}
    response = client.post(save_all_url(occasion), grid_post(indicators, bad))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Inget sparades" in html and 'value="12.5"' in html and 'value="3 327"' in html
    assert IndicatorValue.objects.filter(year=2023).count() == 0
    response = client.post(save_all_url(occasion), grid_post(indicators, good))
    assert response.status_code == 302
    assert stored(indicators[0]).value == 3327
    assert stored(indicators[1], "K").value == Decimal("12.5")
    assert IndicatorValue.objects.filter(year=2023).count() == 2
    # A conflict on one field writes nothing either (JSON, as the page's script asks).
    versions = {key(indicators[0]): 1, key(indicators[1], "K"): 0}  # K's version is stale
    changed = {key(indicators[0]): "3 400", key(indicators[1], "K"): "13"}
    answer = client.post(save_all_url(occasion), grid_post(indicators, changed, versions), **JSON)
    assert answer.status_code == 422
    assert answer.json()["fields"][key(indicators[1], "K")]["state"] == "conflict"
    assert stored(indicators[0]).value == 3327


@pytest.mark.django_db
def test_save_all_query_count_does_not_grow_per_field(client, controller_an, board_an, occasion):
    few = goal_chain(board_an, goals=1, indicators_per_goal=1)
    client.force_login(controller_an)
    client.get("/")

    def save_all(indicators, number):
        values = {key(i, g): str(number) for i in indicators for g in ("", "K", "M")}
        versions = {
            key(i, g): (stored(i, g).version if stored(i, g) else 0)
            for i in indicators
            for g in ("", "K", "M")
        }
        data = grid_post(indicators, values, versions)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(save_all_url(occasion), data, **JSON)
        assert response.status_code == 200, response.content
        return len(queries)

    small_new = save_all(few, 1)
    small_changed = save_all(few, 2)
    many = few + goal_chain(board_an, goals=3, indicators_per_goal=4)
    large_new = save_all(many, 1)  # the first is changed, the rest new
    large_changed = save_all(many, 3)
    assert large_changed == small_changed, (small_changed, large_changed)
    assert large_new <= small_new + 2  # a create and an update batch, each with its history
    assert IndicatorValue.objects.filter(year=2023, period_type=PeriodType.QUARTER).count() == 39
