"""The texts of the boards' documents (goals.NarrativeText, narratives.toml).

Seed 001's texts of AN's verksamhetsberättelse 2022, one per narrative section of its outline
(reports/outlines.toml), and a few invented texts of AN's delårsrapport 2 2022. A text of a
follow-up document belongs to the occasion of its kind (followup.toml creates them): this loader
runs after followup and before the approvals (load_demo approves last), like the goal
assessments, so nothing it writes is locked yet. A changed text gets the next version, as a save
on the Texter page does; a second load writes nothing.
"""

from __future__ import annotations

from demo.loaders.base import DemoDataError, Stats, read, sync
from goals.models import Board, DocumentKind, NarrativeText, ReportingOccasion

FILE = "narratives.toml"
KEY = ["board_id", "year", "document", "section"]
NO_OCCASION = "Demodata ({file}): {board} {document} {year} har inget tillfälle i followup.toml."


def load(stats: Stats) -> None:
    """The demo's narrative texts, each at its board, year, document and section."""
    data = read(FILE)
    boards = {board.code: board for board in Board.objects.all()}
    occasions = {
        (occasion.board_id, occasion.year, occasion.kind): occasion.pk
        for occasion in ReportingOccasion.objects.filter(board__in=boards.values())
    }
    existing = list(NarrativeText.objects.filter(board__in=boards.values()))
    stored = {tuple(getattr(obj, name) for name in KEY): obj for obj in existing}
    rows = []
    for spec in data["texts"]:
        board = boards.get(spec["board"])
        if board is None:
            raise DemoDataError(f"Demodata ({FILE}): okänd nämnd {spec['board']!r}.")
        document = DocumentKind(spec["document"])
        occasion_id = None
        if document.occasion_kind is not None:
            occasion_id = occasions.get((board.pk, spec["year"], document.occasion_kind))
            if occasion_id is None:
                raise DemoDataError(
                    NO_OCCASION.format(
                        file=FILE, board=board.code, document=document.label, year=spec["year"]
                    )
                )
        row = {
            "board_id": board.pk,
            "year": spec["year"],
            "document": document.value,
            "section": spec["section"],
            "occasion_id": occasion_id,
            "text": spec["text"].strip(),
        }
        before = stored.get(tuple(row[name] for name in KEY))
        if before is not None and before.text != row["text"]:
            row["version"] = before.version + 1
        rows.append(row)
    sync(NarrativeText, rows, KEY, stats, existing=existing)
