"""Create one demo user per role (idempotently), and with --print list them.

The shared password is demo-only and printed openly: it is not a secret, so the command refuses
to run when DEBUG is off unless --force is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from goals.models import Board, BoardRole, Role

DEMO_PASSWORD = "styrkort-demo"
REFUSED_WITHOUT_DEBUG = (
    "Demoanvändare har ett känt lösenord och skapas bara när DEBUG är på. "
    "Använd --force om du verkligen vill skapa dem här."
)
BOARDS_MISSING = "Nämnden {code} finns inte. Kör först: manage.py load_demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    role: str
    board_code: str | None  # None = alla nämnder
    superuser: bool = False


DEMO_USERS = (
    DemoUser("demo_admin", "Administratör", Role.ADMINISTRATOR, None, superuser=True),
    DemoUser("demo_controller_an", "Controller AN", Role.CONTROLLER, "AN"),
    DemoUser("demo_controller_bin", "Controller BIN", Role.CONTROLLER, "BIN"),
    DemoUser("demo_sekreterare_an", "Nämndsekreterare AN", Role.SECRETARY, "AN"),
    DemoUser("demo_chef", "Chef", Role.MANAGER, None),
)


def ensure_demo_users() -> int:
    """Create or repair the demo users; returns how many were created."""
    user_model = get_user_model()
    boards = {board.code: board for board in Board.objects.filter(code__in=["AN", "BIN"])}
    created = 0
    with transaction.atomic():
        for spec in DEMO_USERS:
            board = None
            if spec.board_code is not None:
                board = boards.get(spec.board_code)
                if board is None:
                    raise CommandError(BOARDS_MISSING.format(code=spec.board_code))
            user, was_created = user_model.objects.get_or_create(
                username=spec.username,
                defaults={"first_name": spec.first_name, "last_name": "(demo)"},
            )
            changed = was_created
            if was_created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed = True
            if (user.is_staff, user.is_superuser, user.is_active) != (
                spec.superuser,
                spec.superuser,
                True,
            ):
                user.is_staff = user.is_superuser = spec.superuser
                user.is_active = True
                changed = True
            if changed:
                user.save()
            BoardRole.objects.get_or_create(user=user, role=spec.role, board=board)
            created += was_created
    return created


class Command(BaseCommand):
    help = "Skapar demoanvändare, en per roll, med ett gemensamt demolösenord."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--print", action="store_true", help="Skriv ut användarna.")
        parser.add_argument("--force", action="store_true", help="Skapa dem även när DEBUG är av.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(REFUSED_WITHOUT_DEBUG)
        created = ensure_demo_users()
        if options["print"]:
            self.stdout.write(users_table())
        elif options["verbosity"] > 0:
            self.stdout.write(f"Demoanvändare klara ({created} nya).")


def users_table() -> str:
    rows = [("Användarnamn", "Roll", "Nämnd")]
    for spec in DEMO_USERS:
        rows.append((spec.username, Role(spec.role).label, spec.board_code or "alla nämnder"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    lines.append(f"Lösenord för alla demoanvändare: {DEMO_PASSWORD}  (endast för demo)")
    return "\n".join(lines)
