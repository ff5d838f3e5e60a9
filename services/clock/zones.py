"""Time zones and digest times: the one place that reads them.

Two kinds of reading live here, and only here:
- strict, for what a person or the operator types now (`parse_clock_time`,
  `check_timezone`, `find_timezone`): a bad value is refused with ValueError or None,
  so it is never stored;
- tolerant, for what is already stored (`zone_of`, `clock_time_of`): a row edited by
  hand, or a zone tzdata has since dropped, must not stop a digest or a reply, so it
  is read as UTC (a time as 09:00) with one warning per distinct value.

People type "asia/almaty", "Almaty" or "utc"; zoneinfo wants "Asia/Almaty" and "UTC".
`find_timezone` maps what was typed to the exact IANA name, or says it found none.
"""

from __future__ import annotations

import logging
import re
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

log = logging.getLogger(__name__)

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
FALLBACK_ZONE = "UTC"
DEFAULT_DIGEST_TIME = time(9, 0)
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")
_ZONE_HINT = "expected an IANA time zone such as Asia/Almaty"


def parse_clock_time(value: str) -> time:
    """Parse `9`, `09:00`, `9:30` or `21.15` into a time of day; raise ValueError otherwise."""
    match = _TIME.match(value)
    if not match:
        raise ValueError("expected HH:MM, e.g. 09:00")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError("expected HH:MM with hours 0-23 and minutes 0-59, e.g. 09:00")
    return time(hour, minute)


def _open_zone(name: str) -> ZoneInfo:
    """The zone called exactly `name`; ValueError for anything zoneinfo cannot open."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise ValueError(_ZONE_HINT)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(_ZONE_HINT) from exc


def check_timezone(value: str) -> str:
    """Return the IANA name if zoneinfo knows it; raise ValueError otherwise."""
    name = value.strip()
    _open_zone(name)
    return name


@lru_cache(maxsize=1024)
def zone_of(name: str) -> ZoneInfo:
    """A stored zone name opened; one zoneinfo does not know is read as UTC, with a warning,
    so that person's digest still comes and their settings replies still answer."""
    try:
        return _open_zone(name)
    except ValueError:
        log.warning("unknown time zone %r, using %s", name, FALLBACK_ZONE)
        return ZoneInfo(FALLBACK_ZONE)


@lru_cache(maxsize=2048)
def clock_time_of(text: str) -> time:
    """A stored "HH:MM" as a time; anything else is the default 09:00, with a warning."""
    try:
        return parse_clock_time(text)
    except ValueError:
        log.warning("malformed digest time %r, using 09:00", text)
        return DEFAULT_DIGEST_TIME


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
