"""Every button's callback data fits Telegram's 64 bytes, even with the largest values."""

from __future__ import annotations

from zoneinfo import available_timezones

from handlers.callbacks import LanguagePick, LengthPick, TopicDrop, TopicToggle, ZonePick

BIGGEST_ID = 2**63 - 1  # SQLite's largest rowid


def test_topic_buttons_fit_with_the_largest_id() -> None:
    for data in (TopicToggle(topic_id=BIGGEST_ID), TopicDrop(topic_id=BIGGEST_ID)):
        assert len(data.pack().encode()) <= 64


def test_zone_buttons_fit_for_every_iana_zone() -> None:
    longest = max(available_timezones(), key=len)

    assert len(ZonePick(zone=longest).pack().encode()) <= 64


def test_choice_buttons_round_trip() -> None:
    for data in (LengthPick(length=5), LanguagePick(language="kk"), ZonePick(zone="Asia/Almaty")):
        assert type(data).unpack(data.pack()) == data
