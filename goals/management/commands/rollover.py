"""manage.py rollover --board AN --from 2022 --to 2023 [--dry-run] [--continue-all]

Prints the draft of year N+1 (goals.rollover.draft_rollover) and publishes it unless --dry-run.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit import ChangeSource
from goals import rollover
from goals.models import Board

UNKNOWN_BOARD = "Det finns ingen nämnd med kortnamnet {code}."
DRY_RUN_DONE = "Provkörning: inget sparat."
PUBLISHED = "{board} {year} är skapat: {written} ändringar sparade."


class Command(BaseCommand):
    help = "Skapar en nämnds nästa år från året före (mål, indikatorer, uppdrag, budget)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--board", required=True, help="Nämndens kortnamn, t.ex. AN.")
        parser.add_argument("--from", dest="from_year", type=int, required=True)
        parser.add_argument("--to", dest="to_year", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true", help="Visa förslaget, spara inget.")
        parser.add_argument(
            "--continue-all",
            action="store_true",
            help="Låt allt fortsätta, även när året börjar en ny mandatperiod.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        board = Board.objects.filter(code=options["board"]).first()
        if board is None:
            raise CommandError(UNKNOWN_BOARD.format(code=options["board"]))
        arguments = {
            "board": board,
            "from_year": options["from_year"],
            "to_year": options["to_year"],
        }
        try:
            draft = rollover.draft_rollover(**arguments)
            continue_ids = None
            if options["continue_all"]:
                continue_ids = [change.key for change in draft.changes if change.choosable]
                draft = rollover.draft_rollover(**arguments, continue_ids=continue_ids)
            self._print(draft)
            if options["dry_run"]:
                self.stdout.write(DRY_RUN_DONE)
                return
            result = rollover.publish_rollover(
                **arguments,
                user=None,
                continue_ids=continue_ids,
                source=ChangeSource.COMMAND,
            )
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        self.stdout.write(
            PUBLISHED.format(board=board.code, year=result.to_year, written=result.written)
        )

    def _print(self, draft: rollover.RolloverDraft) -> None:
        self.stdout.write(
            f"{draft.board.code} {draft.from_year} → {draft.to_year}: {draft.summary()}."
        )
        if draft.new_period:
            self.stdout.write(
                rollover.MANDATE_BOUNDARY.format(year=draft.to_year, previous=draft.from_year)
            )
        for model, counts in draft.counts_per_model():
            parts = ", ".join(
                f"{counts[kind]} {rollover.KIND_LABELS[kind].lower()}"
                for kind in (rollover.CREATED, rollover.CONTINUED, rollover.ENDED)
                if counts[kind]
            )
            self.stdout.write(f"  {model}: {parts}")
