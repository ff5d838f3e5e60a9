"""The chat's topics: /topics (the catalogue), /unsubscribe and /mytopics.

Buttons edit the message they sit on and always answer the tap; a button whose
topic was removed from the catalogue since the message was sent says so politely.
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.callbacks import TopicDrop, TopicToggle
from handlers.frequency import frequency_keyboard, frequency_name
from handlers.keyboards import catalogue_keyboard, topic_title, unsubscribe_keyboard
from handlers.replies import fill, join_within, quote
from handlers.when import next_digest_label
from services.clock.clocks import Clock
from services.digest.schedule import DigestSchedule
from services.storage import SubscriptionRepository, TopicRepository
from services.storage.frequencies import FrequencyRepository
from services.storage.models import Subscriber, Topic

ADMIN = {"admin": True}
TITLE_LIMIT = 80  # characters of a topic shown in a list


def build_router() -> Router:
    router = Router(name="topics")
    router.message.register(show_catalogue, Command("topics"))
    router.callback_query.register(toggle_topic, TopicToggle.filter(), flags=ADMIN)
    router.message.register(unsubscribe, Command("unsubscribe"), flags=ADMIN)
    router.callback_query.register(drop_topic, TopicDrop.filter(), flags=ADMIN)
    router.message.register(my_topics, Command("mytopics"))
    return router


async def _edit_markup(callback: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    if isinstance(callback.message, Message):
        with suppress(TelegramBadRequest):  # unchanged, or too old to edit
            await callback.message.edit_reply_markup(reply_markup=markup)


async def show_catalogue(
    message: Message,
    *,
    language: str,
    known_subscriber: Subscriber | None,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> None:
    catalogue = await topics.catalogue()
    if not catalogue:
        await message.answer(
            _("The catalogue is empty for now. Follow your own query: /subscribe QUERY")
        )
        return
    followed = (
        {topic.id for topic in await subscriptions.topics_of(known_subscriber.chat_id)}
        if known_subscriber
        else set()
    )
    await message.answer(
        _(
            "<b>Topics</b>\nTap a topic to follow it, tap again to stop. ✓ marks the ones "
            "you follow. Your own query: /subscribe QUERY"
        ),
        reply_markup=catalogue_keyboard(catalogue, followed, language),
    )


async def toggle_topic(
    callback: CallbackQuery,
    callback_data: TopicToggle,
    *,
    language: str,
    subscriber: Subscriber,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> None:
    topic = await topics.get(callback_data.topic_id)
    catalogue = await topics.catalogue()
    if topic is None or not topic.is_catalogue:
        await callback.answer(
            _("Sorry, this topic is no longer in the catalogue."), show_alert=True
        )
    else:
        title = topic.title(language)
        if await subscriptions.is_subscribed(subscriber.chat_id, topic.id):
            await subscriptions.unsubscribe(subscriber.chat_id, topic.id)
            await callback.answer(fill(_("You no longer follow “{topic}”."), topic=title))
        else:
            await subscriptions.subscribe(subscriber.chat_id, topic.id)
            await callback.answer(fill(_("You follow “{topic}”."), topic=title))
    followed = {t.id for t in await subscriptions.topics_of(subscriber.chat_id)}
    await _edit_markup(callback, catalogue_keyboard(catalogue, followed, language))


def _matching_topic(followed: list[Topic], text: str, language: str) -> Topic | None:
    """The followed topic the user named: its query or its title, in any case and spacing."""
    wanted = " ".join(text.split()).casefold()
    for topic in followed:
        names = {topic.query, topic_title(topic, language), topic.title_ru, topic.title_en}
        if wanted in {" ".join(name.split()).casefold() for name in names}:
            return topic
    return None


async def unsubscribe(
    message: Message,
    command: CommandObject,
    *,
    language: str,
    known_subscriber: Subscriber | None,
    subscriptions: SubscriptionRepository,
) -> None:
    followed = await subscriptions.topics_of(known_subscriber.chat_id) if known_subscriber else []
    if not followed:
        await message.answer(
            _("You do not follow any topics. Choose some with /topics or /subscribe QUERY.")
        )
        return
    if command.args:
        topic = _matching_topic(followed, command.args, language)
        if topic is not None and known_subscriber is not None:
            await subscriptions.unsubscribe(known_subscriber.chat_id, topic.id)
            await message.answer(
                fill(_("You no longer follow “{topic}”."), topic=topic_title(topic, language))
            )
            return
        await message.answer(
            fill(_("You do not follow “{text}”."), text=command.args)
            + " "
            + _("Tap the topic to stop following it:"),
            reply_markup=unsubscribe_keyboard(followed, language),
        )
        return
    await message.answer(
        _("Tap the topic to stop following it:"),
        reply_markup=unsubscribe_keyboard(followed, language),
    )


async def drop_topic(
    callback: CallbackQuery,
    callback_data: TopicDrop,
    *,
    language: str,
    known_subscriber: Subscriber | None,
    subscriptions: SubscriptionRepository,
) -> None:
    if known_subscriber is None:
        await callback.answer(_("You do not follow any topics."))
        return
    followed = await subscriptions.topics_of(known_subscriber.chat_id)
    topic = next((t for t in followed if t.id == callback_data.topic_id), None)
    if topic is None:
        await callback.answer(_("You no longer follow this topic."))
    else:
        await subscriptions.unsubscribe(known_subscriber.chat_id, topic.id)
        followed.remove(topic)
        await callback.answer(
            fill(_("You no longer follow “{topic}”."), topic=topic_title(topic, language))
        )
    if followed:
        await _edit_markup(callback, unsubscribe_keyboard(followed, language))
    elif isinstance(callback.message, Message):
        with suppress(TelegramBadRequest):
            await callback.message.edit_text(
                _("You do not follow any topics now. Choose some with /topics.")
            )


async def my_topics(
    message: Message,
    *,
    language: str,
    subscriber: Subscriber,
    subscriptions: SubscriptionRepository,
    schedule: DigestSchedule,
    clock: Clock,
    frequencies: FrequencyRepository,
) -> None:
    followed = await subscriptions.topics_of(subscriber.chat_id)
    chosen = await frequencies.of_chat(subscriber.chat_id)
    lines: list[str] = []
    if followed:
        lines.append(_("<b>Your topics</b>"))
        for number, topic in enumerate(followed, 1):
            name = quote(topic_title(topic, language), TITLE_LIMIT)
            how = chosen.get(topic.id, "daily")
            suffix = "" if how == "daily" else f" · {frequency_name(how)}"
            if topic.is_catalogue:
                lines.append(f"{number}. {name}{suffix}")
            else:
                lines.append(f"{number}. " + fill(_("{query} (your query)"), query=name) + suffix)
    else:
        lines.append(
            _("You do not follow any topics yet: choose them with /topics or /subscribe QUERY.")
        )
    settings_lines = [
        "",
        fill(
            _("Digest: every day at {time} ({timezone})"),
            time=subscriber.digest_time,
            timezone=subscriber.timezone,
        ),
        fill(
            ngettext(
                "Summaries: {count} sentence per story",
                "Summaries: {count} sentences per story",
                subscriber.digest_length,
            ),
            count=subscriber.digest_length,
        ),
        fill(
            _("Next digest: {when}"),
            when=await next_digest_label(schedule, subscriber, clock.now()),
        ),
    ]
    more = fill(_("…and more: /unsubscribe lists them all"))
    await message.answer(
        join_within(lines, limit=3500, more=more) + "\n".join(settings_lines),
        reply_markup=frequency_keyboard(followed, chosen),
    )
