"""Digest settings: /time, /timezone, /length, /language, /pause, /resume.

Each command without an argument shows the current value and how to change it
(a keyboard where the choice is short); a bad value gets an example of a good one.
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import LanguagePick, LengthPick, ZonePick
from handlers.keyboards import LENGTHS, language_keyboard, length_keyboard, timezone_keyboard
from handlers.replies import fill
from handlers.when import next_digest_label
from services.clock.clocks import Clock
from services.clock.zones import COMMON_ZONES, find_timezone, parse_clock_time
from services.digest.schedule import DigestSchedule
from services.storage import SubscriberRepository
from services.storage.models import Language, Subscriber
from services.text.i18n import LANGUAGES, language_name, language_of_word

ADMIN = {"admin": True}


def build_router() -> Router:
    router = Router(name="settings")
    router.message.register(set_time, Command("time"), flags=ADMIN)
    router.message.register(set_timezone, Command("timezone"), flags=ADMIN)
    router.callback_query.register(pick_timezone, ZonePick.filter(), flags=ADMIN)
    router.message.register(set_length, Command("length"), flags=ADMIN)
    router.callback_query.register(pick_length, LengthPick.filter(), flags=ADMIN)
    router.message.register(set_language, Command("language"), flags=ADMIN)
    router.callback_query.register(pick_language, LanguagePick.filter(), flags=ADMIN)
    router.message.register(pause, Command("pause"), flags=ADMIN)
    router.message.register(resume, Command("resume"), flags=ADMIN)
    return router


async def _edit(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the keyboard message's text; an unchanged or too old message is left as it is."""
    if isinstance(callback.message, Message):
        with suppress(TelegramBadRequest):
            await callback.message.edit_text(text, reply_markup=markup)


async def _schedule_line(schedule: DigestSchedule, subscriber: Subscriber, clock: Clock) -> str:
    return fill(
        _("Next digest: {when}."),
        when=await next_digest_label(schedule, subscriber, clock.now()),
    )


async def set_time(
    message: Message,
    *,
    command: CommandObject,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    schedule: DigestSchedule,
    clock: Clock,
) -> None:
    examples = _(
        "Examples: <code>/time 9</code>, <code>/time 09:30</code>, <code>/time 21.15</code>"
    )
    if not command.args:
        await message.answer(
            fill(
                _("Your digest comes every day at {time} ({timezone})."),
                time=subscriber.digest_time,
                timezone=subscriber.timezone,
            )
            + "\n"
            + _("To change it, send the time after the command.")
            + " "
            + examples
        )
        return
    try:
        at = parse_clock_time(command.args)
    except ValueError:
        await message.answer(
            fill(_("I could not read “{text}” as a time of day."), text=command.args)
            + " "
            + examples
        )
        return
    updated = await subscribers.update(subscriber.chat_id, digest_time=at.strftime("%H:%M"))
    assert updated is not None
    await message.answer(
        fill(
            _("Done: the digest will come every day at {time} ({timezone})."),
            time=updated.digest_time,
            timezone=updated.timezone,
        )
        + "\n"
        + await _schedule_line(schedule, updated, clock)
    )


async def set_timezone(
    message: Message,
    *,
    command: CommandObject,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    schedule: DigestSchedule,
    clock: Clock,
) -> None:
    if not command.args:
        await message.answer(
            fill(_("Your time zone: {zone}."), zone=subscriber.timezone)
            + "\n"
            + _(
                "Choose one below or send its name after the command, e.g. "
                "<code>/timezone Europe/Berlin</code>."
            ),
            reply_markup=timezone_keyboard(COMMON_ZONES, subscriber.timezone),
        )
        return
    zone = find_timezone(command.args)
    if zone is None:
        await message.answer(
            fill(_("I do not know the time zone “{text}”."), text=command.args)
            + " "
            + _(
                "Use a name such as <code>Asia/Almaty</code> or <code>Europe/Moscow</code>, "
                "or choose one below."
            ),
            reply_markup=timezone_keyboard(COMMON_ZONES, subscriber.timezone),
        )
        return
    await message.answer(await _apply_timezone(subscriber, zone, subscribers, schedule, clock))


