"""The rooms' import rule where import-linter cannot see it: templates and URL names.

import-linter (`make check`) guards Python imports. A template that loads a higher app's tag
library, or code that reverses a higher app's URL name, is a dependency upward too, written
as a string. These tests read every app's templates and code and refuse both, and refuse URL
names without an app namespace (which would hide whose URL it is). Each check is also run on
a made-up upward dependency, to show it can fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import NoReverseMatch, get_resolver, reverse

from tests.routes import our_routes

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: an app may use its own room and the ones before it (README, Architecture).
LAYERS = ["core", "goals", "indicators", "budget", "reports", "demo"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}
RANK["saml"] = RANK["goals"]  # goals/urls_saml.py: SAML sign-in, routed only when configured
# Namespaces that belong to Django or third-party apps, usable from any room.
OTHER_NAMESPACES = {"admin"}

LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")
URL_TAG = re.compile(r"""{%\s*url\s+(["'])([^"']+)\1""")
# reverse("ns:name"), and django-tables2's linkify=("ns:name", …), which reverses it later.
URL_CALL = re.compile(
    r"""(?:\b(?:reverse|reverse_lazy|redirect|resolve_url)\(|\blinkify=\()\s*(["'])([^"'/]+)\1"""
)
URL_SETTING = re.compile(
    r"""^(?:LOGIN_URL|LOGIN_REDIRECT_URL|LOGOUT_REDIRECT_URL)\s*=\s*(["'])([^"'/]+)\1""", re.M
)


def tag_library_owners(root: Path = ROOT) -> dict[str, str]:
    """Tag library name → the app of ours that defines it."""
    return {
        module.stem: app
        for app in LAYERS
        for module in (root / app / "templatetags").glob("*.py")
        if module.stem != "__init__"
    }


def libraries_loaded(text: str) -> list[str]:
    names = []
    for arguments in LOAD.findall(text):
        words = arguments.split()
        # `{% load tag1 tag2 from library %}` names one library, the last word.
        names += words[-1:] if "from" in words else words
    return names


def app_of_template(root: Path, template: Path) -> str | None:
    """The app a template belongs to: the app folder it is in, or for the project's
    templates/ folder the app named by its first folder (templates/reports/… is reports')."""
    relative = template.relative_to(root).parts
    if relative[0] in RANK:
        return relative[0]
    if relative[0] == "templates" and len(relative) > 2 and relative[1] in RANK:
        return relative[1]
    return None  # the frame of every page (base.html, errors, login): above all rooms


def templates(root: Path = ROOT):
    for folder in [*(root / app / "templates" for app in LAYERS), root / "templates"]:
        yield from sorted(folder.rglob("*.html"))


def code(root: Path = ROOT):
    for app in LAYERS:
        for module in sorted((root / app).rglob("*.py")):
            if "migrations" not in module.parts:
                yield app, module


def upward_loads(root: Path = ROOT) -> list[str]:
    owners = tag_library_owners(root)
    known = set(engines["django"].engine.template_libraries)
    problems = []
    for template in templates(root):
        app = app_of_template(root, template)
        for library in libraries_loaded(template.read_text()):
            where = template.relative_to(root)
            if library not in known and library not in owners:
                problems.append(f"{where}: okänt taggbibliotek {library}")
            owner = owners.get(library)
            if app is not None and owner is not None and RANK[owner] > RANK[app]:
                problems.append(f"{where} ({app}) laddar {library} från {owner}")
    return problems


def url_names(root: Path = ROOT):
    """(where, app or None, URL name) of every URL name written in templates and app code."""
    for template in templates(root):
        app = app_of_template(root, template)
        for _, name in URL_TAG.findall(template.read_text()):
            yield template.relative_to(root), app, name
    for app, module in code(root):
        text = module.read_text()
        for pattern in (URL_CALL, URL_SETTING):
            for _, name in pattern.findall(text):
                yield module.relative_to(root), app, name


def upward_urls(root: Path = ROOT) -> list[str]:
    problems = []
    for where, app, name in url_names(root):
        namespace = name.partition(":")[0] if ":" in name else None
        if namespace is None:
            problems.append(f"{where}: URL-namnet {name!r} saknar namnrymd")
        elif namespace in OTHER_NAMESPACES:
            continue
        elif namespace not in RANK:
            problems.append(f"{where}: okänd namnrymd i {name!r}")
        elif app is not None and RANK[namespace] > RANK[app]:
            problems.append(f"{where} ({app}) vänder {name!r} från {namespace}")
    return problems


def test_no_template_loads_a_tag_library_of_a_higher_app():
    assert upward_loads() == []


def test_no_app_names_a_url_of_a_higher_app_and_every_name_has_a_namespace():
    assert upward_urls() == []


def test_the_checks_see_something_to_check():
    loaded = [lib for template in templates() for lib in libraries_loaded(template.read_text())]
    assert {"entry_panels", "budget_tags", "l10n", "static"} <= set(loaded)
    names = {name for _, _, name in url_names()}
    assert {"indicators:entry_page", "reports:home", "core:login", "goals:occasion_submit"} <= names


@pytest.fixture
def house(tmp_path):
    """A copy of the rooms' layout with one template and one module, for the checks to fail on."""
    for app in LAYERS:
        (tmp_path / app / "templates").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "budget" / "templatetags").mkdir()
    (tmp_path / "budget" / "templatetags" / "budget_tags.py").write_text("")
    return tmp_path


def test_an_upward_load_fails(house):
    page = house / "indicators" / "templates" / "page.html"
    page.write_text("{% load static l10n %}{% load budget_tags %}")
    assert upward_loads(house) == [
        "indicators/templates/page.html (indicators) laddar budget_tags från budget"
    ]
    page.write_text("{% load l10n %}")
    (house / "reports" / "templates" / "report.html").write_text("{% load budget_tags %}")
    assert upward_loads(house) == []  # reports stands above budget


def test_an_unknown_library_fails(house):
    (house / "goals" / "templates" / "x.html").write_text("{% load report_archive %}")
    assert upward_loads(house) == ["goals/templates/x.html: okänt taggbibliotek report_archive"]


def test_an_upward_or_unnamespaced_url_name_fails(house):
    (house / "goals" / "views.py").write_text(
        'reverse(\n    "indicators:entry_page")\nredirect("goals:occasion_submit")\n'
        'name = tables.Column(linkify=("reports:indicator_detail", [A("pk")]))\n'
    )
    (house / "indicators" / "templates" / "page.html").write_text(
        "{% url 'reports:report' 1 %}{% url \"entry_page\" %}{% url 'admin:index' %}"
    )
    (house / "templates" / "base.html").write_text("{% url 'reports:home' %}")
    assert sorted(upward_urls(house)) == [
        "goals/views.py (goals) vänder 'indicators:entry_page' från indicators",
        "goals/views.py (goals) vänder 'reports:indicator_detail' från reports",
        "indicators/templates/page.html (indicators) vänder 'reports:report' från reports",
        "indicators/templates/page.html: URL-namnet 'entry_page' saknar namnrymd",
    ]


def test_every_app_has_its_label_as_namespace_and_no_name_is_global():
    namespaces = set(get_resolver().namespace_dict)
    assert set(LAYERS) - {"demo"} <= namespaces
    routes = our_routes(tuple(f"{app}." for app in LAYERS))
    assert routes
    global_names = {key for key in get_resolver().reverse_dict if isinstance(key, str)}
    for _, name, _ in routes:
        namespace, _, local = name.partition(":")
        assert namespace in RANK, name
        assert local not in global_names, f"{local} går att vända utan namnrymd"
    with pytest.raises(NoReverseMatch):
        reverse("entry_overview")
    assert reverse("indicators:entry_overview")
