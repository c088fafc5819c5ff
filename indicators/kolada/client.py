"""Fetch from Kolada's API v3, or from responses saved earlier, and return validated records.

Saved responses (`--save-to` writes them, `--from-file` reads them) are one JSON file per request:
the request's path below the API base, then `@` and the query string if there is one, then
`.json`. `https://api.kolada.se/v3/kpi/N31807,N00914` is `kpi/N31807,N00914.json`, and the
second page `…/year/2023?page=2&per_page=5000` is `…/year/2023@page=2&per_page=5000.json`.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from indicators.kolada.errors import KoladaBadResponse, KoladaError, KoladaUnavailable
from indicators.kolada.parsing import (
    GroupRecord,
    KpiRecord,
    MunicipalityRecord,
    Page,
    ValueRecord,
    check_counts,
    parse_data_row,
    parse_group,
    parse_kpi,
    parse_municipality,
    parse_page,
)

BATCH_SIZE = 10  # more ids than this in one list of a URL makes Kolada answer 422
MAX_PAGES = 1000  # 5 000 rows a page: far more than one import asks for
RETRY_STATUSES = frozenset({429, 502, 503, 504})

T = TypeVar("T")


def batches(ids: Sequence[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class RateLimiter:
    """At most `rate` requests in any `per` seconds (a sliding window); clock and sleep injectable."""

    def __init__(
        self,
        *,
        rate: int = 5,
        per: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate, self.per, self.clock, self.sleep = rate, per, clock, sleep
        self.started: collections.deque[float] = collections.deque(maxlen=rate)

    def wait(self) -> None:
        if len(self.started) == self.rate:
            delay = self.started[0] + self.per - self.clock()
            if delay > 0:
                self.sleep(delay)
        self.started.append(self.clock())


def relative_path(url: str, base_url: str) -> str:
    """The request's part below the API base, the same for the live and the saved answer."""
    parts = urlsplit(url)
    base_path = urlsplit(base_url).path.rstrip("/")
    path = parts.path
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    name = path.strip("/")
    if parts.query:
        name += "@" + parts.query
    return name


def saved_name(url: str, base_url: str) -> Path:
    name = relative_path(url, base_url)
    pieces = Path(name).parts
    if not name or any(piece in ("", ".", "..") for piece in pieces):
        raise KoladaBadResponse(f"Adressen {url!r} kan inte bli ett filnamn.")
    return Path(name + ".json")


class Fetcher(Protocol):
    base_url: str

    def fetch(self, url: str) -> bytes: ...


class HttpFetcher:
    """GET with the rate limit, bounded retries with back-off, and optionally a copy on disk."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        max_delay: float = 30.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] | None = None,
        save_to: Path | None = None,
    ) -> None:
        sleep = sleep or time.sleep
        self.base_url = (base_url or settings.KOLADA_API_URL).rstrip("/")
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.retries, self.backoff, self.max_delay, self.sleep = retries, backoff, max_delay, sleep
        self.save_to = save_to
        self.http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "Styrkort"},
        )

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = response.headers.get("Retry-After", "") if response is not None else ""
        if retry_after.isdigit():
            return min(float(retry_after), self.max_delay)
        return min(self.backoff * 2**attempt, self.max_delay)

    def close(self) -> None:
        self.http.close()

    def fetch(self, url: str) -> bytes:
        problem = ""
        response: httpx.Response | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self._delay(attempt - 1, response))
            response = None
            self.limiter.wait()
            try:
                response = self.http.get(url)
            except httpx.TimeoutException:
                problem = "inget svar inom tidsgränsen"
                continue
            except httpx.TransportError as error:
                problem = str(error) or type(error).__name__
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise KoladaError(
                    f"Kolada avvisade frågan {url} (HTTP {response.status_code}): "
                    f"{response.text[:200]}"
                )
            if self.save_to is not None:
                target = self.save_to / saved_name(url, self.base_url)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(response.content)
            return response.content
        raise KoladaUnavailable(
            f"Kolada kunde inte nås: {problem} ({self.retries + 1} försök, {url})."
        )


class FileFetcher:
    """Reads the answers `--save-to` wrote; a missing file is a clear error, not an empty answer."""

    def __init__(self, *, directory: Path, base_url: str | None = None) -> None:
        self.directory = directory.resolve()
        self.base_url = (base_url or settings.KOLADA_API_URL).rstrip("/")
        if not self.directory.is_dir():
            raise KoladaError(f"Katalogen {directory} finns inte.")

    def fetch(self, url: str) -> bytes:
        path = (self.directory / saved_name(url, self.base_url)).resolve()
        if not path.is_relative_to(self.directory):
            raise KoladaBadResponse(f"Adressen {url!r} pekar utanför katalogen.")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise KoladaError(
                f"Sparat svar saknas för {url}: filen {path.relative_to(self.directory)} "
                f"finns inte i {self.directory}."
            ) from None


def _ids(ids: Iterable[str | int]) -> str:
    return ",".join(quote(str(value), safe="") for value in ids)


class KoladaClient:
    """The four kinds of request an import needs, each paged, batched and validated."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.base_url = fetcher.base_url

    def pages(self, path: str) -> list[Page]:
        """Follow the paging links; a link seen before (or too many pages) is refused."""
        url: str | None = f"{self.base_url}/{path}"
        seen: set[str] = set()
        pages = []
        while url is not None:
            key = relative_path(url, self.base_url)
            if key in seen or len(seen) >= MAX_PAGES:
                raise KoladaBadResponse(
                    f"Kolada gav ett svar som inte kan användas ({path}): "
                    f"sidorna pekar i en slinga tillbaka till {url}"
                )
            seen.add(key)
            page = parse_page(self.fetcher.fetch(url), where=key)
            pages.append(page)
            url = page.next_url
        check_counts(pages, where=path)
        return pages

    def rows(self, path: str) -> list[object]:
        return [row for page in self.pages(path) for row in page.values]

    def kpis(self, ids: Sequence[str]) -> list[KpiRecord]:
        return [
            parse_kpi(row, where=f"kpi/{_ids(batch)}")
            for batch in batches(ids)
            for row in self.rows(f"kpi/{_ids(batch)}")
        ]

    def municipalities(self) -> list[MunicipalityRecord]:
        return [parse_municipality(row, where="municipality") for row in self.rows("municipality")]

    def groups(self, ids: Sequence[str]) -> list[GroupRecord]:
        return [
            parse_group(row, where=f"municipality_groups/{_ids(batch)}")
            for batch in batches(ids)
            for row in self.rows(f"municipality_groups/{_ids(batch)}")
        ]

    def data(
        self, kpi_ids: Sequence[str], municipality_ids: Sequence[str], years: Sequence[int]
    ) -> list[ValueRecord]:
        records = []
        for kpi_batch in batches(kpi_ids):
            for municipality_batch in batches(municipality_ids):
                for year_batch in batches(years):
                    path = (
                        f"data/kpi/{_ids(kpi_batch)}/municipality/{_ids(municipality_batch)}"
                        f"/year/{_ids(year_batch)}"
                    )
                    for row in self.rows(path):
                        records.extend(parse_data_row(row, where=path))
        return records
