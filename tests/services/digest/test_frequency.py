"""How people say how often, when quiet hours are, and which day is the weekly one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.digest.frequency import (
    hour_start,
    is_quiet,
    parse_frequency,
    parse_quiet_hours,
    parse_weekday,
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("realtime", "realtime"), ("Daily", "daily"), (" weekly ", "weekly"), ("hourly", None)],
)
def test_frequency_words(typed: str, meant: str | None) -> None:
    assert parse_frequency(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("mon", 0), ("SUN", 6), ("пятница", 4), ("сб", 5), ("жексенбі", 6), ("someday", None)],
)
def test_weekday_words_in_three_languages(typed: str, meant: int | None) -> None:
    assert parse_weekday(typed) == meant


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("23-07", "23-07"),
        ("22:00–06:00", "22-06"),
        ("1-5", "01-05"),
        ("off", "off"),
        ("08-08", None),
        ("25-07", None),
        ("23:30-07", None),
        ("evening", None),
    ],
)
def test_quiet_hours_as_typed(typed: str, stored: str | None) -> None:
    assert parse_quiet_hours(typed) == stored


def test_quiet_hours_over_midnight_are_read_on_the_chats_clock() -> None:
    # 18:30 UTC is 23:30 in Almaty (UTC+5) and 19:30 in London (BST from 29 March)
    evening = datetime(2026, 4, 1, 18, 30, tzinfo=UTC)
    assert is_quiet("23-07", evening, "Asia/Almaty")
    assert not is_quiet("23-07", evening, "Europe/London")
    assert is_quiet("23-07", datetime(2026, 4, 1, 1, 59, tzinfo=UTC), "Asia/Almaty")  # 06:59
    assert not is_quiet("23-07", datetime(2026, 4, 1, 2, 0, tzinfo=UTC), "Asia/Almaty")  # 07:00
    assert is_quiet("13-15", datetime(2026, 4, 1, 8, 0, tzinfo=UTC), "Asia/Almaty")
    assert not is_quiet("off", evening, "Asia/Almaty")


def test_the_hour_begins_on_the_chats_clock_in_a_half_hour_zone() -> None:
    now = datetime(2026, 4, 1, 5, 10, tzinfo=UTC)  # 10:40 in Kolkata (UTC+5:30)
    assert hour_start(now, "Asia/Kolkata") == datetime(2026, 4, 1, 4, 30, tzinfo=UTC)
