"""How often: /frequency N realtime|daily|weekly, the buttons under /mytopics, /quiet and
/weekday.

N is the topic's number in /mytopics (the order topics were followed in). Weekdays are
typed as `mon`…`sun` or their Russian and Kazakh names, and shown in the reader's language. Realtime
alerts wait out the quiet hours (23–07 unless set) and weekly digests come on the
chosen weekday at the digest time.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Literal

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from babel.dates import get_day_names
from pydantic import Field

from handlers.callbacks import RowId
from handlers.keyboards import topic_title
from handlers.replies import fill, quote
from services.digest.frequency import parse_frequency, parse_quiet_hours, parse_weekday
from services.storage import SubscriptionRepository
from services.storage.frequencies import (
    QUIET_OFF,
    Frequency,
    FrequencyRepository,
    PreferenceRepository,
)
from services.storage.models import Subscriber, Topic

ADMIN = {"admin": True}
TITLE_LIMIT = 80
BUTTON_TOPICS = 10  # topics with a button row under /mytopics
MARK = "✓ "


class FrequencyPick(CallbackData, prefix="fq"):
    """Choose how often one followed topic comes (/mytopics)."""

    topic_id: RowId
    frequency: Annotated[Literal["realtime", "daily", "weekly"], Field()]


def build_router() -> Router:
    router = Router(name="frequency")
    router.message.register(set_frequency, Command("frequency"), flags=ADMIN)
    router.callback_query.register(pick_frequency, FrequencyPick.filter(), flags=ADMIN)
    router.message.register(set_quiet, Command("quiet"), flags=ADMIN)
    router.message.register(set_weekday, Command("weekday"), flags=ADMIN)
    return router


def frequency_name(frequency: Frequency) -> str:
    names = {"realtime": _("as it happens"), "daily": _("daily"), "weekly": _("weekly")}
    return names[frequency]


def frequency_keyboard(
    followed: list[Topic], chosen: dict[int, Frequency]
) -> InlineKeyboardMarkup | None:
    """A row per topic: its number and the three choices, the current one ticked."""
    rows = []
    for number, topic in enumerate(followed[:BUTTON_TOPICS], 1):
        current = chosen.get(topic.id, "daily")
        rows.append(
            [
                InlineKeyboardButton(
                    text=f"{number}. {MARK if frequency == current else ''}"
                    f"{frequency_name(frequency)}",
                    callback_data=FrequencyPick(topic_id=topic.id, frequency=frequency).pack(),
                )
                for frequency in ("realtime", "daily", "weekly")
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _confirmation(topic: Topic, frequency: Frequency, language: str) -> str:
    name = quote(topic_title(topic, language), TITLE_LIMIT)
    texts = {
        "realtime": _("{topic}: now as it happens, one message per new story."),
        "daily": _("{topic}: now in the daily digest."),
        "weekly": _("{topic}: now in the weekly digest."),
    }
    return fill(texts[frequency], topic=name)


async def set_frequency(
    message: Message,
    *,
    command: CommandObject,
    language: str,
    subscriber: Subscriber,
    subscriptions: SubscriptionRepository,
    frequencies: FrequencyRepository,
) -> None:
    usage = _(
        "Send the topic's number from /mytopics and how often:"
        " <code>/frequency 1 realtime</code>, <code>daily</code> or <code>weekly</code>."
    )
    words = (command.args or "").split()
    if len(words) != 2 or not words[0].isdigit():
        await message.answer(usage)
        return
    followed = await subscriptions.topics_of(subscriber.chat_id)
    number = int(words[0])
    if not 1 <= number <= len(followed):
        await message.answer(
            fill(_("There is no topic number {number} in /mytopics."), number=number) + "\n" + usage
        )
        return
    frequency = parse_frequency(words[1])
    if frequency is None:
        await message.answer(
            fill(_("“{word}” is not a frequency I know."), word=quote(words[1], 40)) + "\n" + usage
        )
        return
    topic = followed[number - 1]
    await frequencies.set_frequency(subscriber.chat_id, topic.id, frequency)
    await message.answer(_confirmation(topic, frequency, language))


async def pick_frequency(
    callback: CallbackQuery,
    *,
    callback_data: FrequencyPick,
    language: str,
    subscriber: Subscriber,
    subscriptions: SubscriptionRepository,
    frequencies: FrequencyRepository,
) -> None:
    followed = await subscriptions.topics_of(subscriber.chat_id)
    topic = next((t for t in followed if t.id == callback_data.topic_id), None)
    if topic is None:
        await callback.answer(_("You no longer follow this topic."))
        return
    frequency: Frequency = callback_data.frequency
    await frequencies.set_frequency(subscriber.chat_id, topic.id, frequency)
    await callback.answer(fill(_("Now: {how}."), how=frequency_name(frequency)))
    if isinstance(callback.message, Message):
        markup = frequency_keyboard(followed, await frequencies.of_chat(subscriber.chat_id))
        with suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=markup)


async def set_quiet(
    message: Message,
    *,
    command: CommandObject,
    subscriber: Subscriber,
    preferences: PreferenceRepository,
) -> None:
    usage = _(
        "Alerts wait out the quiet hours and come as one message when they end."
        " Examples: <code>/quiet 23-07</code>, <code>/quiet off</code>"
    )
    if not command.args:
        current = (await preferences.get(subscriber.chat_id)).quiet_hours
        shown = _("off") if current == QUIET_OFF else current.replace("-", ":00–") + ":00"
        await message.answer(fill(_("Quiet hours: {hours}."), hours=shown) + "\n" + usage)
        return
    quiet = parse_quiet_hours(command.args)
    if quiet is None:
        await message.answer(
            fill(_("“{text}” is not a span of hours I know."), text=quote(command.args, 40))
            + "\n"
            + usage
        )
        return
    await preferences.set_quiet_hours(subscriber.chat_id, quiet)
    if quiet == QUIET_OFF:
        await message.answer(_("Quiet hours are off: alerts come at any hour."))
    else:
        start, end = quiet.split("-")
        await message.answer(
            fill(
                _("Quiet hours: {start}:00–{end}:00 ({timezone})."),
                start=start,
                end=end,
                timezone=subscriber.timezone,
            )
        )


def weekday_name(weekday: int, language: str) -> str:
    """The day's name in the reader's language (CLDR's, through Babel), 0 = Monday."""
    return str(get_day_names("wide", context="stand-alone", locale=language)[weekday])


async def set_weekday(
    message: Message,
    *,
    command: CommandObject,
    language: str,
    subscriber: Subscriber,
    preferences: PreferenceRepository,
) -> None:
    usage = _("Choose the day of the weekly digest: <code>/weekday mon</code> … <code>sun</code>")
    weekday = parse_weekday(command.args) if command.args else None
    if weekday is None:
        current = weekday_name((await preferences.get(subscriber.chat_id)).weekday, language)
        lead = (
            fill(_("“{text}” is not a day I know."), text=quote(command.args, 40))
            if command.args
            else fill(_("Weekly digests come on: {day}."), day=current)
        )
        await message.answer(lead + "\n" + usage)
        return
    await preferences.set_weekday(subscriber.chat_id, weekday)
    await message.answer(
        fill(
            _("Weekly digests now come on {day} at {time}."),
            day=weekday_name(weekday, language),
            time=subscriber.digest_time,
        )
    )
