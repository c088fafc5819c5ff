"""Kolada rows for the comparison and page tests, made with the ORM (no importer needed)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from indicators.models import (
    Indicator,
    KoladaGroup,
    KoladaImport,
    KoladaKpi,
    KoladaLink,
    KoladaMunicipality,
    KoladaPeerGroup,
    KoladaValue,
)

OWN = "0580"
RIKET = "0000"


def an_import() -> KoladaImport:
    return KoladaImport.objects.create(source=KoladaImport.Source.FILES, parameters="test")


def kpi(kpi_id: str = "N00097", title: str = "Invånare med ekonomiskt bistånd, andel (%)"):
    return KoladaKpi.objects.get_or_create(
        id=kpi_id, defaults={"title": title, "unit": "procent", "publ_period": "2024"}
    )[0]


def municipalities(peers: int) -> list[KoladaMunicipality]:
    """Linköping, Riket and `peers` similar municipalities (ids 1001, 1002, …)."""
    KoladaMunicipality.objects.get_or_create(id=OWN, defaults={"title": "Linköping", "type": "K"})
    KoladaMunicipality.objects.get_or_create(id=RIKET, defaults={"title": "Riket", "type": "L"})
    return [
        KoladaMunicipality.objects.get_or_create(
            id=str(1001 + n), defaults={"title": f"Kommun {n + 1}", "type": "K"}
        )[0]
        for n in range(peers)
    ]


def peer_group(board, members: Sequence[KoladaMunicipality], *, with_own: bool = False):
    group, _ = KoladaGroup.objects.get_or_create(
        id="G1", defaults={"title": "Liknande kommuner ekonomiskt bistånd, Linköping, 2024"}
    )
    group.members.set([*members, *([KoladaMunicipality.objects.get(id=OWN)] if with_own else [])])
    KoladaPeerGroup.objects.update_or_create(board=board, defaults={"group": group})
    return group


def value(kpi_row, municipality: str, year: int, figure, *, preliminary=False, imported=None):
    return KoladaValue.objects.create(
        kpi=kpi_row,
        municipality_id=municipality,
        year=year,
        value=None if figure is None else Decimal(str(figure)),
        status="Missing" if figure is None else "",
        preliminary=preliminary,
        imported=imported or KoladaImport.objects.first() or an_import(),
    )


def link(indicator: Indicator, kpi_row: KoladaKpi) -> KoladaLink:
    return KoladaLink.objects.create(indicator=indicator, kpi=kpi_row)


def comparison_data(board, indicators: Sequence[Indicator], *, peers: int, years: Sequence[int]):
    """Every indicator linked to its own KPI, a peer group of `peers`, values for every year."""
    board.municipality.code = OWN
    board.municipality.save()
    members = municipalities(peers)
    peer_group(board, members)
    imported = an_import()
    rows = []
    for index, indicator in enumerate(indicators):
        kpi_row = kpi(f"N{10000 + index}", f"Nyckeltal {index + 1}")
        KoladaLink.objects.get_or_create(indicator=indicator, defaults={"kpi": kpi_row})
        for year in years:
            rows.append((kpi_row, OWN, year, Decimal(50 + index)))
            rows.append((kpi_row, RIKET, year, Decimal(45)))
            rows.extend((kpi_row, m.id, year, Decimal(40 + n)) for n, m in enumerate(members))
    # Called again with more indicators, peers or years: the rows there are stay as they are.
    KoladaValue.objects.bulk_create(
        (
            KoladaValue(kpi=k, municipality_id=m, year=y, value=v, imported=imported)
            for k, m, y, v in rows
        ),
        ignore_conflicts=True,
    )
