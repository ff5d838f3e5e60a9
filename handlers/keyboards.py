"""Inline keyboards; a ✓ marks what the chat has chosen.

Markups are built from rows of buttons directly: aiogram's InlineKeyboardBuilder
deep-copies every button on each add, which made /topics cost milliseconds of CPU.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import LanguagePick, LengthPick, TopicDrop, TopicToggle, ZonePick
from services.storage.models import Topic
from services.text.html import clip
from services.text.i18n import LANGUAGES, language_name

CHECK = "✓ "
BUTTON_TEXT_LIMIT = 60
KEYBOARD_LIMIT = 100  # buttons Telegram accepts in one keyboard
LENGTHS = range(1, 6)


def _mark(text: str, chosen: bool) -> str:
    return (CHECK if chosen else "") + clip(text, BUTTON_TEXT_LIMIT)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _rows(buttons: list[InlineKeyboardButton], width: int) -> InlineKeyboardMarkup:
    """The buttons `width` to a row, the last row holding what is left."""
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[start : start + width] for start in range(0, len(buttons), width)]
    )


def topic_title(topic: Topic, language: str) -> str:
    """A catalogue topic's title in the language, or a personal topic's query."""
    return topic.title(language) if topic.is_catalogue else topic.query


def catalogue_keyboard(
    catalogue: Sequence[Topic], subscribed: Iterable[int], language: str
) -> InlineKeyboardMarkup:
    """One button per catalogue topic; tapping toggles the subscription."""
    chosen = set(subscribed)
    buttons = [
        _button(_mark(topic.title(language), topic.id in chosen), TopicToggle(topic_id=topic.id))
        for topic in catalogue[:KEYBOARD_LIMIT]
    ]
    return _rows(buttons, 1)


def unsubscribe_keyboard(topics: Sequence[Topic], language: str) -> InlineKeyboardMarkup:
    """One button per topic the chat follows; tapping stops following it."""
    buttons = [
        _button(
            "✕ " + clip(topic_title(topic, language), BUTTON_TEXT_LIMIT),
            TopicDrop(topic_id=topic.id),
        )
        for topic in topics[:KEYBOARD_LIMIT]
    ]
    return _rows(buttons, 1)


def timezone_keyboard(zones: Sequence[str], current: str) -> InlineKeyboardMarkup:
    buttons = [_button(_mark(zone, zone == current), ZonePick(zone=zone)) for zone in zones]
    return _rows(buttons, 2)


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
    buttons = [
        _button(
            _mark(language_name(language), language == current), LanguagePick(language=language)
        )
        for language in LANGUAGES
    ]
    return _rows(buttons, 3)