async def pick_timezone(
    callback: CallbackQuery,
    *,
    callback_data: ZonePick,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    schedule: DigestSchedule,
    clock: Clock,
) -> None:
    zone = find_timezone(callback_data.zone)
    if zone is None:
        await callback.answer(_("This button is out of date: send /timezone again."))
        return
    text = await _apply_timezone(subscriber, zone, subscribers, schedule, clock)
    await callback.answer(fill(_("Time zone: {zone}"), zone=zone))
    await _edit(callback, text, timezone_keyboard(COMMON_ZONES, zone))


async def _apply_timezone(
    current: Subscriber,
    zone: str,
    subscribers: SubscriberRepository,
    schedule: DigestSchedule,
    clock: Clock,
) -> str:
    updated = await subscribers.update(current.chat_id, timezone=zone)
    assert updated is not None
    return (
        fill(
            _("Time zone set: {zone}. The digest comes every day at {time} local time."),
            zone=zone,
            time=updated.digest_time,
        )
        + "\n"
        + await _schedule_line(schedule, updated, clock)
    )


async def set_length(
    message: Message,
    *,
    command: CommandObject,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
) -> None:
    args = (command.args or "").strip()
    if args.isdecimal() and len(args) <= 2 and int(args) in LENGTHS:
        updated = await subscribers.update(subscriber.chat_id, digest_length=int(args))
        assert updated is not None
        await message.answer(_length_text(updated.digest_length))
        return
    prefix = fill(_("“{text}” is not a length I know."), text=args) + " " if args else ""
    await message.answer(
        prefix
        + fill(
            ngettext(
                "Each story is summarised in {count} sentence now.",
                "Each story is summarised in {count} sentences now.",
                subscriber.digest_length,
            ),
            count=subscriber.digest_length,
        )
        + "\n"
        + _("Choose from 1 to 5 below, or send e.g. <code>/length 2</code>."),
        reply_markup=length_keyboard(subscriber.digest_length),
    )


def _length_text(length: int) -> str:
    return fill(
        ngettext(
            "Done: each story will be summarised in {count} sentence.",
            "Done: each story will be summarised in {count} sentences.",
            length,
        ),
        count=length,
    )


async def pick_length(
    callback: CallbackQuery,
    *,
    callback_data: LengthPick,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
) -> None:
    if callback_data.length not in LENGTHS:
        await callback.answer(_("This button is out of date: send /length again."))
        return
    await subscribers.update(subscriber.chat_id, digest_length=callback_data.length)
    text = _length_text(callback_data.length)
    await callback.answer(text)
    await _edit(callback, text, length_keyboard(callback_data.length))


async def set_language(
    message: Message,
    *,
    command: CommandObject,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    i18n: I18n,
) -> None:
    args = (command.args or "").strip()
    language = language_of_word(args)
    if language is None:
        prefix = (
            fill(_("I do not know the language “{text}”."), text=command.args or "") + " "
            if args
            else ""
        )
        await message.answer(
            prefix + _("Choose the language of the bot:"),
            reply_markup=language_keyboard(subscriber.language),
        )
        return
    await subscribers.update(subscriber.chat_id, language=language)
    with i18n.use_locale(language):
        await message.answer(_language_text(language))


def _language_text(language: Language) -> str:
    return fill(_("Done: I will speak {language}."), language=language_name(language))


async def pick_language(
    callback: CallbackQuery,
    *,
    callback_data: LanguagePick,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    i18n: I18n,
) -> None:
    language = next((code for code in LANGUAGES if code == callback_data.language), None)
    if language is None:
        await callback.answer(_("This button is out of date: send /language again."))
        return
    await subscribers.update(subscriber.chat_id, language=language)
    with i18n.use_locale(language):
        text = _language_text(language)
        await callback.answer(text)
        await _edit(callback, text, language_keyboard(language))


async def pause(
    message: Message,
    *,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
) -> None:
    if subscriber.paused:
        await message.answer(_("The digest is already paused. /resume turns it back on."))
        return
    await subscribers.update(subscriber.chat_id, paused=True)
    await message.answer(
        _("The daily digest is paused; your topics are kept. /resume turns it back on.")
    )


async def resume(
    message: Message,
    *,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    schedule: DigestSchedule,
    clock: Clock,
) -> None:
    updated = await subscribers.update(subscriber.chat_id, paused=False)
    assert updated is not None
    first = (
        _("The daily digest is on again.") if subscriber.paused else _("The daily digest is on.")
    )
    await message.answer(first + "\n" + await _schedule_line(schedule, updated, clock))
