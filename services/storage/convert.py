"""Conversions between Python values and their SQLite text form.

Reading is memoised on the stored text: a digest or a search reads the same few
hundred articles again and again, and parsing their summaries (JSON) and times (ISO
8601) was a fifth of the cost of turning rows into articles. Parsed values are immutable
(datetimes, tuples); a list handed out is always a fresh copy.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

PARSED_TIMES_KEPT = 65_536  # one entry is about 200 bytes
PARSED_SUMMARIES_KEPT = 8_192  # one entry is about the summary's size twice: a few MB in all


def to_db_time(value: datetime | None) -> str | None:
    """An aware datetime as ISO-8601 UTC text; naive datetimes are refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; use aware UTC times")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def from_db_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return _parse_time(str(value))


@lru_cache(maxsize=PARSED_TIMES_KEPT)
def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def required_time(value: Any) -> datetime:
    parsed = from_db_time(value)
    if parsed is None:
        raise ValueError("a required time column is empty")
    return parsed


def to_json_list(value: list[str] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def from_json_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    parsed = _parse_json_list(value if isinstance(value, str) else bytes(value).decode())
    return None if parsed is None else list(parsed)


@lru_cache(maxsize=PARSED_SUMMARIES_KEPT)
def _parse_json_list(text: str) -> tuple[str, ...] | None:
    loaded = json.loads(text)
    return tuple(str(item) for item in loaded) if isinstance(loaded, list) else None
