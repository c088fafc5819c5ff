"""Import Kolada figures for some KPIs, a municipality (with Riket) and its peer groups.

manage.py import_kolada --kpi N31807 N00914 --municipality 0580 --group G96154 --year 2023 2024
manage.py import_kolada ... --save-to DIR     (online; also keeps every answer as a file)
manage.py import_kolada ... --from-file DIR   (closed network: reads the saved answers)
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.kolada.client import Fetcher, FileFetcher, HttpFetcher, KoladaClient
from indicators.kolada.errors import KoladaError
from indicators.kolada.importing import import_kolada, summary
from indicators.models import KoladaImport


class Command(BaseCommand):
    help = "Hämtar nyckeltal från Kolada (eller sparade svar) och jämför med förra importen."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kpi", nargs="+", required=True, help="Nyckeltalens id, t.ex. N31807."
        )
        parser.add_argument(
            "--municipality", nargs="+", required=True, help="Kommunens kod, t.ex. 0580."
        )
        parser.add_argument("--group", nargs="*", default=[], help="Kommungruppernas id.")
        parser.add_argument(
            "--year", nargs="*", type=int, default=[], help="År (standard: de fyra senaste)."
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--from-file",
            type=Path,
            help="Läs sparade svar ur katalogen i stället för från Kolada.",
        )
        mode.add_argument("--save-to", type=Path, help="Spara Koladas svar som filer i katalogen.")

    def handle(self, *args, **options):
        fetcher: Fetcher | None = None
        try:
            if options["from_file"] is not None:
                fetcher = FileFetcher(directory=options["from_file"])
                source = KoladaImport.Source.FILES
            else:
                fetcher = HttpFetcher(save_to=options["save_to"])
                source = KoladaImport.Source.API
            run = import_kolada(
                client=KoladaClient(fetcher),
                source=source,
                kpi_ids=options["kpi"],
                municipality_ids=options["municipality"],
                group_ids=options["group"],
                years=options["year"],
            )
        except KoladaError as error:
            raise CommandError(f"{error} Inget sparades.") from None
        finally:
            if isinstance(fetcher, HttpFetcher):
                fetcher.close()
        self.stdout.write(summary(run))
