"""Generate a synthetic municipality for growth and load measurements (GitHub issue 7).

    python manage.py generate_municipality --boards 15 --years 10 --seed 1   # size L
    python manage.py generate_municipality --boards 1 --years 3 --seed 1     # size S

Deterministic for a seed, and idempotent: a run replaces the synthetic boards (S01, S02, …) of
an earlier run and leaves every other board alone. See demo/synthetic.py for the decisions.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.synthetic import DEFAULT_LAST_YEAR, generate_municipality, synthetic_fingerprint


class Command(BaseCommand):
    help = (
        "Skapar en syntetisk kommun (nämnderna S01, S02, …) med mål, indikatorer, utfall, "
        "målvärden, bedömningar och budget. Samma frö ger samma data; en ny körning ersätter "
        "de syntetiska nämnderna från en tidigare."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--boards", type=int, default=15, help="Antal nämnder (standard 15).")
        parser.add_argument(
            "--years", type=int, default=10, help="Antal år historik (standard 10)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Frö för slumptalen (standard 1).")
        parser.add_argument(
            "--last-year",
            type=int,
            default=DEFAULT_LAST_YEAR,
            help=f"Sista året med utfall (standard {DEFAULT_LAST_YEAR}).",
        )
        parser.add_argument(
            "--fingerprint",
            action="store_true",
            help="Skriv ut en kontrollsumma över de genererade data (för att jämföra körningar).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 1
        try:
            result = generate_municipality(
                boards=options["boards"],
                years=options["years"],
                seed=options["seed"],
                last_year=options["last_year"],
                progress=self.stdout.write if verbose else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] == 0:
            return
        counts = ", ".join(f"{count} {label}" for label, count in result.counts.items())
        self.stdout.write(
            f"Syntetisk kommun: {len(result.boards)} nämnder ({result.boards[0]}–"
            f"{result.boards[-1]}), åren {result.first_year}–{result.last_year}, "
            f"{result.values} utfall på {result.seconds:.1f} s."
        )
        self.stdout.write(f"Skrivet: {counts}.")
        if options["fingerprint"]:
            self.stdout.write(f"Kontrollsumma: {synthetic_fingerprint()}")
