"""load_demo and demo_users: idempotent, in one transaction, and careful with approved data."""

from __future__ import annotations

import io
import sys
import types
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from demo.loaders import base
from demo.loaders.base import BAD_NUMBER, DemoDataError, parse_number, read
from demo.loaders.indicators import expected_values, parse_target
from demo.management.commands import load_demo
from demo.management.commands.demo_users import (
    DEMO_PASSWORD,
    DEMO_USERS,
    REFUSED_WITHOUT_DEBUG,
)
from goals.models import BoardRole, OrganisationUnit, ReportingOccasion, Role
from indicators.formatting import format_number
from indicators.models import Indicator, IndicatorValue, Target
from reports.archive import report_json_text
from reports.models import ArchivedReport
from reports.renderers.xlsx import render_xlsx
from reports.report.documents import build_document, document_for_occasion

pytestmark = pytest.mark.django_db


DEMO_APPS = ("goals", "indicators", "budget")


def row_counts() -> dict[str, int]:
    """Rows of every model of the apps the demo writes, historical tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for app in DEMO_APPS
        for model in apps.get_app_config(app).get_models()
    }


# The kinds load_demo counts, by the model whose rows they are (every demo table but history).
STORED_KINDS = {
    "Kommuner": "goals.Municipality",
    "Nämnder": "goals.Board",
    "Förvaltningar och enheter": "goals.OrganisationUnit",
    "Målområden": "goals.GoalArea",
    "Kommunövergripande mål": "goals.CouncilGoal",
    "Nämndmål": "goals.BoardGoal",
    "Indikatorer": "indicators.Indicator",
    "Utfall": "indicators.IndicatorValue",
    "Målvärden": "indicators.Target",
    "Fotnoter": "indicators.Footnote",
    "Uppföljningstillfällen": "goals.ReportingOccasion",
    "Målbedömningar": "goals.GoalAssessment",
    "Budgetrader": "budget.BudgetLine",
    "Belopp": "budget.BudgetAmount",
}


def unit_board_links() -> int:
    return OrganisationUnit.boards.through.objects.count()


def loaded_rows() -> int:
    """Rows the loaders write: every demo table but history, roles and workflow steps."""
    skipped = {"goals.BoardRole", "goals.OccasionTransition"}
    counted = sum(
        count
        for label, count in row_counts().items()
        if label not in skipped and ".Historical" not in label
    )
    return counted + unit_board_links()


def sheet_values(xlsx: bytes) -> list[list[tuple]]:
    workbook = load_workbook(io.BytesIO(xlsx))
    return [list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets]


def snapshot() -> dict:
    values = {
        (v.indicator_id, v.year, v.breakdown_id): (v.value, v.missing_reason, v.updated_at)
        for v in IndicatorValue.objects.all()
    }
    targets = {
        (t.indicator_id, t.year, t.breakdown_id): (t.kind, t.value, t.operator, t.text)
        for t in Target.objects.all()
    }
    return {"values": values, "targets": targets}


def test_loading_twice_changes_nothing(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    counts, before = row_counts(), snapshot()
    assert counts["indicators.IndicatorValue"] > 200
    # One history row per value, and the internbudget 2022's earlier states
    # (internbudget_2022.toml): a "~" row per revised value, "+" and "-" per removed value.
    earlier = read("internbudget_2022.toml")
    revised = [e for e in earlier["earlier"] if "changed" in e]
    removed = [e for e in earlier["earlier"] if "deleted" in e]
    removed += [v for e in earlier["periods"] if "deleted" in e for v in e["values"]]
    assert counts["indicators.HistoricalIndicatorValue"] == (
        counts["indicators.IndicatorValue"] + len(revised) + 2 * len(removed)
    )

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert row_counts() == counts  # no duplicates, no new historical rows
    assert snapshot() == before  # not even updated_at moved
    assert "0 nya, 0 ändrade" in out.getvalue()


def test_second_run_reads_in_a_bounded_number_of_queries(settings):
    settings.DEBUG = False
    load_demo.load_all()
    with CaptureQueriesContext(connection) as first_rerun:
        load_demo.load_all()
    # Reading back what is stored is one query per table, not one per row. The year rollover
    # that makes AN 2023 (demo.loaders.rollover) reads its draft, one query per kind of row,
    # and the invented 2023 indicators are a second, small indicators load; the plans and the
    # internbudget 2022's earlier states (demo.loaders.plans) read each kind once more, and the
    # history's dates one query per historical table.
    assert len(first_rerun.captured_queries) < 135
    assert len(first_rerun.captured_queries) < IndicatorValue.objects.count() / 2


def test_load_demo_prints_a_one_line_summary_and_skips_users_without_debug(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("Demodata inläst: ")
    assert "nya" in lines[0]
    assert not get_user_model().objects.filter(username__startswith="demo_").exists()


def test_load_demo_creates_the_demo_users_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    usernames = set(
        get_user_model()
        .objects.filter(username__startswith="demo_")
        .values_list("username", flat=True)
    )
    assert usernames == {user.username for user in DEMO_USERS}


def test_a_loader_appended_to_loaders_runs_after_the_others(monkeypatch, settings):
    settings.DEBUG = False
    seen = []
    module = types.ModuleType("demo_extra_loader_for_test")

    def load(stats):
        # The goal structure is already there when a later loader runs.
        seen.append(Indicator.objects.filter(board__code="AN").exists())
        stats.created += 1

    module.load = load
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(load_demo, "LOADERS", [*load_demo.LOADERS, module.__name__])
    call_command("load_demo", verbosity=0)
    assert seen == [True]


def test_a_failing_loader_leaves_nothing_half_written(monkeypatch, settings):
    settings.DEBUG = False
    module = types.ModuleType("demo_failing_loader_for_test")

    def load(stats):
        raise DemoDataError("trasig datafil")

    module.load = load
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(load_demo, "LOADERS", [*load_demo.LOADERS, module.__name__])
    with pytest.raises(DemoDataError):
        call_command("load_demo", verbosity=0)
    assert not Indicator.objects.exists()
    assert not ReportingOccasion.objects.exists()


def test_approved_figures_are_not_overwritten_by_a_rerun(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    households = Indicator.objects.get(
        board__code="AN", name__startswith="Antal hushåll med ekonomiskt bistånd, utfall i slutet"
    )
    # Someone got past every guard and changed an approved figure in the database.
    IndicatorValue._base_manager.filter(indicator=households, year=2022).update(value=1)
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", verbosity=0)
    assert "AN Helår 2022 är godkänt och låst" in str(refused.value)
    # The loader refused instead of silently writing the seed's figure back.
    assert IndicatorValue.objects.get(indicator=households, year=2022).value == 1


def test_an_occasion_people_reopened_keeps_its_state(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    occasion = ReportingOccasion.objects.get(board__code="AN", year=2022, kind="helar")
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state=ReportingOccasion.State.OPEN)
    call_command("load_demo", verbosity=0)
    occasion.refresh_from_db()
    assert occasion.state == ReportingOccasion.State.OPEN


# ---- demo_users ----


def test_demo_users_one_per_role_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo", "--no-users", verbosity=0)
    call_command("demo_users", verbosity=0)
    call_command("demo_users", verbosity=0)
    users = get_user_model().objects.filter(username__startswith="demo_")
    assert users.count() == 5
    roles = {
        (r.user.username, r.role, r.board.code if r.board else None)
        for r in BoardRole.objects.filter(user__in=users).select_related("board", "user")
    }
    assert roles == {
        ("demo_admin", Role.ADMINISTRATOR, None),
        ("demo_controller_an", Role.CONTROLLER, "AN"),
        ("demo_controller_bin", Role.CONTROLLER, "BIN"),
        ("demo_sekreterare_an", Role.SECRETARY, "AN"),
        ("demo_chef", Role.MANAGER, None),
    }
    admin = users.get(username="demo_admin")
    assert admin.is_staff and admin.is_superuser
    assert not users.get(username="demo_chef").is_staff
    assert all(user.check_password(DEMO_PASSWORD) for user in users)


def test_demo_users_refuse_without_debug_unless_forced(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_users", verbosity=0)
    assert REFUSED_WITHOUT_DEBUG.startswith("Demoanvändare")
    assert not get_user_model().objects.filter(username__startswith="demo_").exists()
    call_command("demo_users", "--force", verbosity=0)
    assert get_user_model().objects.filter(username__startswith="demo_").count() == 5


def test_demo_users_print_a_swedish_table_with_the_password(settings):
    settings.DEBUG = True
    call_command("load_demo", "--no-users", verbosity=0)
    out = StringIO()
    call_command("demo_users", "--print", stdout=out)
    text = out.getvalue()
    assert "Användarnamn" in text and "Roll" in text and "Nämnd" in text
    assert "demo_controller_bin" in text and "Nämndsekreterare" in text
    assert f"Lösenord för alla demoanvändare: {DEMO_PASSWORD}" in text


def test_demo_users_need_the_boards(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_users", verbosity=0)


def test_demo_users_can_log_in(client, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    response = client.post(
        reverse("core:login"), {"username": "demo_controller_an", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.username == "demo_controller_an"


# ---- the file format ----


@pytest.mark.parametrize(
    ("text", "number", "decimals"),
    [
        ("3 327", Decimal("3327"), 0),
        ("88,9", Decimal("88.9"), 1),
        ("-9,0", Decimal("-9.0"), 1),
        ("8,62", Decimal("8.62"), 2),
        ("6,0 %", Decimal("6.0"), 1),
        ("1 000", Decimal("1000"), 0),
    ],
)
def test_numbers_are_read_the_swedish_way(text, number, decimals):
    assert parse_number(text) == (number, decimals)


@pytest.mark.parametrize("text", ["3.5", "3,327.0", "12 34", "", "abc"])
def test_numbers_in_another_format_are_refused(text):
    with pytest.raises(DemoDataError) as error:
        parse_number(text)
    assert str(error.value) == BAD_NUMBER.format(text=text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("88 %", {"kind": "varde", "value": Decimal("88"), "decimals": 0}),
        ("3 300", {"kind": "varde", "value": Decimal("3300"), "decimals": 0}),
        ("5,0", {"kind": "varde", "value": Decimal("5.0"), "decimals": None}),
        ("≥0", {"kind": "grans", "operator": ">=", "value": Decimal("0"), "decimals": 0}),
        ("<0,5 %", {"kind": "grans", "operator": "<", "value": Decimal("0.5"), "decimals": None}),
        ("Ska öka", {"kind": "riktning", "trend": "oka"}),
        ("I.U.", {"kind": "iu", "value": None}),
        ("Inga signifikanta skillnader", {"kind": "text", "text": "Inga signifikanta skillnader"}),
    ],
)
def test_target_kinds_from_the_report_text(text, expected):
    # The indicator shows one decimal; a target written with another count keeps its own.
    fields = parse_target(text, decimals=1)
    assert {key: fields[key] for key in expected} == expected


def test_reported_figures_of_computed_indicators_are_available_to_their_tests():
    assert expected_values("avvikelse_budget") == {
        2020: Decimal("0.0"),
        2021: Decimal("-1.6"),
        2022: Decimal("2.6"),
    }
    assert expected_values("traffsakerhet_oktober")[2022] == Decimal("1.3")


def test_data_files_are_read_once_while_unchanged():
    base._parsed.cache_clear()
    first = base.read("goals.toml")
    assert base.read("goals.toml") is first
    assert base._parsed.cache_info().hits == 1


def test_demo_data_and_the_test_personas_share_the_boards(
    controller_an, controller_other, demo_data
):
    # conftest's personas create AN and BIN first; the demo data takes them over, no duplicates.
    assert demo_data.code == "AN"
    assert controller_an.board_roles.get().board == demo_data
    assert demo_data.name == "Arbetsmarknadsnämnden"
    assert controller_other.board_roles.get().board.indicators.exists()


# ---- what a load reports, and the approvals it makes ----


def test_a_first_load_says_what_it_created_per_kind(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo", "--no-users", stdout=out)
    lines = out.getvalue().strip().splitlines()
    total = loaded_rows()
    assert lines[0] == (
        f"Demodata inläst: {format_number(total)} nya, 0 ändrade, 0 oförändrade rader; "
        "5 tillfällen godkända (med arkiverad rapport)."
    )
    kinds = dict(line.strip().split(": ", 1) for line in lines[1:])
    for kind, label in STORED_KINDS.items():
        count = row_counts()[label]
        assert kinds[kind] == f"{format_number(count)} {'ny' if count == 1 else 'nya'}", kind
    assert kinds["Enheternas nämnder"] == f"{unit_board_links()} nya"
    assert "ändrad" not in " ".join(lines[1:])


def test_a_second_load_says_nothing_changed(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    total = loaded_rows()
    out = StringIO()
    call_command("load_demo", "--no-users", stdout=out)
    assert out.getvalue().strip().splitlines() == [
        f"Demodata inläst: inget ändrades (0 nya, 0 ändrade, "
        f"{format_number(total)} oförändrade rader)."
    ]


def test_each_approved_demo_occasion_has_its_archived_report(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    approved = ReportingOccasion.objects.filter(state=ReportingOccasion.State.APPROVED)
    assert approved.count() == 5
    for occasion in approved.select_related("board"):
        [archive] = ArchivedReport.objects.filter(occasion=occasion)
        approval = occasion.transitions.get(to_state=ReportingOccasion.State.APPROVED)
        assert archive.approval == approval
        assert (approval.reason, approval.source, approval.user) == ("Demodata", "kommando", None)
        # The copy is the occasion's document (a delår's delårsrapport, else the year's
        # verksamhetsberättelse) of its board and year, built again now with the approval's time: the same JSON text, and the same cells in the workbook.
        document = document_for_occasion(occasion.kind)
        rebuilt = build_document(occasion.board, occasion.year, document, now=archive.created_at)
        assert archive.json_text == report_json_text(rebuilt), occasion
        assert sheet_values(bytes(archive.xlsx)) == sheet_values(render_xlsx(rebuilt))
    # A second load approves nothing more and archives nothing more.
    call_command("load_demo", verbosity=0)
    assert ArchivedReport.objects.count() == 5
