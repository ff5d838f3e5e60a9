"""Middlewares around every handler: the reply language, flood protection, group rights,
the chat's subscriber.

- `LocaleMiddleware` (outer): picks the language of the chat's subscriber, or of the
  user's Telegram language_code for a chat that has not registered yet, and puts
  `known_subscriber` (None for a chat not met yet) and `language` into the handler data.
- `ThrottleMiddleware` (inner, on the dispatcher so it wraps every router): a per-user sliding window;
  handlers flagged `throttle="summary"` (fetching a page costs more) get a tighter one.
  The first refused event in a window gets a friendly "slow down", the rest are dropped
  silently so that a flood is not answered with a flood.
- `AdminOnlyMiddleware` (inner): handlers flagged `admin=True` change a chat's
  subscriptions or settings; in a group only its administrators may run them.
- `SubscriberMiddleware` (inner, last): a handler that declares a `subscriber` parameter
  gets the chat's subscriber ready, registered with the operator's defaults on first
  contact (and `first_contact` says whether that was now), so nobody is told to "press
  /start first" and no handler repeats the lookup. Handlers flagged `register=True`
  (/start) register every time, which also welcomes back a chat that had blocked the bot.
  In a private chat whose person switched to a channel they manage (/channel), the
  subscriber is the channel's (`managed_chat`: the one place that rule lives).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _

from bot.i18n import build_i18n
from handlers.channels import acting_on_note, is_channel_admin, tell_unlinked
from handlers.chats import GROUP_CHATS
from handlers.options import Options
from services.clock.clocks import Clock, SystemClock
from services.storage import SubscriberRepository
from services.storage.channels import ChannelRepository
from services.storage.models import Subscriber
from services.text.i18n import language_from_code

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
ADMIN_STATUSES = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR)


class LocaleMiddleware(I18nMiddleware):
    """The chat's language for every reply; loads the chat's subscriber on the way."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        subscribers: SubscriberRepository | None = data.get("subscribers")
        chat: Chat | None = data.get("event_chat")
        subscriber = None
        if subscribers is not None and chat is not None:
            subscriber = await subscribers.get(chat.id)
        data["known_subscriber"] = subscriber
        if subscriber is not None:
            language = subscriber.language
        else:
            user: User | None = data.get("event_from_user")
            language = language_from_code(user.language_code if user else None)
        data["language"] = language
        return language


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` events per `window` for one user."""

    count: int
    window: timedelta


DEFAULT_LIMITS: dict[str, Limit] = {
    "default": Limit(count=8, window=timedelta(seconds=10)),
    "summary": Limit(count=3, window=timedelta(minutes=1)),
}


class RateLimiter:
    """Sliding-window counters per (user, bucket); remembers who was already warned."""

    def __init__(self, limits: dict[str, Limit], *, max_keys: int = 50_000) -> None:
        self._limits = limits
        self._events: dict[tuple[int, str], deque[datetime]] = {}
        self._warned: dict[tuple[int, str], datetime] = {}
        self._max_keys = max_keys

    def check(self, user_id: int, bucket: str, now: datetime) -> tuple[bool, bool]:
        """Record an event; returns (allowed, warn) — warn once per refused window."""
        limit = self._limits.get(bucket) or self._limits["default"]
        key = (user_id, bucket)
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= limit.window:
            events.popleft()
        if len(events) < limit.count:
            events.append(now)
            self._warned.pop(key, None)
            return True, False
        warned_at = self._warned.get(key)
        warn = warned_at is None or now - warned_at >= limit.window
        if warn:
            self._warned[key] = now
        if len(self._events) > self._max_keys:
            self._forget_idle(now)
        return False, warn

    def _forget_idle(self, now: datetime) -> None:
        longest = max(limit.window for limit in self._limits.values())
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= longest]:
            del self._events[key]
            self._warned.pop(key, None)


class ThrottleMiddleware(BaseMiddleware):
    """Refuses a user's messages and button taps beyond their rate, politely."""

    def __init__(self, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter or RateLimiter(DEFAULT_LIMITS)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        clock: Clock = data.get("clock") or SystemClock()
        bucket = str(get_flag(data, "throttle", default="default"))
        allowed, warn = self.limiter.check(user.id, bucket, clock.now())
        if allowed:
            return await handler(event, data)
        log.info("throttled user=%s bucket=%s", user.id, bucket)
        if bucket == "summary":
            text = _("One link at a time, please: try again in a minute.")
        else:
            text = _("You are going a little fast: please wait a few seconds and try again.")
        # A button tap is always answered (it stops the spinner); a message only once.
        if isinstance(event, CallbackQuery) or (warn and isinstance(event, Message)):
            await event.answer(text)
        return None


async def is_chat_admin(bot: Bot, chat: Chat, user: User | None, message: Message | None) -> bool:
    """Whether the sender may change this chat's settings (always, in a private chat)."""
    if chat.type not in GROUP_CHATS:
        return True
    if message is not None and message.sender_chat is not None:
        # An anonymous administrator writes as the group itself.
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await bot.get_chat_member(chat.id, user.id)
    except TelegramAPIError as exc:
        log.warning("getChatMember failed chat=%s: %s", chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES


class AdminOnlyMiddleware(BaseMiddleware):
    """Lets only a group's administrators run handlers flagged `admin=True`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not get_flag(data, "admin"):
            return await handler(event, data)
        chat: Chat | None = data.get("event_chat")
        bot: Bot | None = data.get("bot")
        if chat is None or bot is None:
            return await handler(event, data)
        message = event if isinstance(event, Message) else None
        if await is_chat_admin(bot, chat, data.get("event_from_user"), message):
            return await handler(event, data)
        text = _("Only the group's administrators can change its topics and settings.")
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.reply(text)
        return None


class SubscriberMiddleware(BaseMiddleware):
    """Hands a handler that asks for `subscriber` the chat's record, registering it if new."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        target: HandlerObject | None = data.get("handler")
        if target is None or "subscriber" not in target.params:
            return await handler(event, data)
        known: Subscriber | None = data.get("known_subscriber")
        if known is None or get_flag(data, "register"):
            chat: Chat | None = data.get("event_chat")
            if chat is None:  # a button on a message Telegram no longer tells us about
                if isinstance(event, CallbackQuery):
                    await event.answer(_("This button is out of date: send the command again."))
                return None
            known, data["first_contact"] = await register(
                chat, data.get("event_from_user"), data["subscribers"], data["options"]
            )
        else:
            data["first_contact"] = False
        data["subscriber"] = await managed_chat(event, data, known)
        return await handler(event, data)


async def managed_chat(event: TelegramObject, data: dict[str, Any], own: Subscriber) -> Subscriber:
    """The chat a handler acts on: in a private chat, the channel the person switched to
    with /channel (re-checked with Telegram: a person no longer its administrator loses the
    link and is told), else the chat itself. Handlers flagged `own_chat` (/channel, /here)
    and `register` (/start) always act on the chat they are sent in.

    A command acting on a channel is answered under a line that names the channel.
    """
    chat: Chat | None = data.get("event_chat")
    user: User | None = data.get("event_from_user")
    channels: ChannelRepository | None = data.get("channels")
    bot: Bot | None = data.get("bot")
    if (
        chat is None
        or chat.type != ChatType.PRIVATE
        or user is None
        or channels is None
        or bot is None
        or get_flag(data, "own_chat")
        or get_flag(data, "register")
    ):
        return own
    channel = await channels.current(user.id)
    if channel is None:
        return own
    subscribers: SubscriberRepository = data["subscribers"]
    if not await is_channel_admin(bot, channel.chat_id, user.id):
        if await channels.unlink(channel.chat_id, user.id):
            await tell_unlinked(bot, user.id, subscribers, channel)
        return own
    managed = await subscribers.get(channel.chat_id)
    if managed is None:
        return own
    data["acting_on"] = channel
    if isinstance(event, Message) and (event.text or "").startswith("/"):
        await event.answer(acting_on_note(channel))
    return managed


async def register(
    chat: Chat, user: User | None, subscribers: SubscriberRepository, options: Options
) -> tuple[Subscriber, bool]:
    """Register the chat (an existing one keeps its settings); returns it and whether it is new."""
    return await subscribers.register(
        chat.id,
        chat_type=chat.type,
        language=language_from_code(user.language_code if user else None),
        timezone=options.default_timezone,
        digest_time=options.default_digest_time,
    )


def setup_middlewares(
    dispatcher: Dispatcher, *, i18n: I18n | None = None, limiter: RateLimiter | None = None
) -> None:
    """Attach the middlewares to the dispatcher.

    Inner middlewares of a router also wrap the handlers of its sub-routers, so
    registering them once on the dispatcher covers every router. The subscriber comes
    last: a refused (throttled, not an administrator) update registers nobody.
    """
    LocaleMiddleware(i18n or build_i18n()).setup(dispatcher)
    throttle = ThrottleMiddleware(limiter)
    admin_only = AdminOnlyMiddleware()
    subscriber = SubscriberMiddleware()
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.middleware(throttle)
        observer.middleware(admin_only)
        observer.middleware(subscriber)
