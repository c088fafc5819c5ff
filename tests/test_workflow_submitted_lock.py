"""Issue 12: submitted means locked. Every write path refuses an inskickad occasion, saying so
in Swedish, and works again after a send-back; an approved one is refused with its own lock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals import services
from goals.models import OccasionLockedError, OccasionTransition, ReportingOccasion
from goals.periods import PeriodType
from indicators.importing import COLUMN, SHEET
from indicators.models import IndicatorValue
from tests.entry_data import breakdown, goal_chain, set_value
from tests.test_import_excel import fill
from tests.test_workflow_lock_paths import admin_form

Q = PeriodType.QUARTER
SUBMITTED = "inskickat för godkännande"
APPROVED = "godkänt och låst"


@pytest.fixture
def data(board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = set_value(indicator, year=2023, period_type=Q, number=3, value=12)
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    return indicator, value, occasion


def entry_url(occasion, name="entry_page"):
    return reverse(f"indicators:{name}", args=[occasion.board.code, occasion.year, occasion.kind])


def form_save(client, user, indicator, value, number):
    client.force_login(user)
    return client.post(
        entry_url(ReportingOccasion.objects.get(kind="k3"), "entry_save_value"),
        {
            "indicator": indicator.pk,
            "breakdown": breakdown().pk,
            "period_type": Q,
            "period_number": 3,
            "version": value.version,
            "value": str(number),
            "missing_reason": "",
            "comment": "",
            "footnote": "",
        },
        HTTP_HX_REQUEST="true",
    )


def save_all(client, user, indicator, value, number):
    """The grid's "Spara alla": the whole occasion in one request."""
    client.force_login(user)
    value.refresh_from_db()
    field = f"v{indicator.pk}-{breakdown().pk}-{Q}-3"
    return client.post(
        entry_url(ReportingOccasion.objects.get(kind="k3"), "entry_save_all"),
        {
            "fields": [field],
            f"{field}-version": value.version,
            f"{field}-value": str(number),
            f"{field}-missing_reason": "",
            f"{field}-footnote": "",
            f"{field}-comment": "",
        },
    )


def import_save(client, user, occasion, number):
    client.force_login(user)
    template = client.get(entry_url(occasion, "entry_template")).content
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(template))[SHEET]
    key = (ws.cell(row=2, column=COLUMN["name"]).value, "Totalt")
    data = fill(template, {key: {"value": number}})
    return client.post(
        entry_url(occasion, "entry_import"), {"file": SimpleUploadedFile("u.xlsx", data)}
    )


def admin_save(client, admin_user, value, number):
    client.force_login(admin_user)
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    value.refresh_from_db()
    return client.post(url, admin_form(value, value=str(number)))


def command_save(indicator, number):
    call_command(
        "set_value",
        indicator=indicator.pk,
        year=2023,
        period="kvartal:3",
        value=str(number),
        user="admin",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


def stored():
    return IndicatorValue.objects.get(breakdown=breakdown()).value


def test_every_write_path_is_refused_while_submitted_and_after_approval(
    client, data, controller_an, secretary_an, admin_user
):
    indicator, value, occasion = data
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    for lock, step in ((SUBMITTED, None), (APPROVED, "approve")):
        if step:
            services.approve_occasion(user=secretary_an, occasion=occasion)
        response = form_save(client, controller_an, indicator, value, 13)
        assert lock in response.content.decode()
        response = save_all(client, controller_an, indicator, value, 13)
        assert response.status_code == 422
        assert lock in response.content.decode()
        response = import_save(client, controller_an, occasion, 13)
        assert lock in response.content.decode()
        assert admin_save(client, admin_user, value, 13).status_code == 403
        with pytest.raises(CommandError, match=lock):
            command_save(indicator, 13)
        assert stored() == Decimal(12)


def test_every_write_path_works_again_after_a_send_back(
    client, data, controller_an, secretary_an, admin_user
):
    indicator, value, occasion = data
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    services.return_occasion(user=secretary_an, occasion=occasion, reason="K3 ska vara 13")
    form_save(client, controller_an, indicator, value, 13)
    assert stored() == Decimal(13)
    assert save_all(client, controller_an, indicator, value, 17).status_code == 302
    assert stored() == Decimal(17)
    assert import_save(client, controller_an, occasion, 14).status_code == 302
    assert stored() == Decimal(14)
    assert admin_save(client, admin_user, value, 15).status_code == 302
    assert stored() == Decimal(15)
    command_save(indicator, 16)
    assert stored() == Decimal(16)


def test_assessments_and_statuses_are_refused_while_submitted(board_an, controller_an):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    goal = goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR)[
        0
    ].board_goal
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    with pytest.raises(OccasionLockedError, match=SUBMITTED):
        services.save_assessment(
            user=controller_an,
            occasion=occasion,
            board_goal=goal,
            level="uppnatt",
            expected_version=0,
        )


def test_the_entry_page_is_read_only_with_a_note_while_submitted(client, data, controller_an):
    _, _, occasion = data
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    client.force_login(controller_an)
    page = client.get(entry_url(occasion)).content.decode()
    assert "inskickat för godkännande och visas skrivskyddat" in page
    assert '-value" type="text"' not in page  # no value input in the grid
    assert 'id="save-all"' not in page
    assert "Läs in Excelfil" not in page


def test_submit_with_gaps_needs_confirmation_which_is_recorded(client, board_an, controller_an):
    goal_chain(board_an, goals=1, indicators_per_goal=2)
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    client.force_login(controller_an)
    page = client.get(entry_url(occasion)).content.decode()
    assert "Jag skickar in trots att uppgifter saknas" in page
    assert "Fält utan värde eller I.U." in page
    url = reverse("goals:occasion_submit", args=[occasion.pk])
    refused = client.post(url, follow=True).content.decode()
    assert "Inget är ifyllt" in refused
    occasion.refresh_from_db()
    assert occasion.state == "oppen"
    client.post(url, {"confirm_missing": "ja", "missing_seen": "1"})
    occasion.refresh_from_db()
    assert occasion.state == "oppen"  # more is missing than the user confirmed
    client.post(url, {"confirm_missing": "ja"})
    occasion.refresh_from_db()
    assert occasion.state == "inskickad"
    step = OccasionTransition.objects.get(occasion=occasion)
    assert step.missing_count > 1
    assert "Fält utan värde eller I.U." in step.missing_summary


def test_submit_with_nothing_missing_asks_for_no_confirmation(client, board_an, controller_an):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    client.force_login(controller_an)
    assert "Jag skickar in trots" not in client.get(entry_url(occasion)).content.decode()
    client.post(reverse("goals:occasion_submit", args=[occasion.pk]))
    occasion.refresh_from_db()
    assert occasion.state == "inskickad"
    assert OccasionTransition.objects.get(occasion=occasion).missing_count == 0


def test_send_back_reason_is_shown_escaped_on_the_page_and_overview(
    client, data, controller_an, secretary_an
):
    _, _, occasion = data
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    services.return_occasion(
        user=secretary_an, occasion=occasion, reason="<b>K3</b> för män saknas"
    )
    client.force_login(controller_an)
    for url in (entry_url(occasion), reverse("indicators:entry_overview") + "?ar=2023"):
        page = client.get(url).content.decode()
        assert "Skickades tillbaka av" in page
        assert "&lt;b&gt;K3&lt;/b&gt; för män saknas" in page
        assert "<b>K3</b>" not in page
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    assert "Skickades tillbaka av" not in client.get(entry_url(occasion)).content.decode()
