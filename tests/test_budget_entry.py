"""Entering forecasts and bokslut: Swedish numbers, all-or-nothing saves, access, locks, conflicts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.forms import WHOLE_KRONOR, parse_tkr
from budget.models import AmountKind, BudgetAmount, BudgetLine
from budget.services import CONFLICT, AmountErrors, AmountInput, save_line_amounts
from demo.loaders import budget as budget_loader
from goals.models import ReportingOccasion
from indicators.parsing import DECIMAL_POINT, INVALID_NUMBER


@pytest.fixture
def budget_data(board_an):
    budget_loader.load()
    return board_an


def url(year=2022, point="oktober", code="AN"):
    return reverse("budget:budget_entry", args=[code, year]) + f"?tidpunkt={point}"


def drift_lines(board) -> list[BudgetLine]:
    return list(BudgetLine.objects.filter(board=board, scheme="drift").order_by("order"))


def october(board) -> dict[str, int]:
    return dict(
        BudgetAmount.objects.filter(
            line__board=board, line__scheme="drift", year=2022, kind="prognos", month=10
        ).values_list("line__code", "amount")
    )


@pytest.fixture
def client_an(client, controller_an):
    client.force_login(controller_an)
    return client


# --- Swedish number entry -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kronor"),
    [
        ("1 349", 1_349_000),
        ("1\xa0349", 1_349_000),  # no-break space, as copied from the report
        ("1\u202f349", 1_349_000),  # narrow no-break space
        ("-31 023", -31_023_000),
        ("\u2212677", -677_000),  # U+2212 minus sign
        ("12,5", 12_500),
        ("303 503,6", 303_503_600),
        ("0", 0),
        ("  458 476 ", 458_476_000),
        ("", None),
    ],
)
def test_swedish_amounts_are_read_as_tkr_and_stored_in_kronor(text, kronor):
    assert parse_tkr(text) == kronor


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.5", DECIMAL_POINT.format(suggestion="12,5")),
        ("abc", INVALID_NUMBER),
        ("13 49", INVALID_NUMBER),
        ("1 349 kr", INVALID_NUMBER),
        ("--5", INVALID_NUMBER),
        ("5-", INVALID_NUMBER),
        ("1,2345", WHOLE_KRONOR),  # more precise than a krona
    ],
)
def test_anything_else_is_refused_with_a_swedish_message(text, message):
    with pytest.raises(ValidationError) as error:
        parse_tkr(text)
    assert error.value.messages == [message]


# --- the page -------------------------------------------------------------------------------


def test_the_form_shows_budget_and_last_years_bokslut_beside_each_field(budget_data, client_an):
    response = client_an.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Prognos 31 oktober 2022" in page
    assert "308\xa0752" in page  # budget Ekonomiskt bistånd
    assert "319\xa0223" in page  # bokslut 2021
    assert 'value="305 700"' in page.replace("\xa0", " ")  # the stored October forecast


def test_a_controller_saves_a_forecast_in_one_go(budget_data, client_an, controller_an):
    lines = drift_lines(budget_data)
    data = {"tidpunkt": "april"}
    typed = ["1 349", "303 503,6", "\u221244 451", "99 090", "11 285", "-6 422"]
    for line, text in zip(lines, typed, strict=True):
        data[f"belopp_{line.pk}"] = text
    response = client_an.post(url(point="april"), data)
    assert response.status_code == 302
    stored = dict(
        BudgetAmount.objects.filter(kind="prognos", month=4).values_list("line__code", "amount")
    )
    assert stored["ekonomiskt-bistand"] == 303_503_600
    assert stored["flyktingmottagande"] == -44_451_000
    assert stored["namndens-enheter"] == -6_422_000
    saved = BudgetAmount.objects.get(kind="prognos", month=4, line=lines[0])
    assert saved.updated_by == controller_an
    assert saved.history.first().history_user == controller_an


def test_a_bad_amount_saves_nothing_and_keeps_everything_typed(budget_data, client_an):
    before = october(budget_data)
    history = BudgetAmount.history.count()
    lines = drift_lines(budget_data)
    data = {"tidpunkt": "oktober"}
    typed = ["1 500", "12.5", "44 000", "abc", "11 285", "-5 000"]
    for line, text in zip(lines, typed, strict=True):
        data[f"belopp_{line.pk}"] = text
        data[f"version_{line.pk}"] = "1"
    response = client_an.post(url(), data)
    assert response.status_code == 200
    page = response.content.decode()
    for text in typed:
        assert f'value="{text}"' in page
    assert DECIMAL_POINT.format(suggestion="12,5") in page
    assert INVALID_NUMBER in page
    assert 'aria-invalid="true"' in page
    assert "Inget sparades" in page
    assert october(budget_data) == before
    assert BudgetAmount.history.count() == history


def test_an_empty_field_removes_the_amount(budget_data, client_an):
    lines = drift_lines(budget_data)
    data = {"tidpunkt": "oktober"}
    for line in lines:
        data[f"belopp_{line.pk}"] = ""
        data[f"version_{line.pk}"] = "1"
    assert client_an.post(url(), data).status_code == 302
    assert october(budget_data) == {}


@pytest.mark.parametrize("persona", ["controller_other", "secretary_an", "manager_an", "outsider"])
def test_only_the_boards_controllers_may_enter(budget_data, client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = october(budget_data)
    lines = drift_lines(budget_data)
    assert client.get(url()).status_code == 404
    response = client.post(url(), {f"belopp_{lines[0].pk}": "1", "tidpunkt": "oktober"})
    assert response.status_code == 404
    assert october(budget_data) == before


def test_anonymous_visitors_are_sent_to_login(budget_data, client):
    response = client.get(url())
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_unknown_date_or_board_is_404(budget_data, client_an, admin_user, client):
    assert client_an.get(url(point="trettonde")).status_code == 404
    client.force_login(admin_user)
    assert client.get(url(code="XYZ")).status_code == 404


def test_an_approved_helar_locks_the_bokslut(budget_data, client_an):
    ReportingOccasion.objects.create(
        board=budget_data, year=2022, kind="helar", state=ReportingOccasion.State.APPROVED
    )
    line = drift_lines(budget_data)[0]
    response = client_an.get(url(point="bokslut"))
    assert "godkänt och låst" in response.content.decode()
    client_an.post(url(point="bokslut"), {"tidpunkt": "bokslut", f"belopp_{line.pk}": "9 999"})
    assert BudgetAmount.objects.get(line=line, year=2022, kind="bokslut").amount == 1_349_000
    with pytest.raises(AmountErrors):
        save_line_amounts(
            board=budget_data,
            year=2022,
            kind=AmountKind.OUTCOME,
            month=None,
            inputs=[AmountInput(line.pk, 1, 1)],
            user=None,
        )


def test_every_write_path_meets_the_lock(budget_data):
    ReportingOccasion.objects.create(
        board=budget_data, year=2022, kind="helar", state=ReportingOccasion.State.APPROVED
    )
    amount = BudgetAmount.objects.get(line__code="flyktingmottagande", year=2022, kind="bokslut")
    amount.save()  # unchanged: allowed, writes nothing
    amount.amount += 1
    with pytest.raises(ValidationError):
        amount.save()
    with pytest.raises(ValidationError):
        BudgetAmount.objects.filter(pk=amount.pk).update(amount=0)
    with pytest.raises(ValidationError):
        BudgetAmount.objects.filter(pk=amount.pk).delete()
    with pytest.raises(ValidationError):
        BudgetAmount.objects.bulk_create(
            [BudgetAmount(line=amount.line, year=2022, kind="prognos", month=12, amount=1)]
        )
    # The October forecast is not covered by any occasion and stays open.
    BudgetAmount.objects.filter(line=amount.line, year=2022, kind="prognos", month=10).update(
        amount=5
    )


def test_a_concurrent_change_is_refused_not_overwritten(budget_data, client_an):
    lines = drift_lines(budget_data)
    eb = lines[1]
    stored = BudgetAmount.objects.get(line=eb, year=2022, kind="prognos", month=10)
    # Another controller saves first.
    stored.amount = 300_000_000
    stored.version = 2
    stored.save()
    data = {"tidpunkt": "oktober", f"belopp_{eb.pk}": "310 000", f"version_{eb.pk}": "1"}
    for line in lines:
        if line != eb:
            data[f"belopp_{line.pk}"] = "1"
            data[f"version_{line.pk}"] = "1"
    response = client_an.post(url(), data)
    page = response.content.decode().replace("\xa0", " ")
    assert CONFLICT.split("(")[0] in page
    assert "300 000 tkr" in page
    stored.refresh_from_db()
    assert stored.amount == 300_000_000
    assert october(budget_data)["namnd-och-styrelseverksamhet"] == 1_600_000  # nothing saved


def test_the_service_refuses_lines_of_other_boards(budget_data, board_other):
    with pytest.raises(AmountErrors) as errors:
        save_line_amounts(
            board=board_other,
            year=2022,
            kind=AmountKind.FORECAST,
            month=10,
            inputs=[AmountInput(drift_lines(budget_data)[0].pk, 1, None)],
            user=None,
        )
    assert "hör inte till" in next(iter(errors.value.by_line.values()))


def test_entry_page_query_count_does_not_grow_with_lines(
    budget_data, client_an, django_assert_max_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client_an.get(url()).status_code == 200
        return len(context)

    few = count()
    for number in range(10):
        BudgetLine.objects.create(
            board=budget_data,
            scheme="drift",
            code=f"extra-{number}",
            name=f"Extra {number}",
            valid_from=2022,
            order=60 + number,
        )
    assert count() == few
