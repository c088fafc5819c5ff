"""Importing Kolada: saved responses of several KPIs, Linköping, its peer group and Riket;
revisions between imports, the preliminary flag, refusals that write nothing, the command."""

from __future__ import annotations

import datetime
import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from indicators.kolada.client import FileFetcher, HttpFetcher, KoladaClient, RateLimiter
from indicators.kolada.errors import KoladaBadResponse, KoladaError
from indicators.kolada.importing import import_kolada, is_preliminary, summary
from indicators.models import (
    KoladaGroup,
    KoladaImport,
    KoladaKpi,
    KoladaMunicipality,
    KoladaRevision,
    KoladaValue,
)

BASE = "https://api.kolada.se/v3"
ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "kolada"
FIRST, REVISED = ROOT / "svar", ROOT / "svar-reviderat"
KPIS = ["N00914", "N31807", "N31816"]
MEMBERS = {"0380", "0581", "0680", "1283", "1880", "1980", "2480"}
YEARS = [2021, 2022, 2023, 2024]
DATA_FILE = (
    "data/kpi/N00914,N31807,N31816/municipality/0000,0380,0580,0581,0680,1283,1880,1980,2480"
    "/year/2021,2022,2023,2024.json"
)
AFTER_PUBLICATION = datetime.date(2025, 6, 1)
ALL_VALUES = 36 + 36 * 3 + 36  # N31807 has T, K and M


def run_import(directory: Path, *, today=AFTER_PUBLICATION, kpis=KPIS, years=YEARS):
    return import_kolada(
        client=KoladaClient(FileFetcher(directory=directory, base_url=BASE)),
        source=KoladaImport.Source.FILES,
        kpi_ids=kpis,
        municipality_ids=["0580"],
        group_ids=["G96154"],
        years=years,
        today=today,
    )


def nothing_stored() -> bool:
    return not any(
        model.objects.exists()
        for model in (
            KoladaImport,
            KoladaKpi,
            KoladaMunicipality,
            KoladaGroup,
            KoladaValue,
            KoladaRevision,
        )
    )


def stored_values() -> dict:
    return {
        (v.kpi_id, v.municipality_id, v.year, v.gender): (v.value, v.status)
        for v in KoladaValue.objects.all()
    }


def test_import_from_files_stores_kpis_municipality_group_riket_and_values(db):
    run = run_import(FIRST)

    assert (run.created_count, run.revised_count, run.unchanged_count) == (ALL_VALUES, 0, 0)
    assert run.source == KoladaImport.Source.FILES and run.finished_at is not None
    assert set(KoladaKpi.objects.values_list("id", flat=True)) == set(KPIS)
    n31807 = KoladaKpi.objects.get(pk="N31807")
    assert n31807.is_divided_by_gender and n31807.publication_date == datetime.date(2024, 10, 1)
    group = KoladaGroup.objects.get(pk="G96154")
    assert group.title.startswith("Liknande kommuner ekonomiskt bistånd, Linköping")
    assert set(group.members.values_list("id", flat=True)) == MEMBERS
    # Riket and the members have values, a municipality only listed (Malmö) is not stored.
    assert set(KoladaValue.objects.values_list("municipality_id", flat=True).distinct()) == {
        "0580",
        "0000",
        *MEMBERS,
    }
    assert KoladaMunicipality.objects.get(pk="0000").title == "Riket"
    assert not KoladaMunicipality.objects.filter(pk="1280").exists()

    genders = KoladaValue.objects.filter(kpi_id="N31807", municipality_id="0580", year=2023)
    assert {v.gender: v.value for v in genders} == {
        "T": Decimal("4.4"),
        "K": Decimal("4.2"),
        "M": Decimal("4.6"),
    }
    missing = KoladaValue.objects.get(
        kpi_id="N31816", municipality_id="1283", year=2021, gender="T"
    )
    assert missing.value is None and missing.status == "Missing"
    assert KoladaValue.objects.filter(imported=run).count() == ALL_VALUES
    assert summary(run) == f"Kolada: {ALL_VALUES} nya, 0 reviderade, 0 oförändrade värden"


