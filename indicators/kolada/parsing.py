"""Validate Kolada's JSON before anything is stored: a bad or truncated answer is refused whole.

Shapes (v3; v2 named the paging link `next_page`, accepted too):
  envelope  {"values": [...], "count": n, "next_url": url|null, "previous_url": url|null}
  kpi       {"id", "title", "description", "unit"?, "operating_area", "is_divided_by_gender",
             "municipality_type", "prel_publication_date", "publication_date", "publ_period"}
  municipality {"id", "title", "type"}
  group     {"id", "title", "members": [{"member_id", "member_title"}]}
  data row  {"kpi", "municipality", "period", "values": [{"gender", "count", "status",
             "value", "isdeleted"}]}
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from indicators.kolada.errors import KoladaBadResponse

GENDERS = ("T", "K", "M")
DELETED_STATUS = "Borttaget"
VALUE_PLACES = Decimal("0.000001")
VALUE_LIMIT = Decimal("1e14")  # KoladaValue.value has 20 digits, 6 of them decimals


@dataclass(frozen=True)
class Page:
    values: list[Any]
    count: int
    next_url: str | None


@dataclass(frozen=True)
class KpiRecord:
    id: str
    title: str
    description: str
    unit: str
    operating_area: str
    is_divided_by_gender: bool
    municipality_type: str
    prel_publication_date: datetime.date | None
    publication_date: datetime.date | None
    publ_period: str


@dataclass(frozen=True)
class MunicipalityRecord:
    id: str
    title: str
    type: str


@dataclass(frozen=True)
class GroupRecord:
    id: str
    title: str
    members: tuple[MunicipalityRecord, ...]


@dataclass(frozen=True)
class ValueRecord:
    kpi: str
    municipality: str
    year: int
    gender: str
    value: Decimal | None
    status: str
    count: int


def _refuse(where: str, problem: str) -> KoladaBadResponse:
    return KoladaBadResponse(f"Kolada gav ett svar som inte kan användas ({where}): {problem}")


def parse_page(raw: bytes, *, where: str) -> Page:
    """One page of any list: JSON, an object with a `values` list and a whole-number `count`."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise _refuse(where, f"ogiltig JSON ({error})") from None
    if not isinstance(document, dict):
        raise _refuse(where, "svaret är inte ett JSON-objekt")
    if "error" in document and "values" not in document:
        raise _refuse(where, f"Kolada svarade med ett fel: {document['error']}")
    values = document.get("values")
    if not isinstance(values, list):
        raise _refuse(where, "nyckeln values saknas eller är inte en lista")
    count = document.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _refuse(where, "nyckeln count saknas eller är inte ett heltal")
    next_url = document.get("next_url", document.get("next_page"))
    if next_url is not None and (not isinstance(next_url, str) or not next_url.strip()):
        raise _refuse(where, "länken till nästa sida är inte en adress")
    return Page(values=values, count=count, next_url=next_url or None)


def check_counts(pages: list[Page], *, where: str) -> None:
    """Each page's `count` is its own length or the total over all pages; else rows are lost."""
    total = sum(len(page.values) for page in pages)
    for page in pages:
        if page.count not in (len(page.values), total):
            raise _refuse(
                where,
                f"count säger {page.count} men svaret har {len(page.values)} rader på sidan "
                f"och {total} totalt (avkortat svar?)",
            )


def _object(row: Any, where: str) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise _refuse(where, "en rad är inte ett JSON-objekt")
    return row


