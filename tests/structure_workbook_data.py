"""A structure workbook written cell by cell as a person would type it, for the workbook tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from goals.models import CouncilGoal, GoalArea, OrganisationUnit
from indicators.structure_workbook import sheets

YEAR = 2023


def write_workbook(
    rows: dict[str, list[list[Any]]], *, board: str = "AN", year: int = YEAR, skip=()
) -> bytes:
    """rows: sheet key → data rows (cells in the sheet's column order). Text is written as text."""
    wb = Workbook()
    for default in wb.worksheets:
        wb.remove(default)
    for sheet in sheets.SHEETS:
        if sheet.key in skip:
            continue
        ws = wb.create_sheet(sheet.title)
        ws.append([column.header for column in sheet.columns])
        data = [[board, year]] if sheet is sheets.BOARD_SHEET else rows.get(sheet.key, [])
        for number, row in enumerate(data, start=2):
            for col, value in enumerate(row, start=1):
                cell = ws.cell(row=number, column=col)
                if isinstance(value, str) and value.startswith("=") and not value.startswith("=="):
                    cell.value = value
                    cell.data_type = "s"  # a text that begins with "="
                elif isinstance(value, str) and value.startswith("=="):
                    cell.value = value[1:]  # a real formula
                elif value is not None and value != "":
                    cell.value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def structure_prerequisites(municipality) -> None:
    """What a board's workbook refers to but never creates: KF goals, målområden, enheter."""
    area, _ = GoalArea.objects.get_or_create(name="Medborgare", defaults={"order": 2})
    GoalArea.objects.get_or_create(name="Medarbetare", defaults={"order": 5})
    CouncilGoal.objects.get_or_create(goal_area=area, title="Fler i arbete", valid_from=2019)
    CouncilGoal.objects.get_or_create(goal_area=area, title="Trygg kommun", valid_from=2019)
    OrganisationUnit.objects.get_or_create(
        code="UAF",
        defaults={
            "municipality": municipality,
            "kind": OrganisationUnit.Kind.ADMINISTRATION,
            "name": "Utbildnings- och arbetsmarknadsförvaltningen",
            "valid_from": 2019,
        },
    )


# Every value kind the plans use, as typed.
EVERY_KIND: dict[str, list[list[Any]]] = {
    "goals": [
        ["NM-1", "Fler i arbete", "Fler går till arbete eller studier", "=inte en formel", 1],
        ["NM-2", "Trygg kommun", "Tryggare mötesplatser", None, 2],
    ],
    "indicators": [
        [
            "IND-1",
            "NM-1",
            None,
            "Andel i arbete efter insats",
            "Nämndindikator",
            "%",
            1,
            "Högre är bättre",
            "SCB",
            "År",
            "Mäts en gång per år",
            "Ja",
            1,
        ],
        [
            "IND-2",
            "NM-2",
            None,
            "Upplevd trygghet",
            "Nämndindikator",
            "Text",
            0,
            "Ingen riktning",
            None,
            "År",
            "Mäts en gång per år",
            "Nej",
            2,
        ],
        [
            "IND-3",
            None,
            "IND-1",
            "Varav unga",
            "Nämndindikator",
            "%",
            1,
            "Högre är bättre",
            None,
            "År",
            "Mäts en gång per år",
            None,
            3,
        ],
        [
            "IND-4",
            None,
            None,
            "Antal deltagare",
            "Volymmått",
            "Antal",
            0,
            "Ingen riktning",
            None,
            "År",
            "Mäts en gång per år",
            "Nej",
            4,
        ],
    ],
    "breakdowns": [
        ["IND-1", "Totalt", None, None, 0],
        ["IND-1", "Kvinnor", None, None, 1],
        ["IND-1", "Män", None, None, 2],
        ["IND-4", None, "UAF", None, 1],
        ["IND-4", "Totalt", None, None, 0],
    ],
    "targets": [
        ["IND-1", YEAR, "Totalt", "Värde", None, "88,9", None, None, None, None],
        ["IND-1", YEAR, "Kvinnor", "Riktning", None, None, "Ska inte öka", None, None, None],
        ["IND-1", YEAR, "Män", "Gräns", "≥", 85, None, None, None, None],
        ["IND-3", YEAR, "Totalt", "Riktning", None, None, "Ska inte minska", "12,5", 2022, None],
        ["IND-2", YEAR, "Totalt", "Text", None, None, None, None, None, "Tryggare än 2022"],
        ["IND-4", YEAR, "Totalt", "I.U.", None, None, None, None, None, None],
    ],
    "values": [
        ["IND-1", YEAR, "Totalt", "88,9", None, None, "Preliminärt"],
        ["IND-1", YEAR, "Kvinnor", 90, None, None, None],
        ["IND-1", 2021, "Totalt", "80,1", None, None, None],
        ["IND-1", 2022, "Totalt", 81.5, None, None, None],
        ["IND-1", 2022, "Kvinnor", "I.U.", None, "För litet underlag", None],
        ["IND-2", YEAR, "Totalt", None, "Tryggheten ökade i alla stadsdelar", None, None],
        ["IND-4", YEAR, "UAF", "3 327", None, None, None],
    ],
    "footnotes": [
        ["FN-1", "Gäller båda åren", "IND-1 utfall 2023 Totalt; IND-1 utfall 2021 Totalt", None, 1],
        ["FN-2", "Om målet", "NM-1", YEAR, 2],
        ["FN-3", "Om målvärdet", "IND-1 mål 2023 Totalt", None, 3],
    ],
    "assignments": [
        ["UPP-1", "Nämnduppdrag", "Utred en samlad ingång för arbetssökande", "Ny 2023", 1],
        ["UPP-2", "Nämndspecifikt", "Minska långtidsarbetslösheten", None, 2],
    ],
    "policies": [["SD-1", "Program för trygghet och säkerhet", None, 1]],
    "activities": [
        [
            "AKT-1",
            "Samverkan med arbetsgivare",
            "NM-1; NM-2",
            None,
            None,
            None,
            "Succesivt avslut Q4",
            None,
            1,
        ],
        [
            "AKT-2",
            "Medarbetarenkät",
            None,
            None,
            None,
            "Medarbetare",
            "Kontinuerligt, uppföljning Q4",
            None,
            2,
        ],
        ["AKT-3", "Trygghetsvandringar", None, None, "SD-1", None, "Sept Q3", None, 3],
        [
            "AKT-4",
            "Ingång för arbetssökande",
            None,
            "UPP-1",
            None,
            None,
            "Redovisat till KS hösten -18",
            None,
            4,
        ],
        ["AKT-5", "Löpande uppföljning", "NM-1", None, None, None, None, 2, 5],
    ],
}