def test_reimport_with_a_revised_figure_records_a_revision(db):
    first = run_import(FIRST)
    second = run_import(REVISED)

    assert (second.created_count, second.revised_count, second.unchanged_count) == (
        0,
        1,
        ALL_VALUES - 1,
    )
    revision = KoladaRevision.objects.get()
    assert revision.imported == second
    assert (revision.kpi_id, revision.municipality_id, revision.year, revision.gender) == (
        "N31807",
        "0580",
        2023,
        "T",
    )
    assert (revision.old_value, revision.new_value) == (Decimal("4.4"), Decimal("4.7"))
    stored = KoladaValue.objects.get(kpi_id="N31807", municipality_id="0580", year=2023, gender="T")
    assert stored.value == Decimal("4.7") and stored.imported == second
    assert KoladaValue.objects.count() == ALL_VALUES
    assert summary(second) == f"Kolada: 0 nya, 1 reviderat, {ALL_VALUES - 1} oförändrade värden"

    third = run_import(REVISED)
    assert (third.created_count, third.revised_count, third.unchanged_count) == (0, 0, ALL_VALUES)
    assert KoladaRevision.objects.count() == 1
    assert first.revisions.count() == 0


def test_a_changed_status_is_a_revision(db, tmp_path):
    run_import(FIRST)
    changed = tmp_path / "svar"
    shutil.copytree(FIRST, changed)
    data = changed / DATA_FILE
    document = json.loads(data.read_text())
    row = next(
        r
        for r in document["values"]
        if (r["kpi"], r["municipality"], r["period"]) == ("N00914", "0580", 2022)
    )
    row["values"][0].update(value=None, status="Missing")
    data.write_text(json.dumps(document))

    run = run_import(changed)
    revision = KoladaRevision.objects.get(imported=run)
    assert (revision.old_status, revision.new_status, revision.new_value) == ("", "Missing", None)
    assert revision.old_value is not None
    assert run.revised_count == 1


def test_preliminary_flag_is_set_and_cleared_by_the_publication_date(db):
    # N00914: publ_period 2024, publication_date 2025-04-15.
    run_import(FIRST, today=datetime.date(2025, 2, 1))
    preliminary = set(
        KoladaValue.objects.filter(preliminary=True).values_list("kpi_id", "year").distinct()
    )
    assert preliminary == {("N00914", 2024)}
    assert KoladaValue.objects.filter(preliminary=True).count() == 9

    run_import(FIRST, today=datetime.date(2025, 4, 15))
    assert not KoladaValue.objects.filter(preliminary=True).exists()


def test_preliminary_flag_is_recomputed_also_for_years_not_fetched_again(db):
    run_import(FIRST, today=datetime.date(2025, 2, 1))
    assert KoladaValue.objects.filter(kpi_id="N00914", year=2024, preliminary=True).exists()
    # The later import fetches other data only; the stored 2024 figures still turn final.
    KoladaValue.objects.filter(kpi_id="N00914", year=2024).update(preliminary=True)
    kpi = KoladaKpi.objects.get(pk="N00914")
    assert not is_preliminary(
        publ_period=kpi.publ_period,
        publication_date=kpi.publication_date,
        prel_publication_date=kpi.prel_publication_date,
        year=2024,
        today=AFTER_PUBLICATION,
    )
    run_import(FIRST, today=AFTER_PUBLICATION)
    assert not KoladaValue.objects.filter(preliminary=True).exists()


@pytest.mark.parametrize(
    ("publ_period", "publication", "prel", "year", "today", "expected"),
    [
        ("2024", datetime.date(2025, 4, 15), None, 2024, datetime.date(2025, 4, 14), True),
        ("2024", datetime.date(2025, 4, 15), None, 2024, datetime.date(2025, 4, 15), False),
        ("2024", datetime.date(2025, 4, 15), None, 2023, datetime.date(2025, 1, 1), False),
        ("2024", None, datetime.date(2025, 1, 20), 2024, datetime.date(2025, 2, 1), True),
        ("2024", None, None, 2024, datetime.date(2025, 2, 1), False),
        ("", datetime.date(2025, 4, 15), None, 2024, datetime.date(2025, 1, 1), False),
    ],
)
def test_preliminary_rule(publ_period, publication, prel, year, today, expected):
    assert (
        is_preliminary(
            publ_period=publ_period,
            publication_date=publication,
            prel_publication_date=prel,
            year=year,
            today=today,
        )
        is expected
    )


