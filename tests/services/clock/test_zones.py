"""Finding the IANA zone a person meant."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from services.clock.zones import COMMON_ZONES, find_timezone


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
