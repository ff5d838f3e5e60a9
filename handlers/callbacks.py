"""Callback data of every inline button (aiogram CallbackData factories).

Prefixes are two letters and values are short ids or names, so a packed button
stays far below Telegram's 64-byte limit (tests pack the longest values).
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class TopicToggle(CallbackData, prefix="tt"):
    """Follow or stop following a catalogue topic (/topics)."""

    topic_id: int


class TopicDrop(CallbackData, prefix="td"):
    """Stop following one of the chat's topics (/unsubscribe)."""

    topic_id: int


class ZonePick(CallbackData, prefix="tz"):
    """Choose a time zone (/timezone); the IANA name itself, at most 32 bytes."""

    zone: str


class LengthPick(CallbackData, prefix="ln"):
    """Choose how many sentences each summary has (/length)."""

    length: int


class LanguagePick(CallbackData, prefix="lg"):
    """Choose the bot's language (/language)."""

    language: str