def _text(row: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    if key not in row or row[key] is None:
        if required:
            raise _refuse(where, f"nyckeln {key} saknas")
        return ""
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _refuse(where, f"{key} är inte en text")
    text = str(value).strip()
    if required and not text:
        raise _refuse(where, f"{key} är tom")
    return text


def _date(row: dict[str, Any], key: str, where: str) -> datetime.date | None:
    value = row.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _refuse(where, f"{key} är inte ett datum")
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise _refuse(where, f"{key} är inte ett datum: {value!r}") from None


def _flag(row: dict[str, Any], key: str, where: str) -> bool:
    value = row.get(key, False)
    if value is None:
        return False
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise _refuse(where, f"{key} är inte sant/falskt")


def parse_kpi(row: Any, *, where: str) -> KpiRecord:
    row = _object(row, where)
    kpi_id = _text(row, "id", where)
    where = f"{where}, nyckeltal {kpi_id}"
    return KpiRecord(
        id=kpi_id,
        title=_text(row, "title", where),
        description=_text(row, "description", where, required=False),
        unit=_text(row, "unit", where, required=False),
        operating_area=_text(row, "operating_area", where, required=False),
        is_divided_by_gender=_flag(row, "is_divided_by_gender", where),
        municipality_type=_text(row, "municipality_type", where, required=False),
        prel_publication_date=_date(row, "prel_publication_date", where),
        publication_date=_date(row, "publication_date", where),
        publ_period=_text(row, "publ_period", where, required=False),
    )


def parse_municipality(row: Any, *, where: str) -> MunicipalityRecord:
    row = _object(row, where)
    return MunicipalityRecord(
        id=_text(row, "id", where),
        title=_text(row, "title", where),
        type=_text(row, "type", where, required=False),
    )


def parse_group(row: Any, *, where: str) -> GroupRecord:
    row = _object(row, where)
    group_id = _text(row, "id", where)
    where = f"{where}, grupp {group_id}"
    members = row.get("members")
    if not isinstance(members, list):
        raise _refuse(where, "nyckeln members saknas eller är inte en lista")
    parsed = []
    for member in members:
        member = _object(member, where)
        parsed.append(
            MunicipalityRecord(
                id=_text(member, "member_id", where),
                title=_text(member, "member_title", where),
                type="",
            )
        )
    return GroupRecord(id=group_id, title=_text(row, "title", where), members=tuple(parsed))


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(where, f"värdet {value!r} är inte ett tal")
    try:
        number = Decimal(str(value)).quantize(VALUE_PLACES)
    except InvalidOperation:
        raise _refuse(where, f"värdet {value!r} är inte ett tal") from None
    if not number.is_finite() or abs(number) >= VALUE_LIMIT:
        raise _refuse(where, f"värdet {value!r} är för stort")
    return number


def parse_data_row(row: Any, *, where: str) -> list[ValueRecord]:
    """One KPI, municipality and year with a value per gender; a deleted value has none."""
    row = _object(row, where)
    kpi = _text(row, "kpi", where)
    municipality = _text(row, "municipality", where)
    period = row.get("period")
    if isinstance(period, str) and period.isdigit():
        period = int(period)
    if isinstance(period, bool) or not isinstance(period, int) or not 1900 <= period <= 2200:
        raise _refuse(where, f"period {period!r} är inte ett år")
    where = f"{where}, {kpi} {municipality} {period}"
    values = row.get("values")
    if not isinstance(values, list):
        raise _refuse(where, "nyckeln values saknas eller är inte en lista")
    records = []
    for item in values:
        item = _object(item, where)
        gender = item.get("gender")
        if gender not in GENDERS:
            raise _refuse(where, f"kön {gender!r} är inte T, K eller M")
        count = item.get("count", 1)
        if count is None:
            count = 0
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _refuse(where, f"antal {count!r} är inte ett heltal")
        status = item.get("status") or ""
        if not isinstance(status, str) or len(status) > 40:
            raise _refuse(where, f"status {status!r} är inte en kort text")
        value = _decimal(item.get("value"), where)
        if _flag(item, "isdeleted", where):
            value, status = None, DELETED_STATUS
        records.append(
            ValueRecord(
                kpi=kpi,
                municipality=municipality,
                year=period,
                gender=gender,
                value=value,
                status=status,
                count=count,
            )
        )
    return records
