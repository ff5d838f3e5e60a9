"""Inline keyboards; a ✓ marks what the chat has chosen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import LanguagePick, LengthPick, TopicDrop, TopicToggle, ZonePick
from handlers.replies import clip
from services.storage.models import LANGUAGES, Topic

CHECK = "✓ "
BUTTON_TEXT_LIMIT = 60
KEYBOARD_LIMIT = 100  # buttons Telegram accepts in one keyboard
LANGUAGE_NAMES = {"ru": "Русский", "en": "English", "kk": "Қазақша"}
LENGTHS = range(1, 6)


def _mark(text: str, chosen: bool) -> str:
    return (CHECK if chosen else "") + clip(text, BUTTON_TEXT_LIMIT)


def topic_title(topic: Topic, language: str) -> str:
    """A catalogue topic's title in the language, or a personal topic's query."""
    return topic.title(language) if topic.is_catalogue else topic.query


def catalogue_keyboard(
    catalogue: Sequence[Topic], subscribed: Iterable[int], language: str
) -> InlineKeyboardMarkup:
    """One button per catalogue topic; tapping toggles the subscription."""
    chosen = set(subscribed)
    builder = InlineKeyboardBuilder()
    for topic in catalogue[:KEYBOARD_LIMIT]:
        builder.button(
            text=_mark(topic.title(language), topic.id in chosen),
            callback_data=TopicToggle(topic_id=topic.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def unsubscribe_keyboard(topics: Sequence[Topic], language: str) -> InlineKeyboardMarkup:
    """One button per topic the chat follows; tapping stops following it."""
    builder = InlineKeyboardBuilder()
    for topic in topics[:KEYBOARD_LIMIT]:
        builder.button(
            text="✕ " + clip(topic_title(topic, language), BUTTON_TEXT_LIMIT),
            callback_data=TopicDrop(topic_id=topic.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def timezone_keyboard(zones: Sequence[str], current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for zone in zones:
        builder.button(text=_mark(zone, zone == current), callback_data=ZonePick(zone=zone))
    builder.adjust(2)
    return builder.as_markup()


def length_keyboard(current: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=_mark(str(length), length == current),
            callback_data=LengthPick(length=length).pack(),
        )
        for length in LENGTHS
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for language in LANGUAGES:
        builder.button(
            text=_mark(LANGUAGE_NAMES[language], language == current),
            callback_data=LanguagePick(language=language),
        )
    builder.adjust(3)
    return builder.as_markup()
