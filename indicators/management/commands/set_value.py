"""Set one outcome from the command line, through the same service and lock as the entry page.

manage.py set_value --indicator 12 --year 2023 --period kvartal:3 --value "3 327" --user anna
manage.py set_value --indicator 12 --year 2023 --period ar --missing-reason ej_matt --user anna
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.audit import ChangeSource
from goals.periods import Period, PeriodType
from indicators.models import Breakdown, Indicator, IndicatorValue, MissingReason
from indicators.parsing import read_value_text
from indicators.services import PERIOD_NUMBER_INVALID, save_value


class Command(BaseCommand):
    help = "Sätter ett utfall (eller I.U.) för en indikator, period och uppdelning."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", type=int, required=True, help="Indikatorns id.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--period", default="ar", help="ar, kvartal:N, tertial:N eller manad:N (standard: ar)."
        )
        parser.add_argument("--breakdown", default="total", help="Uppdelningens kod.")
        parser.add_argument("--value", default="", help="Talet på svenskt sätt, t.ex. 3 327.")
        parser.add_argument(
            "--missing-reason",
            default="",
            choices=["", *MissingReason.values],
            help="Skäl till I.U.",
        )
        parser.add_argument(
            "--text",
            default="",
            help="Ett textutfall, för en kvalitativ indikator (enhet text), i stället för ett tal.",
        )
        parser.add_argument("--comment", default="")
        parser.add_argument("--user", required=True, help="Användaren som ändringen görs av.")

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"])
            indicator = Indicator.objects.select_related("board").get(pk=options["indicator"])
            breakdown = Breakdown.objects.get(code=options["breakdown"])
        except (
            get_user_model().DoesNotExist,
            Indicator.DoesNotExist,
            Breakdown.DoesNotExist,
        ) as error:
            raise CommandError(f"Finns inte: {error}") from None
        period_type, _, number = options["period"].partition(":")
        if period_type not in PeriodType.values:
            raise CommandError("Perioden ska vara ar, kvartal:N, tertial:N eller manad:N.")
        try:
            period = Period(options["year"], PeriodType(period_type), int(number or 1))
        except ValueError:
            raise CommandError(PERIOD_NUMBER_INVALID) from None
        try:
            spelled_missing, value = read_value_text(options["value"], unit=indicator.unit)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        text = options["text"].strip()
        current = IndicatorValue.objects.filter(
            indicator=indicator,
            year=options["year"],
            period_type=period.type,
            period_number=period.number,
            breakdown=breakdown,
        ).first()
        try:
            result = save_value(
                user=user,
                indicator=indicator,
                period=period,
                breakdown=breakdown,
                value=value,
                missing_reason=options["missing_reason"],
                is_missing=spelled_missing or bool(options["missing_reason"]),
                text=text,
                comment=options["comment"],
                expected_version=current.version if current is not None else 0,
                source=ChangeSource.COMMAND,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for warning in result.warnings:
            self.stderr.write(f"Varning: {warning}")
        self.stdout.write("Sparat." if result.changed else "Oförändrat.")
