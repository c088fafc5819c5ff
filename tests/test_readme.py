"""The README works as written: its URLs answer for the demo, its commands exist and parse.

The README is read as a new user reads it: every URL path in a code span (`/utfall/AN/2023/k1/`,
or a pattern such as `/namnd/<kortnamn>/<år>/ekonomi/` filled with the demo's AN and 2022) must
resolve and answer 200, either at once or, after the redirect to the login page, logged in as
the demo user the README names (a page that passes the user on, such as the current year's
dashboard, is followed); every `make X` in code must be a Makefile target; every
`make manage ARGS="…"` must name a management command that accepts its arguments (the cheap
ones are run on the demo data); every `manage.py X` must name a command; the demo load's output
the README quotes is what a first and a second load print. The demo data is loaded once for the
class that needs it.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import Resolver404, resolve

from goals.models import GoalArea, ReportingOccasion
from indicators.models import Indicator, IndicatorValue
from reports.models import ArchivedReport

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")

# Absolute paths in the README that are files on the server, not URLs.
FILE_PATHS = ("/etc/", "/usr/", "/srv/", "/tmp/", "/var/")
LOGIN_PATHS = ("/logga-in/", "/admin/login/")
# The demo user a page is tried with, by the start of its path (the README's own advice);
# the administration and the structure pages need the administrator.
USER_FOR_PATH = (
    ("/admin/", "demo_admin"),
    ("/struktur/", "demo_admin"),
    ("/mallar/", "demo_admin"),
    ("/kolada/", "demo_admin"),  # kolada-pages: administrators of every board only
    # user-admin: the administrator of every board only
    ("/uppfoljning/anvandare/", "demo_admin"),
    ("/uppfoljning/gruppmappningar/", "demo_admin"),
    ("/uppfoljning/behorighetslogg/", "demo_admin"),
    ("/", "demo_controller_an"),
)
# Commands of `make manage ARGS="…"` that are cheap and harmless enough to run here; the others
# (which rebuild or regenerate the data) are only parsed.
RUN_COMMANDS = {
    "export_report",
    "showmigrations",
    "axes_reset_username",
    "rollover",  # only with --dry-run in the README
    "export_structure",
    "import_structure",  # only with --dry-run, of the file export_structure wrote
}


def code_texts(text: str) -> list[str]:
    """The README's code: fenced blocks and inline code spans."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    return blocks + re.findall(r"`([^`\n]+)`", prose)


def readable(text: str) -> str:
    """Command output as the README prints it: the no-break space of `1 035` as a space."""
    return text.replace("\xa0", " ")


def readme_paths() -> list[str]:
    paths = {
        code
        for code in code_texts(README)
        if code.startswith("/") and not code.startswith(FILE_PATHS) and " " not in code
    }
    return sorted(paths)


def make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", MAKEFILE, flags=re.M))


def readme_make_targets(text: str = README) -> set[str]:
    found: set[str] = set()
    for code in code_texts(text):
        found.update(re.findall(r"(?<![\w/.=-])make ([a-z][\w-]*)", code))
    return found


def readme_manage_args(text: str = README) -> list[str]:
    found: list[str] = []
    for code in code_texts(text):
        found.extend(re.findall(r'make manage ARGS="([^"]*)"', code))
    return [args for args in found if args != "…"]  # `make manage ARGS="…"` names the form


def readme_manage_py_commands(text: str = README) -> set[str]:
    found: set[str] = set()
    for code in code_texts(text):
        found.update(re.findall(r"manage\.py ([a-z_]+)", code))
    return found


def test_the_readme_names_the_install_and_demo_targets():
    targets = readme_make_targets()
    assert {"run", "test", "install-test", "demo", "manage"} <= targets


def test_every_make_target_in_the_readme_exists():
    missing = readme_make_targets() - make_targets()
    assert not missing, f"README names make targets the Makefile lacks: {sorted(missing)}"


def test_contributing_names_real_targets_and_commands():
    assert not readme_make_targets(CONTRIBUTING) - make_targets()
    commands = get_commands()
    for args in readme_manage_args(CONTRIBUTING):
        name, *rest = shlex.split(args)
        command = load_command_class(commands[name], name)
        command.create_parser("manage.py", name).parse_args(rest)


def test_every_manage_py_command_in_the_readme_exists():
    commands = get_commands()
    missing = readme_manage_py_commands() - set(commands)
    assert not missing, f"README names management commands that do not exist: {sorted(missing)}"


def test_the_readme_finds_what_it_should_check():
    # A broken extraction would make the tests below pass on nothing.
    paths = readme_paths()
    assert "/utfall/AN/2023/k1/" in paths
    assert "/namnd/<kortnamn>/<år>/ekonomi/" in paths
    assert not any(path.startswith(FILE_PATHS) for path in paths)
    assert any(args.startswith("export_report ") for args in readme_manage_args())
    assert "manage" in make_targets() and "demo" in make_targets()


