"""The Kolada client: paging, batching, the rate limit, retries and refusals, never the network."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from indicators.kolada.client import (
    FileFetcher,
    HttpFetcher,
    KoladaClient,
    RateLimiter,
    saved_name,
)
from indicators.kolada.errors import KoladaBadResponse, KoladaError, KoladaUnavailable

BASE = "https://api.kolada.se/v3"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kolada" / "svar"


class FakeClock:
    """time.monotonic and time.sleep in one: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def envelope(values, *, count=None, next_url=None, key="next_url"):
    return {"values": values, "count": len(values) if count is None else count, key: next_url}


def client_for(handler, clock: FakeClock | None = None, **options) -> tuple[KoladaClient, list]:
    clock = clock or FakeClock()
    requests: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handler(request)

    fetcher = HttpFetcher(
        base_url=BASE,
        transport=httpx.MockTransport(recording),
        limiter=RateLimiter(clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        **options,
    )
    return KoladaClient(fetcher), requests


def municipality(number: int) -> dict:
    return {"id": f"{number:04d}", "title": f"Kommun {number}", "type": "K"}


def test_follows_v3_next_url_across_pages():
    pages = {
        "/v3/municipality": envelope(
            [municipality(1), municipality(2)], count=3, next_url=f"{BASE}/municipality?page=2"
        ),
        "/v3/municipality?page=2": envelope([municipality(3)], count=3),
    }

    def handler(request):
        return httpx.Response(200, json=pages[request.url.raw_path.decode()])

    client, requests = client_for(handler)
    assert [row.id for row in client.municipalities()] == ["0001", "0002", "0003"]
    assert len(requests) == 2


def test_follows_v2_next_page_key():
    pages = {
        "/v3/municipality": envelope(
            [municipality(1)], next_url=f"{BASE}/municipality?page=2", key="next_page"
        ),
        "/v3/municipality?page=2": envelope([municipality(2)], key="next_page"),
    }
    client, _ = client_for(
        lambda request: httpx.Response(200, json=pages[request.url.raw_path.decode()])
    )
    assert [row.title for row in client.municipalities()] == ["Kommun 1", "Kommun 2"]


def test_a_paging_loop_is_refused():
    loop = {
        "/v3/municipality": envelope([municipality(1)], next_url=f"{BASE}/municipality?page=2"),
        "/v3/municipality?page=2": envelope([municipality(2)], next_url=f"{BASE}/municipality"),
    }
    client, requests = client_for(
        lambda request: httpx.Response(200, json=loop[request.url.raw_path.decode()])
    )
    with pytest.raises(KoladaBadResponse, match="slinga"):
        client.municipalities()
    assert len(requests) == 2


def test_count_that_does_not_match_the_rows_is_refused():
    client, _ = client_for(
        lambda request: httpx.Response(200, json=envelope([municipality(1)], count=2))
    )
    with pytest.raises(KoladaBadResponse, match="count säger 2 men svaret har 1"):
        client.municipalities()


def test_ids_are_sent_in_batches_of_at_most_ten():
    def handler(request):
        path = request.url.path
        kpis = path.split("/data/kpi/")[1].split("/")[0].split(",")
        municipalities = path.split("/municipality/")[1].split("/")[0].split(",")
        years = path.split("/year/")[1].split(",")
        if max(len(kpis), len(municipalities), len(years)) > 10:
            return httpx.Response(422, json={"error": "too many ids"})
        rows = [
            {
                "kpi": kpi,
                "municipality": municipality,
                "period": int(year),
                "values": [{"gender": "T", "count": 1, "status": "", "value": 1.5}],
            }
            for kpi in kpis
            for municipality in municipalities
            for year in years
        ]
        return httpx.Response(200, json=envelope(rows))

    client, requests = client_for(handler)
    kpis = [f"N{number:05d}" for number in range(12)]
    municipalities = [f"{number:04d}" for number in range(25)]
    records = client.data(kpis, municipalities, [2023, 2024])
    assert len(records) == 12 * 25 * 2
    assert len(requests) == 2 * 3  # 12 KPIs in 2 batches × 25 municipalities in 3
    assert {(record.kpi, record.municipality) for record in records} == {
        (kpi, municipality) for kpi in kpis for municipality in municipalities
    }


def test_at_most_five_requests_in_any_second():
    clock = FakeClock()
    starts: list[float] = []

    def handler(request):
        starts.append(clock.now)
        return httpx.Response(200, json=envelope([municipality(1)]))

    client, _ = client_for(handler, clock)
    for _ in range(12):
        client.municipalities()
    assert len(starts) == 12
    for index in range(len(starts) - 5):
        assert starts[index + 5] - starts[index] >= 1.0
    assert starts[-1] - starts[0] == pytest.approx(2.0)  # 12 requests: windows at 0, 1 and 2 s


def test_limiter_does_not_wait_when_requests_are_slow():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.wait()
        clock.now += 0.3
    assert clock.sleeps == []


@pytest.mark.parametrize("failure", [429, 503])
def test_retries_with_backoff_then_succeeds(failure):
    answers = [httpx.Response(failure), httpx.Response(failure)]
    clock = FakeClock()

    def handler(request):
        return answers.pop(0) if answers else httpx.Response(200, json=envelope([municipality(7)]))

    client, requests = client_for(handler, clock)
    assert [row.id for row in client.municipalities()] == ["0007"]
    assert len(requests) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_retry_after_header_is_honoured_but_capped():
    answers = [httpx.Response(429, headers={"Retry-After": "3"})]
    clock = FakeClock()

    def handler(request):
        return answers.pop(0) if answers else httpx.Response(200, json=envelope([]))

    client, _ = client_for(handler, clock)
    client.municipalities()
    assert clock.sleeps == [3.0]


def test_timeouts_are_retried_and_then_reported_in_swedish():
    clock = FakeClock()

    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    client, requests = client_for(handler, clock, retries=3)
    with pytest.raises(KoladaUnavailable) as caught:
        client.municipalities()
    assert str(caught.value).startswith("Kolada kunde inte nås: inget svar inom tidsgränsen")
    assert len(requests) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_unreachable_service_gives_the_swedish_error():
    def handler(request):
        raise httpx.ConnectError("Name or service not known", request=request)

    client, requests = client_for(handler, retries=2)
    with pytest.raises(KoladaUnavailable, match=r"^Kolada kunde inte nås: Name or service"):
        client.kpis(["N00914"])
    assert len(requests) == 3


def test_a_refused_request_is_not_retried():
    client, requests = client_for(lambda request: httpx.Response(422, text="Too many ids"))
    with pytest.raises(KoladaError, match="HTTP 422"):
        client.municipalities()
    assert len(requests) == 1


def test_v2_deprecation_answer_is_refused():
    client, _ = client_for(
        lambda request: httpx.Response(
            200, json={"error": "This endpoint is deprecated. Please use /v3 instead."}
        )
    )
    with pytest.raises(KoladaBadResponse, match="deprecated"):
        client.municipalities()


def test_save_to_writes_files_that_from_file_reads_back(tmp_path):
    pages = {
        "/v3/municipality": envelope(
            [municipality(1)], count=2, next_url=f"{BASE}/municipality?page=2&per_page=1"
        ),
        "/v3/municipality?page=2&per_page=1": envelope([municipality(2)], count=2),
    }
    client, _ = client_for(
        lambda request: httpx.Response(200, json=pages[request.url.raw_path.decode()]),
        save_to=tmp_path,
    )
    online = client.municipalities()
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.json")) == [
        "municipality.json",
        "municipality@page=2&per_page=1.json",
    ]
    offline = KoladaClient(FileFetcher(directory=tmp_path, base_url=BASE)).municipalities()
    assert offline == online


