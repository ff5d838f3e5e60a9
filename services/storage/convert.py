"""Conversions between Python values and their SQLite text form."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


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
    parsed = datetime.fromisoformat(str(value))
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
    loaded = json.loads(value)
    return [str(item) for item in loaded] if isinstance(loaded, list) else None
