"""The words people use to say how often, and when quiet hours and the weekly day fall.

Pure functions over local time (zoneinfo), so the realtime pass, the weekly digest and
the handlers read `/frequency`, `/quiet` and `/weekday` the one same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.clock.zones import zone_of
from services.storage.frequencies import FREQUENCIES, QUIET_OFF, Frequency

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# What people type besides the English codes: Russian and Kazakh short and full names.
_WEEKDAY_WORDS: dict[str, int] = {
    **{word: number for number, word in enumerate(WEEKDAYS)},
    **{
        word: number
        for number, words in enumerate(
            (
                ("пн", "понедельник", "дс", "дүйсенбі", "monday"),
                ("вт", "вторник", "сс", "сейсенбі", "tuesday"),
                ("ср", "среда", "ср", "сәрсенбі", "wednesday"),
                ("чт", "четверг", "бс", "бейсенбі", "thursday"),
                ("пт", "пятница", "жм", "жұма", "friday"),
                ("сб", "суббота", "сн", "сенбі", "saturday"),
                ("вс", "воскресенье", "жс", "жексенбі", "sunday"),
            )
        )
        for word in words
    },
}


def parse_frequency(text: str) -> Frequency | None:
    """'realtime', 'daily' or 'weekly' (any case), else None."""
    word = text.strip().casefold()
    return next((f for f in FREQUENCIES if f == word), None)


def parse_weekday(text: str) -> int | None:
    """'mon'…'sun' (or the day's name in ru, en, kk) as 0…6, else None."""
    return _WEEKDAY_WORDS.get(text.strip().casefold().rstrip("."))


def parse_quiet_hours(text: str) -> str | None:
    """'23-07' (hours, also '23:00-07:00' or with an en dash) normalised, 'off', else None.

    Equal hours ('08-08') say nothing and are refused.
    """
    cleaned = text.strip().casefold().replace("–", "-").replace("—", "-").replace(" ", "")
    if cleaned in (QUIET_OFF, "нет", "выкл", "жоқ"):
        return QUIET_OFF
    start, dash, end = cleaned.partition("-")
    if not dash:
        return None
    hours = [_hour(start), _hour(end)]
    if hours[0] is None or hours[1] is None or hours[0] == hours[1]:
        return None
    return f"{hours[0]:02d}-{hours[1]:02d}"


def _hour(text: str) -> int | None:
    whole, _, minutes = text.partition(":")
    if not whole.isdigit() or minutes not in ("", "0", "00"):
        return None
    hour = int(whole)
    return hour if 0 <= hour <= 23 else None


def quiet_bounds(quiet_hours: str) -> tuple[int, int] | None:
    """The stored '23-07' as (23, 7); None when off."""
    if quiet_hours == QUIET_OFF:
        return None
    start, _, end = quiet_hours.partition("-")
    return int(start), int(end)


def is_quiet(quiet_hours: str, now: datetime, timezone: str) -> bool:
    """Whether `now` falls in the quiet hours, read on the chat's local clock."""
    bounds = quiet_bounds(quiet_hours)
    if bounds is None:
        return False
    hour = now.astimezone(zone_of(timezone)).hour
    start, end = bounds
    return start <= hour < end if start < end else hour >= start or hour < end


def hour_start(now: datetime, timezone: str) -> datetime:
    """The UTC moment the chat's current local hour began (half-hour zones included)."""
    local = now.astimezone(zone_of(timezone))
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def local_hour_key(now: datetime, timezone: str) -> str:
    """'2026-03-20T07' on the chat's clock: names the hour a batch belongs to."""
    return now.astimezone(zone_of(timezone)).strftime("%Y-%m-%dT%H")
