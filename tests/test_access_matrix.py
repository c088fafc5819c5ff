"""Every URL of our apps that names an object refuses users outside that object's board.

The matrix is generated from the URL configuration, so a new view is covered the moment it is
routed: each URL pattern of goals, indicators, budget and reports is built for board AN's
objects from the names of its arguments, then requested (GET and POST) as a controller of
another board and as a user without any role. Every answer must be 404 or 403 (405 for a
method the view does not take); anything else lets a changed id or URL reach another
board's data. As a positive control, an administrator must reach each URL (not 404), so a
wrongly built URL cannot pass by being 404 for everyone.

A pattern with an argument name that is not in OBJECT_FOR_KWARG fails the test: add the name
to the map with how to find AN's object.

A few URLs name no board at all, only a year (the workbook of every board the user may
export): they answer each user with the boards of the user's own roles. For those, listed in
OWN_BOARDS_ONLY, another board's controller may get an answer, but nothing of AN's in it.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from goals.models import Activity, ReportingOccasion, StrategicAssignment
from goals.periods import PeriodType
from indicators.models import IndicatorValue
from tests.entry_data import breakdown, goal_chain
from tests.routes import our_routes

APPS = ("goals.", "indicators.", "budget.", "reports.")
YEAR = 2023
REFUSED = {403, 404}
NOT_ALLOWED = 405


def _report_table_key(objects):
    from reports.report.build import build_report  # reports may be imported by tests

    keys = build_report(objects["board"], YEAR).download_keys
    return keys[0] if keys else "saknas"


def _archived_report(objects):
    """An archived copy of AN's occasion (as its approval would store it)."""
    from goals.models import OccasionTransition
    from reports.archive import archive_occasion_report

    occasion = objects["occasion"]
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")
    approval = OccasionTransition.objects.create(
        occasion=occasion, from_state="inskickad", to_state="godkand"
    )
    archive = archive_occasion_report(occasion=occasion, approval=approval, user=None)
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="oppen")
    return archive.pk


def _policy_document(objects):  # structure-goals
    from goals.models import PolicyDocument

    return PolicyDocument.objects.get_or_create(
        municipality=objects["board"].municipality, title="AN:s styrdokument", valid_from=2020
    )[0].pk


def _mandate_period(objects):  # structure-goals
    from goals.models import MandatePeriod

    return MandatePeriod.objects.get_or_create(
        municipality=objects["board"].municipality, first_year=2023, last_year=2026
    )[0].pk


def _plan_table_key(kind):  # pages: a table of AN's plan document of that kind
    def key(objects):
        from reports.report.plans import build_plan

        keys = build_plan(objects["board"], YEAR, kind).download_keys
        return keys[0] if keys else "saknas"

    return key


def _an_user_role(objects):  # user-admin: a controller of AN and that role
    from goals.models import BoardRole, Role
    from tests.conftest import make_user

    role = BoardRole.objects.filter(user__username="matris_an").first()
    if role is None:
        user = make_user("matris_an", Role.CONTROLLER, objects["board"])
        role = BoardRole.objects.get(user=user)
    return role


def _an_group_mapping(objects):  # user-admin: a group that gives a role on AN
    from goals.models import GroupRoleMapping

    return GroupRoleMapping.objects.get_or_create(
        group="an-controllers", role="controller", board=objects["board"]
    )[0]


def _an_access_change(objects):  # user-admin: AN's line in the Behörighetslogg
    from goals.models import AccessChange

    AccessChange.objects.create(
        kind=AccessChange.Kind.MAPPING_ADDED, board=objects["board"], detail="AN:s ändring"
    )
    return "AN:s ändring"


# How to build each URL argument for board AN's objects. Add new argument names here.
OBJECT_FOR_KWARG = {
    "board_code": lambda objects: objects["board"].code,
    "year": lambda objects: YEAR,
    "kind": lambda objects: objects["occasion"].kind,
    "occasion_id": lambda objects: objects["occasion"].pk,
    "goal_id": lambda objects: objects["goal"].pk,
    "indicator_id": lambda objects: objects["indicator"].pk,
    "value_id": lambda objects: objects["value"].pk,
    "assignment_id": lambda objects: objects["assignment"].pk,
    "activity_id": lambda objects: objects["activity"].pk,
    "pk": lambda objects: objects["indicator"].pk,  # indikator/<pk>/
    "table_key": _report_table_key,
    "archive_id": _archived_report,
    "council_goal_id": lambda objects: objects["goal"].council_goal_id,  # structure-goals
    "policy_id": _policy_document,  # structure-goals
    "mandate_period_id": _mandate_period,  # structure-goals
    "internbudget_table": _plan_table_key("internbudget"),  # pages
    "verksamhetsplan_table": _plan_table_key("verksamhetsplan"),  # pages
    "document": lambda objects: "verksamhetsberattelse",  # a DocumentKind value (issue 15)
    "section": lambda objects: "bedomning",  # narratives: a section of its outline
    "reason": lambda objects: "ingen-behorighet",  # the SSO refusal page (same for everyone)
    "user_id": lambda objects: _an_user_role(objects).user_id,  # user-admin
    "role_id": lambda objects: _an_user_role(objects).pk,  # user-admin
    "mapping_id": lambda objects: _an_group_mapping(objects).pk,  # user-admin
}