def test_saved_names_stay_inside_the_directory(tmp_path):
    assert saved_name(f"{BASE}/kpi/N00914,N31807", BASE) == Path("kpi/N00914,N31807.json")
    with pytest.raises(KoladaBadResponse):
        saved_name(f"{BASE}/../../etc/passwd", BASE)
    (tmp_path / "municipality.json").write_text(
        json.dumps(envelope([], next_url=f"{BASE}/x/../../../secret"))
    )
    with pytest.raises(KoladaBadResponse, match="filnamn"):
        KoladaClient(FileFetcher(directory=tmp_path, base_url=BASE)).municipalities()


def test_a_missing_saved_file_names_the_file(tmp_path):
    client = KoladaClient(FileFetcher(directory=tmp_path, base_url=BASE))
    with pytest.raises(KoladaError, match=r"Sparat svar saknas.*kpi/N00914\.json"):
        client.kpis(["N00914"])


def test_recorded_fixture_pages_are_followed():
    client = KoladaClient(FileFetcher(directory=FIXTURES, base_url=BASE))
    municipalities = ["0000", "0380", "0580", "0581", "0680", "1283", "1880", "1980", "2480"]
    records = client.data(["N00914", "N31807", "N31816"], municipalities, [2021, 2022, 2023, 2024])
    assert len({(r.kpi, r.municipality, r.year) for r in records}) == 108
    assert len(records) == 36 + 36 * 3 + 36


def test_an_overloaded_service_is_given_up_after_the_retries():
    clock = FakeClock()
    client, requests = client_for(lambda request: httpx.Response(503), clock, retries=3)
    with pytest.raises(KoladaUnavailable, match=r"^Kolada kunde inte nås: HTTP 503 \(4 försök"):
        client.municipalities()
    assert len(requests) == 4 and clock.sleeps == [1.0, 2.0, 4.0]
