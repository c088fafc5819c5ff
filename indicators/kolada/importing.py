"""Import Kolada's KPIs, municipalities, groups and figures, compared with the last import.

Everything is fetched and validated first; then one transaction stores it all or nothing.
A figure whose value or status differs from the stored one is a `KoladaRevision` (old → new);
one that Kolada marks deleted or no longer gives becomes empty with the status "Borttaget".
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Model, Value, When
from django.utils import timezone

from indicators.kolada.client import KoladaClient
from indicators.kolada.errors import KoladaBadResponse
from indicators.kolada.parsing import DELETED_STATUS, KpiRecord, MunicipalityRecord, ValueRecord
from indicators.models import (
    KoladaGroup,
    KoladaImport,
    KoladaKpi,
    KoladaMunicipality,
    KoladaRevision,
    KoladaValue,
)

RIKET = "0000"
DEFAULT_YEAR_COUNT = 4


def default_years(today: datetime.date) -> list[int]:
    """The last four completed years: the ones Kolada can have figures for."""
    return list(range(today.year - DEFAULT_YEAR_COUNT, today.year))


def is_preliminary(
    *,
    publ_period: str,
    publication_date: datetime.date | None,
    prel_publication_date: datetime.date | None,
    year: int,
    today: datetime.date,
) -> bool:
    """Whether a KPI's figure for `year` is still preliminary on `today`.

    Kolada names one period per KPI, `publ_period` (the latest year being published), with the
    date its figures come out preliminarily (`prel_publication_date`) and the date of the final
    figures (`publication_date`). So:
    - a year before `publ_period` is final;
    - `publ_period` (and any later year) is preliminary while `publication_date` lies ahead
      (today < publication_date), or, with no `publication_date` yet, once preliminary figures
      have a date (`prel_publication_date` given);
    - without a `publ_period` that is a year nothing is marked preliminary.
    The flag is recomputed for every stored year at each import, so it goes false by itself
    once the publication date has passed.
    """
    if not publ_period.isdigit() or year < int(publ_period):
        return False
    if publication_date is not None:
        return today < publication_date
    return prel_publication_date is not None


@dataclass(frozen=True)
class Fetched:
    kpis: list[KpiRecord]
    municipalities: list[MunicipalityRecord]
    groups: dict[str, tuple[str, list[str]]]
    values: list[ValueRecord]


def _fetch(
    client: KoladaClient,
    *,
    kpi_ids: list[str],
    municipality_ids: list[str],
    group_ids: list[str],
    years: list[int],
) -> Fetched:
    kpis = client.kpis(kpi_ids)
    missing = sorted(set(kpi_ids) - {kpi.id for kpi in kpis})
    if missing:
        raise KoladaBadResponse(f"Kolada känner inte till nyckeltalet {', '.join(missing)}.")

    group_records = client.groups(group_ids)
    missing = sorted(set(group_ids) - {group.id for group in group_records})
    if missing:
        raise KoladaBadResponse(f"Kolada känner inte till kommungruppen {', '.join(missing)}.")

    # Riket and the group's members too, so that every comparison has its peers. Sorted, so
    # that the requests (and the saved files' names) do not depend on the arguments' order.
    fallback = {RIKET: MunicipalityRecord(id=RIKET, title="Riket", type="L")}
    for group in group_records:
        for member in group.members:
            fallback.setdefault(member.id, member)
    wanted = sorted({*municipality_ids, *fallback})
    listed = {record.id: record for record in client.municipalities()}
    missing = sorted(set(municipality_ids) - set(listed))
    if missing:
        raise KoladaBadResponse(f"Kolada känner inte till kommunen {', '.join(missing)}.")
    municipalities = [
        listed.get(municipality_id) or fallback[municipality_id] for municipality_id in wanted
    ]

    values = client.data(kpi_ids, wanted, years)
    seen: set[tuple[str, str, int, str]] = set()
    for record in values:
        key = (record.kpi, record.municipality, record.year, record.gender)
        if (
            record.kpi not in kpi_ids
            or record.municipality not in wanted
            or record.year not in years
        ):
            raise KoladaBadResponse(
                f"Kolada svarade med ett värde som inte efterfrågades: {' '.join(map(str, key))}."
            )
        if key in seen:
            raise KoladaBadResponse(
                f"Kolada svarade med samma värde två gånger: {' '.join(map(str, key))}."
            )
        seen.add(key)
    groups = {
        group.id: (group.title, [member.id for member in group.members]) for group in group_records
    }
    return Fetched(kpis=kpis, municipalities=municipalities, groups=groups, values=values)


def _clean(objects: Sequence[Model]) -> None:
    for obj in objects:
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise KoladaBadResponse(
                f"Kolada gav ett värde som inte kan sparas ({type(obj)._meta.verbose_name} "
                f"{obj.pk}): {'; '.join(error.messages)}"
            ) from None


def import_kolada(
    *,
    client: KoladaClient,
    source: KoladaImport.Source,
    kpi_ids: Sequence[str],
    municipality_ids: Sequence[str],
    group_ids: Sequence[str] = (),
    years: Sequence[int] = (),
    today: datetime.date | None = None,
) -> KoladaImport:
    """Fetch, compare with what is stored, and store; raises KoladaError with nothing written."""
    today = today or timezone.localdate()
    kpi_ids = sorted(set(kpi_ids))
    municipality_ids = sorted(set(municipality_ids))
    group_ids = sorted(set(group_ids))
    years = sorted(set(years)) or default_years(today)
    if not kpi_ids or not municipality_ids:
        raise KoladaBadResponse("Ange minst ett nyckeltal och en kommun.")
    fetched = _fetch(
        client,
        kpi_ids=kpi_ids,
        municipality_ids=municipality_ids,
        group_ids=group_ids,
        years=years,
    )
    now = timezone.now()
    with transaction.atomic():
        run = KoladaImport(
            source=source,
            parameters=(
                f"nyckeltal {', '.join(kpi_ids)}; kommun {', '.join(municipality_ids)}; "
                f"grupp {', '.join(group_ids) or '–'}; år {', '.join(map(str, years))}"
            ),
        )
        run.full_clean()
        run.save()

        kpis = [
            KoladaKpi(
                id=record.id,
                title=record.title,
                description=record.description,
                unit=record.unit,
                operating_area=record.operating_area,
                is_divided_by_gender=record.is_divided_by_gender,
                municipality_type=record.municipality_type,
                prel_publication_date=record.prel_publication_date,
                publication_date=record.publication_date,
                publ_period=record.publ_period,
                imported_at=now,
            )
            for record in fetched.kpis
        ]
        _clean(kpis)
        KoladaKpi.objects.bulk_create(
            kpis,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=[
                "title",
                "description",
                "unit",
                "operating_area",
                "is_divided_by_gender",
                "municipality_type",
                "prel_publication_date",
                "publication_date",
                "publ_period",
                "imported_at",
            ],
        )
        municipalities = [
            KoladaMunicipality(id=record.id, title=record.title, type=record.type)
            for record in fetched.municipalities
        ]
        _clean(municipalities)
        KoladaMunicipality.objects.bulk_create(
            municipalities,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["title", "type"],
        )
        groups = [
            KoladaGroup(id=group_id, title=title) for group_id, (title, _) in fetched.groups.items()
        ]
        _clean(groups)
        KoladaGroup.objects.bulk_create(
            groups, update_conflicts=True, unique_fields=["id"], update_fields=["title"]
        )
        by_id = {municipality.id: municipality for municipality in municipalities}
        for group in groups:
            group.members.set([by_id[member] for member in fetched.groups[group.id][1]])

        _store_values(run, fetched, kpis, years, now=now, today=today)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "created_count", "revised_count", "unchanged_count"])
    return run


def _store_values(
    run: KoladaImport,
    fetched: Fetched,
    kpis: list[KoladaKpi],
    years: list[int],
    *,
    now: datetime.datetime,
    today: datetime.date,
) -> None:
    stored = {
        (value.kpi_id, value.municipality_id, value.year, value.gender): value
        for value in KoladaValue.objects.filter(
            kpi__in=kpis,
            municipality_id__in=[record.id for record in fetched.municipalities],
            year__in=years,
        )
    }
    # A figure Kolada no longer gives (within what was asked for) is a revision to "Borttaget".
    answered = {(r.kpi, r.municipality, r.year, r.gender) for r in fetched.values}
    vanished = [
        ValueRecord(
            kpi=kpi,
            municipality=municipality,
            year=year,
            gender=gender,
            value=None,
            status=DELETED_STATUS,
            count=0,
        )
        for (kpi, municipality, year, gender), value in stored.items()
        if (kpi, municipality, year, gender) not in answered and value.status != DELETED_STATUS
    ]
    created, touched, revisions = [], [], []
    for record in [*fetched.values, *vanished]:
        key = (record.kpi, record.municipality, record.year, record.gender)
        value = stored.get(key)
        if value is None:
            created.append(
                KoladaValue(
                    kpi_id=record.kpi,
                    municipality_id=record.municipality,
                    year=record.year,
                    gender=record.gender,
                    value=record.value,
                    status=record.status,
                    count=record.count,
                    imported=run,
                    updated_at=now,
                )
            )
            continue
        if value.value != record.value or value.status != record.status:
            revisions.append(
                KoladaRevision(
                    imported=run,
                    kpi_id=record.kpi,
                    municipality_id=record.municipality,
                    year=record.year,
                    gender=record.gender,
                    old_value=value.value,
                    new_value=record.value,
                    old_status=value.status,
                    new_status=record.status,
                )
            )
        value.value, value.status, value.count = record.value, record.status, record.count
        value.imported, value.updated_at = run, now
        touched.append(value)
    # Not full_clean(): it would query each foreign key; parsing has checked every field.
    KoladaValue.objects.bulk_create(created, batch_size=500)
    KoladaValue.objects.bulk_update(
        touched, ["value", "status", "count", "imported", "updated_at"], batch_size=500
    )
    KoladaRevision.objects.bulk_create(revisions, batch_size=500)
    run.created_count = len(created)
    run.revised_count = len(revisions)
    run.unchanged_count = len(touched) - len(revisions)

    # Recomputed for every stored year of these KPIs, not only the ones fetched now.
    for kpi in kpis:
        if not kpi.publ_period.isdigit():
            KoladaValue.objects.filter(kpi=kpi).update(preliminary=False)
            continue
        flag = is_preliminary(
            publ_period=kpi.publ_period,
            publication_date=kpi.publication_date,
            prel_publication_date=kpi.prel_publication_date,
            year=int(kpi.publ_period),
            today=today,
        )
        KoladaValue.objects.filter(kpi=kpi).update(
            preliminary=Case(
                When(year__gte=int(kpi.publ_period), then=Value(flag)), default=Value(False)
            )
        )


def summary(run: KoladaImport) -> str:
    """`Kolada: 12 nya, 1 reviderat, 30 oförändrade värden`."""

    def word(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"

    return (
        f"Kolada: {word(run.created_count, 'nytt', 'nya')}, "
        f"{word(run.revised_count, 'reviderat', 'reviderade')}, "
        f"{word(run.unchanged_count, 'oförändrat värde', 'oförändrade värden')}"
    )