def _workbook_without_an(response, objects) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content))
    board = objects["board"]
    assert not [title for title in workbook.sheetnames if title.startswith(f"{board.code} ")]
    cells = (c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row)
    texts = [str(value) for value in cells if value is not None]
    for secret in (board.name, objects["indicator"].name, objects["goal"].title):
        assert not [text for text in texts if secret in text], secret


# Routes that name no board's object (only a year) and answer with the user's own boards:
# route name → a check that the answer holds nothing of AN's.
OWN_BOARDS_ONLY = {"reports:report_xlsx_all": _workbook_without_an}


# List pages (no object in the URL) that answer with rows of the user's own boards: route name →
# what AN's objects put on the page. Another board's controller and an outsider must see none
# of it (or be refused); an administrator sees it. Add every new list page here.
BOARD_LISTS = {
    "indicators:entry_overview": lambda objects: objects["board"].name,
    "reports:indicator_list": lambda objects: objects["indicator"].name,
    "reports:archived_report_list": lambda objects: reverse(
        "reports:archived_report_xlsx", args=[_archived_report(objects)]
    ),
    "goals:user_list": lambda objects: f"Controller ({objects['board'].code})",
    "indicators:structure_index": lambda objects: objects["board"].name,
    # user-admin: the administrator of every board only
    "goals:group_mapping_list": lambda objects: _an_group_mapping(objects).group,
    "goals:access_change_list": _an_access_change,
}
# The other routes without arguments: pages that name no rows of a board's own.
NO_BOARD_ROWS = {"reports:home", "reports:municipality_overview", "reports:dashboard_select"}
NO_BOARD_ROWS |= {"goals:structure_mandate_periods"}  # structure-goals: the municipality's
NO_BOARD_ROWS |= {"reports:outline_index"}  # Dokumentmallar: the municipality's templates
# kolada-pages: the municipality's Kolada code and the revisions of Kolada's own figures.
NO_BOARD_ROWS |= {"indicators:kolada_municipality_code", "indicators:kolada_revisions"}
BOARD_LISTS["indicators:kolada_index"] = lambda objects: objects["board"].name  # kolada-pages
NO_BOARD_ROWS |= {"goals:oidc_login", "goals:oidc_callback"}  # 18A: sign-in, no data of a board

PATTERNS = our_routes(APPS)
WITH_OBJECTS = [(route, name, kwargs) for route, name, kwargs in PATTERNS if kwargs]


def test_the_matrix_covers_the_entry_workflow_and_report_views():
    names = {name for _, name, _ in WITH_OBJECTS}
    assert {
        "indicators:entry_page",
        "indicators:entry_save_value",
        "goals:occasion_approve",
        "indicators:value_history",
    } <= names
    assert len(WITH_OBJECTS) >= 10


def test_every_argument_name_is_known():
    unknown = sorted(
        {
            (route, kwarg)
            for route, _, kwargs in WITH_OBJECTS
            for kwarg in kwargs
            if kwarg not in OBJECT_FOR_KWARG
        }
    )
    if unknown:
        pytest.fail(
            "URL-mönster med okända argument: "
            + ", ".join(f"{route} ({kwarg})" for route, kwarg in unknown)
            + ". Lägg till argumentnamnet i OBJECT_FOR_KWARG i tests/test_access_matrix.py "
            "med hur nämnden AN:s objekt hittas."
        )


