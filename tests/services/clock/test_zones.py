"""Zones and digest times: strict for what is typed, forgiving for what is stored."""

from __future__ import annotations

import logging
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from services.clock.zones import (
    COMMON_ZONES,
    check_timezone,
    clock_time_of,
    find_timezone,
    parse_clock_time,
    zone_of,
)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Asia/Almaty", "Asia/Almaty"),
        ("asia/almaty", "Asia/Almaty"),
        ("  Europe/Moscow ", "Europe/Moscow"),
        ("utc", "UTC"),
        ("Almaty", "Asia/Almaty"),
        ("new york", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_names_are_found_in_any_case_and_by_city(typed: str, zone: str) -> None:
    assert find_timezone(typed) == zone


@pytest.mark.parametrize(
    "typed", ["", "Mars/Olympus", "../etc/passwd", "+05:00", "x" * 5000, "Asia"]
)
def test_what_is_not_a_zone_is_not_found(typed: str) -> None:
    assert find_timezone(typed) is None


def test_common_zones_are_real_and_short_enough_for_a_button() -> None:
    for zone in COMMON_ZONES:
        ZoneInfo(zone)
        assert len(zone.encode()) <= 32


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9", time(9, 0)), ("09:30", time(9, 30)), ("21.15", time(21, 15)), (" 7:05 ", time(7, 5))],
)
def test_a_typed_digest_time_is_read_in_the_usual_ways(typed: str, expected: time) -> None:
    assert parse_clock_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "9:75", "noon", "", "9:5"])
def test_a_typed_digest_time_that_is_not_a_time_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock_time(typed)


def test_a_typed_zone_is_checked_strictly() -> None:
    assert check_timezone(" Asia/Almaty ") == "Asia/Almaty"
    for bad in ("Mars/Olympus", "../etc/passwd", "", "/etc/localtime"):
        with pytest.raises(ValueError, match="IANA"):
            check_timezone(bad)


def test_a_stored_zone_opens_as_itself() -> None:
    assert zone_of("Asia/Almaty") == ZoneInfo("Asia/Almaty")


def test_a_bogus_stored_zone_is_read_as_utc_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="services.clock.zones"):
        zones = [zone_of("Mars/Olympus-stored"), zone_of("Mars/Olympus-stored")]

    assert zones == [ZoneInfo("UTC"), ZoneInfo("UTC")]
    warnings = [r.getMessage() for r in caplog.records if "Mars/Olympus-stored" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize("stored", ["../../etc/passwd", "", "Asia/Almaty\x00"])
def test_a_stored_zone_that_is_not_even_a_name_is_read_as_utc(stored: str) -> None:
    assert zone_of(stored) == ZoneInfo("UTC")


def test_a_stored_digest_time_is_read_and_a_malformed_one_is_nine_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="services.clock.zones"):
        times = [clock_time_of("18:30"), clock_time_of("99:99"), clock_time_of("99:99")]

    assert times == [time(18, 30), time(9, 0), time(9, 0)]
    assert [r.getMessage() for r in caplog.records] == [
        "malformed digest time '99:99', using 09:00"
    ]
