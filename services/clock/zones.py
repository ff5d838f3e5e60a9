"""Time zones people pick: the audience's common ones and a forgiving lookup of IANA names.

People type "asia/almaty", "Almaty" or "utc"; zoneinfo wants "Asia/Almaty" and "UTC".
The lookup maps what was typed to the exact IANA name, or says it found none.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

COMMON_ZONES: tuple[str, ...] = (
    "Asia/Almaty",
    "Asia/Aqtobe",
    "Europe/Moscow",
    "Asia/Tashkent",
    "Asia/Bishkek",
    "Europe/Samara",
    "UTC",
)
NAME_LIMIT = 64  # longer than any IANA name


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, list[str]]]:
    by_lower: dict[str, str] = {}
    by_city: dict[str, list[str]] = {}
    for name in sorted(available_timezones()):
        by_lower[name.lower()] = name
        if "/" in name:
            by_city.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    return by_lower, by_city


def find_timezone(text: str) -> str | None:
    """The IANA name meant by `text` (any case; a city alone when unambiguous), else None."""
    typed = text.strip().replace(" ", "_")
    if not typed or len(typed) > NAME_LIMIT:
        return None
    by_lower, by_city = _names()
    exact = by_lower.get(typed.lower())
    if exact is not None:
        return exact
    matches = by_city.get(typed.lower(), [])
    return matches[0] if len(matches) == 1 else None