def spoil(tmp_path: Path, relative: str, change) -> Path:
    directory = tmp_path / "svar"
    shutil.copytree(FIRST, directory)
    target = directory / relative
    target.write_bytes(change(target.read_bytes()))
    return directory


def edit_json(change):
    def edit(raw: bytes) -> bytes:
        document = json.loads(raw)
        change(document)
        return json.dumps(document).encode()

    return edit


def first_value(document):
    return document["values"][0]["values"][0]


BAD_RESPONSES = {
    "truncated JSON": (DATA_FILE, lambda raw: raw[: len(raw) // 2], "ogiltig JSON"),
    "not JSON": ("municipality.json", lambda raw: b"<html>Bad gateway</html>", "ogiltig JSON"),
    "values missing": (
        "kpi/N00914,N31807,N31816.json",
        edit_json(lambda d: d.pop("values")),
        "values saknas",
    ),
    "count missing": ("municipality.json", edit_json(lambda d: d.pop("count")), "count saknas"),
    "row lost": (DATA_FILE, edit_json(lambda d: d["values"].pop()), "count säger 108"),
    "value is text": (
        DATA_FILE,
        edit_json(lambda d: first_value(d).update(value="4,4")),
        "inte ett tal",
    ),
    "unknown gender": (
        DATA_FILE,
        edit_json(lambda d: first_value(d).update(gender="X")),
        "kön 'X'",
    ),
    "period not a year": (
        DATA_FILE,
        edit_json(lambda d: d["values"][0].update(period="år 2021")),
        "inte ett år",
    ),
    "kpi title missing": (
        "kpi/N00914,N31807,N31816.json",
        edit_json(lambda d: d["values"][1].pop("title")),
        "N31807.*title saknas",
    ),
    "bad publication date": (
        "kpi/N00914,N31807,N31816.json",
        edit_json(lambda d: d["values"][0].update(publication_date="snart")),
        "publication_date är inte ett datum",
    ),
    "members not a list": (
        "municipality_groups/G96154.json",
        edit_json(lambda d: d["values"][0].update(members="0380")),
        "members saknas",
    ),
    "page loop": (
        DATA_FILE.removesuffix(".json") + "@page=2&per_page=60.json",
        edit_json(lambda d: d.update(next_url=f"{BASE}/{DATA_FILE.removesuffix('.json')}")),
        "slinga",
    ),
    "a row not asked for": (
        DATA_FILE,
        edit_json(lambda d: d["values"][0].update(municipality="1280")),
        "inte efterfrågades",
    ),
    "the same row twice": (
        DATA_FILE,
        edit_json(lambda d: d["values"].__setitem__(1, d["values"][0])),
        "två gånger",
    ),
}


@pytest.mark.parametrize("case", BAD_RESPONSES, ids=list(BAD_RESPONSES))
def test_bad_or_truncated_response_is_refused_with_nothing_written(db, tmp_path, case):
    relative, change, message = BAD_RESPONSES[case]
    directory = spoil(tmp_path, relative, change)
    with pytest.raises(KoladaBadResponse, match=message):
        run_import(directory)
    assert nothing_stored()


def test_a_refused_reimport_keeps_the_previous_import_whole(db, tmp_path):
    run_import(FIRST)
    before = stored_values()
    directory = spoil(tmp_path, DATA_FILE, edit_json(lambda d: d["values"].pop()))
    with pytest.raises(KoladaBadResponse):
        run_import(directory)
    assert stored_values() == before
    assert KoladaImport.objects.count() == 1 and not KoladaRevision.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(db, tmp_path):
    """A title too long for the column is found only when saving: still nothing is kept."""
    directory = spoil(
        tmp_path,
        "municipality_groups/G96154.json",
        edit_json(lambda d: d["values"][0].update(title="L" * 301)),
    )
    with pytest.raises(
        KoladaBadResponse, match=r"inte kan sparas \(Kolada-kommungrupp G96154\): Säkerställ"
    ):
        run_import(directory)
    assert nothing_stored()


def test_unknown_kpi_is_refused(db, tmp_path):
    directory = spoil(
        tmp_path,
        "kpi/N00914,N31807,N31816.json",
        edit_json(lambda d: d.update(values=d["values"][:2], count=2)),
    )
    with pytest.raises(KoladaBadResponse, match="nyckeltalet N31816"):
        run_import(directory)
    assert nothing_stored()


def test_import_over_http_reads_the_same_answers(db):
    """The online mode, against a fake Kolada serving the saved files; also saves a copy."""

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v3/")
        query = request.url.query.decode()
        name = path + (f"@{query}" if query else "") + ".json"
        return httpx.Response(200, content=(FIRST / name).read_bytes())

    fetcher = HttpFetcher(
        base_url=BASE,
        transport=httpx.MockTransport(handler),
        limiter=RateLimiter(clock=lambda: 0.0, sleep=lambda seconds: None),
    )
    run = import_kolada(
        client=KoladaClient(fetcher),
        source=KoladaImport.Source.API,
        kpi_ids=["N31816", "N31807", "N00914"],  # any order: the requests are sorted
        municipality_ids=["0580"],
        group_ids=["G96154"],
        years=[2024, 2021, 2023, 2022],
        today=AFTER_PUBLICATION,
    )
    assert run.created_count == ALL_VALUES and run.source == KoladaImport.Source.API


def test_command_imports_from_files_and_prints_the_summary(db):
    out = StringIO()
    arguments = [
        "--kpi",
        *KPIS,
        "--municipality",
        "0580",
        "--group",
        "G96154",
        "--year",
        *map(str, YEARS),
    ]
    call_command("import_kolada", *arguments, "--from-file", str(FIRST), stdout=out)
    assert out.getvalue().strip() == f"Kolada: {ALL_VALUES} nya, 0 reviderade, 0 oförändrade värden"

    out = StringIO()
    call_command("import_kolada", *arguments, "--from-file", str(REVISED), stdout=out)
    assert out.getvalue().strip() == (
        f"Kolada: 0 nya, 1 reviderat, {ALL_VALUES - 1} oförändrade värden"
    )
    assert KoladaImport.objects.count() == 2


def test_command_error_is_swedish_and_stores_nothing(db, tmp_path):
    with pytest.raises(CommandError, match=r"Sparat svar saknas.*Inget sparades"):
        call_command(
            "import_kolada", "--kpi", "N00914", "--municipality", "0580", "--from-file", tmp_path
        )
    assert nothing_stored()


def test_command_reports_an_unreachable_kolada(db, settings, monkeypatch):
    settings.KOLADA_API_URL = "http://127.0.0.1:9/v3"  # the discard port: nothing listens
    waits: list[float] = []
    monkeypatch.setattr("indicators.kolada.client.time.sleep", waits.append)
    with pytest.raises(CommandError, match=r"^Kolada kunde inte nås"):
        call_command(
            "import_kolada",
            "--kpi",
            "N00914",
            "--municipality",
            "0580",
            "--year",
            "2024",
            stdout=StringIO(),
        )
    assert waits == [1.0, 2.0, 4.0]  # three retries with back-off, then the error
    assert nothing_stored()


def test_file_fetcher_refuses_a_missing_directory(tmp_path):
    with pytest.raises(KoladaError, match="finns inte"):
        FileFetcher(directory=tmp_path / "saknas")


def synthetic_kolada(members: int, kpis: int):
    """A fake Kolada answering any request of the importer, for groups of any size."""
    member_ids = [f"{1000 + number:04d}" for number in range(members)]

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v3/")
        if path.startswith("kpi/"):
            rows = [
                {"id": kpi, "title": f"Nyckeltal {kpi}", "publ_period": "2024"}
                for kpi in path.removeprefix("kpi/").split(",")
            ]
        elif path == "municipality":
            rows = [{"id": "0580", "title": "Linköping", "type": "K"}]
        elif path.startswith("municipality_groups/"):
            members = [{"member_id": m, "member_title": f"Kommun {m}"} for m in member_ids]
            rows = [{"id": "G1", "title": "Liknande kommuner", "members": members}]
        else:
            parts = path.split("/")
            rows = [
                {
                    "kpi": kpi,
                    "municipality": municipality,
                    "period": int(year),
                    "values": [{"gender": "T", "count": 1, "status": "", "value": 2.5}],
                }
                for kpi in parts[2].split(",")
                for municipality in parts[4].split(",")
                for year in parts[6].split(",")
            ]
        return httpx.Response(200, json={"values": rows, "count": len(rows), "next_url": None})

    limiter = RateLimiter(clock=lambda: 0.0, sleep=lambda seconds: None)
    fetcher = HttpFetcher(base_url=BASE, transport=httpx.MockTransport(handler), limiter=limiter)
    return KoladaClient(fetcher), [f"N{number:05d}" for number in range(kpis)]


def count_import_queries(
    *, members: int, years: int, kpis: int = 2
) -> tuple[int, int, KoladaImport]:
    """(statements other than the values' bulk inserts, those inserts, the run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, kpi_ids = synthetic_kolada(members, kpis)
    with CaptureQueriesContext(connection) as queries:
        run = import_kolada(
            client=client,
            source=KoladaImport.Source.API,
            kpi_ids=kpi_ids,
            municipality_ids=["0580"],
            group_ids=["G1"],
            years=range(2025 - years, 2025),
            today=AFTER_PUBLICATION,
        )
    inserts = sum(
        query["sql"].startswith('INSERT INTO "indicators_koladavalue"')
        for query in queries.captured_queries
    )
    return len(queries) - inserts, inserts, run


def test_import_queries_stay_flat_in_members_and_years(db):
    """Only the bulk inserts grow, by one per batch of rows (SQLite's limit: about 90 rows)."""
    small, small_inserts, run = count_import_queries(members=2, years=2)
    assert run.created_count == 2 * (2 + 2) * 2  # KPIs × (0580, Riket, members) × years
    assert small_inserts == 1
    KoladaGroup.objects.all().delete()
    KoladaValue.objects.all().delete()
    KoladaImport.objects.all().delete()
    large, large_inserts, run = count_import_queries(members=25, years=12)
    assert run.created_count == 2 * (2 + 25) * 12
    assert large == small
    assert large_inserts <= run.created_count // 80 + 1


def test_a_deleted_or_vanished_figure_is_a_revision_to_borttaget(db, tmp_path):
    run_import(FIRST)
    changed = tmp_path / "svar"
    shutil.copytree(FIRST, changed)
    data = changed / DATA_FILE
    document = json.loads(data.read_text())
    for row in document["values"]:
        place = (row["kpi"], row["municipality"], row["period"])
        if place == ("N00914", "1880", 2021):
            row["values"][0]["isdeleted"] = True
        if place == ("N31807", "0580", 2022):
            row["values"] = row["values"][:1]  # K and M are no longer given
    data.write_text(json.dumps(document))

    run = run_import(changed)
    revisions = {
        (r.kpi_id, r.municipality_id, r.year, r.gender): (r.new_value, r.new_status)
        for r in KoladaRevision.objects.filter(imported=run)
    }
    assert revisions == {
        ("N00914", "1880", 2021, "T"): (None, "Borttaget"),
        ("N31807", "0580", 2022, "K"): (None, "Borttaget"),
        ("N31807", "0580", 2022, "M"): (None, "Borttaget"),
    }
    assert (run.created_count, run.revised_count, run.unchanged_count) == (0, 3, ALL_VALUES - 3)
    gone = KoladaValue.objects.get(kpi_id="N31807", municipality_id="0580", year=2022, gender="K")
    assert gone.value is None and gone.status == "Borttaget"

    again = run_import(changed)  # still gone: nothing new to record
    assert again.revised_count == 0 and again.unchanged_count == ALL_VALUES - 2