@pytest.fixture
def an_objects(board_an, municipality):
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=1)
    indicator = indicators[0]
    occasion = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="k3")
    # The delårsrapporter's pages (reports:delar1, reports:delar2 and their .xlsx) exist only
    # for a year with that occasion: so the administrator reaches them.
    for kind in ("d1", "d2"):
        ReportingOccasion.objects.create(board=board_an, year=YEAR, kind=kind)
    value = IndicatorValue.objects.create(
        indicator=indicator,
        year=YEAR,
        period_type=PeriodType.QUARTER,
        period_number=3,
        breakdown=breakdown(),
        value=Decimal(3327),
    )
    assignment = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_an,
        text="AN:s eget uppdrag",
        valid_from=2020,
    )
    activity = Activity.objects.create(
        board=board_an,
        year=YEAR,
        title="AN:s aktivitet",
        deadline="Q3",
    )
    activity.board_goals.add(indicator.board_goal)
    return {
        "board": board_an,
        "occasion": occasion,
        "goal": indicator.board_goal,
        "indicator": indicator,
        "value": value,
        "assignment": assignment,
        "activity": activity,
    }


def _url(name: str, kwargs: list[str], objects) -> str:
    missing = [kwarg for kwarg in kwargs if kwarg not in OBJECT_FOR_KWARG]
    if missing:
        pytest.fail(f"Lägg till {missing} i OBJECT_FOR_KWARG (tests/test_access_matrix.py).")
    return reverse(name, kwargs={kwarg: OBJECT_FOR_KWARG[kwarg](objects) for kwarg in kwargs})


def _request(client, method: str, url: str):
    """One request whose writes, if any got through, are rolled back afterwards."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(
    ("route", "name", "kwargs"), WITH_OBJECTS, ids=[n for _, n, _ in WITH_OBJECTS]
)
def test_other_boards_and_outsiders_are_refused(
    client, an_objects, admin_user, controller_other, outsider, route, name, kwargs
):
    url = _url(name, kwargs, an_objects)
    client.force_login(admin_user)
    reached = {method: _request(client, method, url).status_code for method in ("get", "post")}
    assert any(status != 404 for status in reached.values()), (
        f"{route}: en administratör får 404 på {url}; bygg URL:en för ett objekt som finns "
        "(OBJECT_FOR_KWARG)."
    )
    if name in OWN_BOARDS_ONLY:  # the check finds AN in the administrator's answer
        with pytest.raises(AssertionError):
            OWN_BOARDS_ONLY[name](_request(client, "get", url), an_objects)
    for user in (controller_other, outsider):
        client.force_login(user)
        for method in ("get", "post"):
            response = _request(client, method, url)
            status = response.status_code
            if status == 200 and name in OWN_BOARDS_ONLY and user is controller_other:
                OWN_BOARDS_ONLY[name](response, an_objects)
                continue
            assert status in REFUSED or (
                status == NOT_ALLOWED and reached[method] == NOT_ALLOWED
            ), f"{method.upper()} {url} som {user.username} gav {status}, väntat 404 eller 403"
    # Nothing of AN's changed through the refused requests.
    an_objects["value"].refresh_from_db()
    assert an_objects["value"].value == Decimal(3327)
    an_objects["occasion"].refresh_from_db()
    assert an_objects["occasion"].state == "oppen"


def test_entry_overview_lists_only_the_users_boards(client, an_objects, controller_other):
    client.force_login(controller_other)
    response = client.get(reverse("indicators:entry_overview") + f"?ar={YEAR}")
    assert response.status_code == 200
    assert "Arbetsmarknadsnämnden" not in response.content.decode()


def test_every_route_without_arguments_is_classified():
    names = {name for _, name, kwargs in PATTERNS if not kwargs}
    unknown = names - set(BOARD_LISTS) - NO_BOARD_ROWS
    assert not unknown, (
        f"Sidor utan argument som inte är klassade: {sorted(unknown)}. Lägg till dem i "
        "BOARD_LISTS (listor med nämndens rader) eller NO_BOARD_ROWS i tests/test_access_matrix.py."
    )


@pytest.mark.parametrize("name", sorted(BOARD_LISTS))
def test_list_pages_show_nothing_of_another_board(
    client, an_objects, admin_user, controller_an, controller_other, outsider, name
):
    secret = BOARD_LISTS[name](an_objects)
    url = reverse(name)
    client.force_login(admin_user)
    assert secret in client.get(url).content.decode(), f"{name}: AN saknas för administratören"
    for user in (controller_other, outsider):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in {200, *REFUSED}, (name, user.username)
        assert secret not in response.content.decode(), f"{name} som {user.username}"


@pytest.mark.parametrize("name", sorted(BOARD_LISTS))
def test_list_pages_send_anonymous_visitors_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
