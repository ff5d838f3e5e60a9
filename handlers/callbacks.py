"""Callback data of every inline button (aiogram CallbackData factories).

Prefixes are two letters and values are short ids or names, so a packed button
stays far below Telegram's 64-byte limit (tests pack the longest values).
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A row id as SQLite can hold it: a forged button with a larger number is simply not ours.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class TopicToggle(CallbackData, prefix="tt"):
    """Follow or stop following a catalogue topic (/topics)."""

    topic_id: RowId


class TopicDrop(CallbackData, prefix="td"):
    """Stop following one of the chat's topics (/unsubscribe)."""

    topic_id: RowId


class ZonePick(CallbackData, prefix="tz"):
    """Choose a time zone (/timezone); the IANA name itself, at most 32 bytes."""

    zone: Annotated[str, Field(min_length=1, max_length=32)]


class LengthPick(CallbackData, prefix="ln"):
    """Choose how many sentences each summary has (/length)."""

    length: Annotated[int, Field(ge=1, le=5)]


class LanguagePick(CallbackData, prefix="lg"):
    """Choose the bot's language (/language)."""

    language: Annotated[str, Field(min_length=2, max_length=2)]


class OwnSourceDrop(CallbackData, prefix="sd"):
    """Remove one of the chat's own sources (/sources, /removesource)."""

    source_id: RowId


class OwnSourceFollow(CallbackData, prefix="sf"):
    """Follow everything from one of the chat's own sources as a topic (/sources, /addsource)."""

    source_id: RowId


class LinkAsSource(CallbackData, prefix="sl"):
    """Add the link a summary is about as the chat's source (the button under a summary).

    A URL does not fit in 64 bytes: the link is read back from the summary message itself,
    and `digest` (handlers.summary.link_digest) checks it is the link the button was made for.
    """

    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]