class ReadmeAgainstTheDemoTests(TestCase):
    """The URLs and `make manage` commands of the README, against the demo as `make run` has it."""

    @classmethod
    def setUpTestData(cls):
        out = StringIO()
        with override_settings(DEBUG=True):  # DEBUG on, as in make run: with the demo users
            call_command("load_demo", stdout=out)
        cls.first_load = readable(out.getvalue()).splitlines()
        board_values = IndicatorValue.objects.filter(indicator__board__code="AN")
        demo_controller = get_user_model().objects.get(username="demo_controller_an")
        cls.ids = {
            "/indikator/": Indicator.objects.filter(board__code="AN").order_by("pk")[0].pk,
            "/arkiv/": ArchivedReport.objects.filter(board__code="AN").order_by("pk")[0].pk,
            "/utfall/varde/": board_values.order_by("pk")[0].pk,
            "malomrade=": GoalArea.objects.order_by("order", "pk")[0].pk,
            "/uppfoljning/anvandare/": demo_controller.pk,  # user-admin
        }
        cls.occasion = ReportingOccasion.objects.get(board__code="AN", year=2023, kind="k1")

    def fill(self, path: str) -> str:
        """A README pattern with the demo's values: AN, 2022, an occasion, ids of AN's rows."""
        path = (
            path.replace("<kortnamn>", "AN")
            .replace("<nämnd>", "AN")
            .replace("<tabell>", "personal")
            .replace("<dokument>", "verksamhetsberattelse")
            .replace("<år>", str(self.occasion.year) if "<tillfälle>" in path else "2022")
            .replace("<tillfälle>", self.occasion.kind)
        )
        while "<id>" in path:
            before = path[: path.index("<id>")]
            prefix = next(p for p in self.ids if before.endswith(p))
            path = path.replace("<id>", str(self.ids[prefix]), 1)
        return path

    def user_for(self, path: str):
        username = next(name for start, name in USER_FOR_PATH if path.startswith(start))
        return get_user_model().objects.get(username=username)

    def test_every_url_in_the_readme_answers_for_the_demo(self):
        paths = readme_paths()
        self.assertGreater(len(paths), 20)
        failures = []
        for pattern in paths:
            path = self.fill(pattern)
            self.assertNotIn("<", path, pattern)
            try:
                resolve(urlsplit(path).path)
            except Resolver404:
                failures.append(f"{pattern}: resolves to no view")
                continue
            self.client.logout()
            response = self.client.get(path)
            if response.status_code == 302:
                if not response["Location"].startswith(LOGIN_PATHS):
                    failures.append(f"{pattern}: redirects to {response['Location']}")
                    continue
                user = self.user_for(path)
                self.client.force_login(user)
                # A page may pass the user on (the current year's dashboard), never to a login.
                response = self.client.get(path, follow=True)
                if response.status_code != 200 or response.request["PATH_INFO"].startswith(
                    LOGIN_PATHS
                ):
                    failures.append(f"{pattern} ({path}) as {user}: {response.status_code}")
            elif response.status_code != 200:
                failures.append(f"{pattern} ({path}) without login: {response.status_code}")
        self.assertEqual(failures, [])

    def test_the_demo_load_says_what_the_readme_quotes(self):
        [quoted] = [code for code in code_texts(README) if code.startswith("Demodata inläst: 1")]
        shown = [line for line in quoted.splitlines() if line.strip() != "…"]
        self.assertGreater(len(shown), 2)
        missing = [line for line in shown if line not in self.first_load]
        self.assertEqual(missing, [], self.first_load)
        out = StringIO()
        call_command("load_demo", "--no-users", stdout=out)
        self.assertIn(f"`{readable(out.getvalue()).strip()}`", README)

    def check_manage(self, commands: dict[str, str], args: str) -> None:
        name, *rest = shlex.split(args)
        self.assertIn(name, commands, args)
        command = load_command_class(commands[name], name)
        try:
            command.create_parser("manage.py", name).parse_args(rest)
        except CommandError as error:
            self.fail(f'make manage ARGS="{args}": {error}')
        if name in RUN_COMMANDS:
            call_command(name, *rest, verbosity=0)

    def test_every_make_manage_command_exists_and_takes_its_arguments(self):
        commands = get_commands()
        seen = readme_manage_args()
        self.assertGreaterEqual(len(seen), 5)
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            (tmp / "var").mkdir()  # as in a clone after make run
            os.chdir(tmp)  # files the commands write (rapport.xlsx) land here, not in the clone
            try:
                for args in seen:
                    self.check_manage(commands, args)
            finally:
                os.chdir(cwd)
            self.assertGreater((tmp / "rapport.xlsx").stat().st_size, 1000)
            self.assertTrue(
                (tmp / "var" / "rapport.json").read_text(encoding="utf-8").startswith("{")
            )
