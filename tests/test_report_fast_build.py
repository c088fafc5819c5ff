"""The verksamhetsberättelse built for many boards at once equals the one built the slow way.

`build_reports(boards, year)` reads every board's data in the queries of one board and then
divides it. Two proofs that nothing changed on the way:

- every board-year of the demo and of a small synthetic municipality (3 boards × 4 years,
  seed 1) gives, through `build_report`, exactly the serialized report the builder gave
  before the loaders took many boards (tests/fixtures/report_baseline.json.gz, written by the
  old code with `STYRKORT_WRITE_REPORT_BASELINE=1` and this test);
- every year's reports of all boards built together equal each board's built alone.

Only `generated_at` is left out of the comparison (the moment of the build), and the date of
the demo's approvals (the day it is loaded) reads "{i dag}".
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from demo.synthetic import generate_municipality
from goals.models import Board
from goals.periods import swedish_date
from indicators.models import IndicatorValue
from reports.report import build_report, report_to_json

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).parent / "fixtures" / "report_baseline.json.gz"
# After every transition the demo and the generator write, so the cover's status is fixed.
NOW = timezone.make_aware(datetime.datetime(2100, 1, 1, 12, 0))


@pytest.fixture
def municipality_data(demo_data):
    generate_municipality(boards=3, years=4, seed=1)


def board_years() -> list[tuple[Board, int]]:
    years = sorted(set(IndicatorValue.objects.values_list("year", flat=True)))
    boards = list(Board.objects.order_by("code"))
    return [(board, year) for year in years for board in boards if board.is_valid_in(year)]


def plain(report) -> dict:
    data = report_to_json(report)
    data.pop("generated_at")
    # The demo approves its occasions when it is loaded: the cover says today's date.
    data["status_line"] = data["status_line"].replace(swedish_date(timezone.localdate()), "{i dag}")
    return data


def key(board: Board, year: int) -> str:
    return f"{board.code}:{year}"


def first_difference(built: dict, expected: dict) -> str:
    """Where two serialized reports part: the field, or the table and row."""
    for name in sorted(set(built) | set(expected)):
        if name != "tables" and built.get(name) != expected.get(name):
            return f"{name}: {built.get(name)!r} != {expected.get(name)!r}"
    for mine, theirs in zip(built["tables"], expected["tables"], strict=False):
        if mine != theirs:
            for number, (a, b) in enumerate(zip(mine["rows"], theirs["rows"], strict=False)):
                if a != b:
                    return f"{mine['key']} row {number}: {a} != {b}"
            return f"{mine['key']}: {json.dumps(mine)[:300]} != {json.dumps(theirs)[:300]}"
    return f"{len(built['tables'])} tables != {len(expected['tables'])}"


def test_every_report_equals_the_one_the_old_builder_gave(municipality_data):
    pairs = board_years()
    assert len({board.code for board, _ in pairs}) >= 5  # the demo's AN and BIN, S01-S03
    built = {key(board, year): plain(build_report(board, year, now=NOW)) for board, year in pairs}
    if os.environ.get("STYRKORT_WRITE_REPORT_BASELINE"):
        BASELINE.parent.mkdir(exist_ok=True)
        text = json.dumps(built, ensure_ascii=False, sort_keys=True)
        BASELINE.write_bytes(gzip.compress(text.encode(), mtime=0))
        pytest.skip(f"skrev {BASELINE}")
    expected = json.loads(gzip.decompress(BASELINE.read_bytes()))
    assert sorted(built) == sorted(expected)
    wrong = [
        f"{name}: {first_difference(built[name], expected[name])}"
        for name in sorted(built)
        if built[name] != expected[name]
    ]
    assert not wrong, "\n".join(wrong[:5])
    assert sum(len(report["tables"]) for report in built.values()) > 10 * len(built)


def test_all_boards_built_together_equal_each_board_built_alone(municipality_data):
    from reports.report.build import build_reports

    by_year: dict[int, list[Board]] = {}
    for board, year in board_years():
        by_year.setdefault(year, []).append(board)
    for year, boards in by_year.items():
        together = build_reports(boards, year, now=NOW)
        assert [report.board_code for report in together] == [board.code for board in boards]
        for board, report in zip(boards, together, strict=True):
            alone = plain(build_report(board, year, now=NOW))
            assert plain(report) == alone, (
                f"{key(board, year)}: {first_difference(plain(report), alone)}"
            )


def all_boards_queries(client, boards: int) -> tuple[int, int]:
    """Queries of a cold all-boards workbook over a synthetic municipality of `boards` boards,
    and the number of board sheets it had."""
    generate_municipality(boards=boards, years=2, seed=1)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:report_xlsx_all", args=[2022]))
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(response.content), read_only=True).sheetnames
    return len(queries), len(sheets) - 1  # the contents sheet


def test_the_all_boards_workbook_costs_the_same_queries_for_1_3_and_6_boards(client, admin_user):
    client.force_login(admin_user)
    counts = {boards: all_boards_queries(client, boards) for boards in (1, 3, 6)}
    # The generator also loads the demo's structure with its boards: those sheets are there too.
    assert len({sheets - boards for boards, (_, sheets) in counts.items()}) == 1, counts
    assert len({queries for queries, _ in counts.values()}) == 1, counts


def test_a_cells_html_escapes_its_text_and_links_each_mark():
    from reports.renderers.html import cell_html
    from reports.report import Cell, Part

    mark = '<sup class="fn"><a href="#fotnot-{0}" aria-label="Fotnot {0}">{0}</a></sup>'
    plain = Cell('Mål <b> & "citat"\nrad två', marks=[2, 11], bold=True)
    assert cell_html(plain) == (
        "<strong>Mål &lt;b&gt; &amp; &quot;citat&quot;<br>rad två"
        + mark.format(2)
        + mark.format(11)
        + "</strong>"
    )
    parts = Cell(parts=[Part("Delvis", italic=True, marks=[3]), Part(" <uppnått>")], marks=[4])
    assert cell_html(parts) == (
        "<em>Delvis</em>" + mark.format(3) + " &lt;uppnått&gt;" + mark.format(4)
    )
    assert cell_html(Cell()) == ""


def test_the_collector_is_paused_only_inside_the_build():
    import gc

    from core.gc_pause import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer one's pause alone
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()  # also after an error


def test_the_reads_that_grow_with_the_data_sort_by_no_joined_name(municipality_data):
    """The values, budget amounts and declared breakdowns of every board are read ordered by
    ids or not at all. Their models' default orders join the boards and compare names and
    sections under the Swedish (ICU) collation: at size L that sort was 32 of the budget
    amounts' 37 ms and 8 of the breakdowns' 16 ms in the all-boards workbook."""
    from reports.report.build import build_reports

    year = max(IndicatorValue.objects.values_list("year", flat=True))
    boards = [board for board in Board.objects.order_by("code") if board.is_valid_in(year)]
    with CaptureQueriesContext(connection) as captured:
        build_reports(boards, year, now=NOW)
    growing = ("indicators_indicatorvalue", "budget_budgetamount", "indicators_indicatorbreakdown")
    reads = [
        query["sql"]
        for query in captured
        if query["sql"].startswith("SELECT")
        and query["sql"].split(" FROM ", 1)[1].split(" ", 1)[0].strip('"') in growing
    ]
    assert {sql.split(" FROM ", 1)[1].split(" ", 1)[0].strip('"') for sql in reads} == set(growing)
    for sql in reads:
        order = sql.rsplit(" ORDER BY ", 1)[1] if " ORDER BY " in sql else ""
        assert '"name"' not in order and '"section"' not in order, sql[:300]
