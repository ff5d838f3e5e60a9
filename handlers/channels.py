"""Channels and forum threads: /channel, a post forwarded from a channel, /here.

A channel cannot talk to the bot, so a person who administers it links it from their
private chat: `/channel @name` (or a forwarded post). Telegram answers whether both the
person and the bot are its administrators (getChatMember); then the channel is a chat of
its own, and the person's settings and topic commands apply to it until they switch back
(`/channel` lists their channels with a button each; the rule that picks the chat is
bot/middlewares.py's). Digests and alerts are posted in the channel.

The link goes when Telegram says the bot left the channel (my_chat_member) or the person
is no longer its administrator (chat_member, or a check when they act on it); the person
is told once, because the link is dropped once.

`/here`, in a topic of a forum supergroup, sends the group's digests and alerts there.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    ChatMemberAdministrator,
    ChatMemberOwner,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginChannel,
)
from aiogram.utils.i18n import gettext
from aiogram.utils.i18n import gettext as _

from handlers.replies import fill
from services.storage import SubscriberRepository
from services.storage.channels import Channel, ChannelRepository, ThreadRepository
from services.storage.models import Subscriber
from services.text.i18n import N_

log = logging.getLogger(__name__)

OWN_CHAT = {"own_chat": True}  # these handlers act on the chat they are sent in, always
MARK = "✓ "
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")  # a public channel's name, as Telegram allows
CHANNEL_ID = re.compile(r"-100\d{6,13}")
ADMINS = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR)


class ChannelPick(CallbackData, prefix="chn"):
    """Which chat the person's commands apply to: a channel, or 0 for the private chat."""

    chat_id: int


def build_router() -> Router:
    router = Router(name="channels")
    private = F.chat.type == ChatType.PRIVATE
    router.message.register(channel_command, Command("channel"), private, flags=OWN_CHAT)
    router.message.register(channel_elsewhere, Command("channel"), flags=OWN_CHAT)
    router.message.register(
        forwarded_post, private, F.forward_origin.type == "channel", flags=OWN_CHAT
    )
    router.callback_query.register(pick_chat, ChannelPick.filter(), flags=OWN_CHAT)
    router.message.register(here, Command("here"), flags={"admin": True, "own_chat": True})
    router.my_chat_member.register(bot_status_changed, F.chat.type == ChatType.CHANNEL)
    router.chat_member.register(member_status_changed, F.chat.type == ChatType.CHANNEL)
    return router


# --- the rights Telegram reports -------------------------------------------------------


async def is_channel_admin(bot: Bot, channel_id: int, user_id: int) -> bool:
    """Whether the person administers the channel now (False when Telegram cannot say)."""
    try:
        member = await bot.get_chat_member(channel_id, user_id)
    except TelegramAPIError as exc:
        log.warning("getChatMember failed chat=%s: %s", channel_id, exc)
        return False
    return member.status in ADMINS


async def bot_can_post(bot: Bot, channel_id: int) -> bool:
    """Whether the bot is the channel's administrator allowed to post."""
    try:
        member = await bot.get_chat_member(channel_id, bot.id)
    except TelegramAPIError as exc:
        log.warning("getChatMember(bot) failed chat=%s: %s", channel_id, exc)
        return False
    if isinstance(member, ChatMemberOwner):
        return True
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


def channel_reference(text: str) -> int | str | None:
    """A channel as people name it (@name, t.me/name, its -100… id) as the Bot API takes it;
    None for anything that cannot be one, so Telegram is not asked about it."""
    word = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    if CHANNEL_ID.fullmatch(word):
        return int(word)
    name = word.removeprefix("https://").removeprefix("t.me/").removeprefix("@")
    return f"@{name}" if USERNAME.fullmatch(name) else None


def acting_on_note(channel: Channel) -> str:
    """The line that says a command acts on a channel, not on the private chat."""
    return fill(_("Channel {channel}:"), channel=channel.name)


# --- /channel ---------------------------------------------------------------------------


async def channel_command(
    message: Message,
    *,
    bot: Bot,
    command: CommandObject,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    channels: ChannelRepository,
) -> None:
    if message.from_user is None:
        return
    if (command.args or "").strip():
        target = channel_reference(command.args or "")
        if target is None:
            await message.answer(
                _(
                    "Send the channel's public name, <code>/channel @name</code>, or forward me"
                    " a post from the channel."
                )
            )
            return
        await _link(
            message,
            bot,
            target,
            message.from_user.id,
            own=subscriber,
            subscribers=subscribers,
            channels=channels,
        )
        return
    await _list(message, message.from_user.id, channels)


async def channel_elsewhere(message: Message) -> None:
    await message.answer(
        _("Send /channel to me in a private chat: channels are managed from there.")
    )


async def forwarded_post(
    message: Message,
    *,
    bot: Bot,
    subscriber: Subscriber,
    subscribers: SubscriberRepository,
    channels: ChannelRepository,
) -> None:
    origin = message.forward_origin
    if message.from_user is None or not isinstance(origin, MessageOriginChannel):
        return
    await _link(
        message,
        bot,
        origin.chat.id,
        message.from_user.id,
        own=subscriber,
        subscribers=subscribers,
        channels=channels,
    )


async def _link(
    message: Message,
    bot: Bot,
    target: int | str,
    user_id: int,
    *,
    own: Subscriber,
    subscribers: SubscriberRepository,
    channels: ChannelRepository,
) -> None:
    try:
        chat = await bot.get_chat(target)
    except TelegramAPIError:
        await message.answer(
            _(
                "I cannot see that channel. Add me to it as an administrator allowed to post"
                " messages, then send <code>/channel @name</code> here again."
            )
        )
        return
    if chat.type != ChatType.CHANNEL:
        await message.answer(
            _("That is not a channel. To get digests in a group, add me to the group itself.")
        )
        return
    channel = Channel(chat_id=chat.id, title=chat.title or str(chat.id), username=chat.username)
    if not await bot_can_post(bot, chat.id):
        await message.answer(
            fill(
                _(
                    "Make me an administrator of {channel} allowed to post messages,"
                    " then send /channel again."
                ),
                channel=channel.name,
            )
        )
        return
    if not await is_channel_admin(bot, chat.id, user_id):
        await message.answer(
            fill(_("Only the administrators of {channel} can link it."), channel=channel.name)
        )
        return
    # The channel starts with the settings of the person who linked it.
    await subscribers.register(
        chat.id,
        chat_type="channel",
        language=own.language,
        timezone=own.timezone,
        digest_time=own.digest_time,
    )
    await channels.link(channel, user_id)
    await channels.switch(user_id, chat.id)
    await message.answer(
        fill(
            _(
                "{channel} is linked: its digests and alerts are posted there. The commands"
                " you send here (/subscribe, /mytopics, /time, /timezone, /frequency,"
                " /language…) now apply to {channel}; /channel switches back to this chat."
            ),
            channel=channel.name,
        )
    )


async def _list(message: Message, user_id: int, channels: ChannelRepository) -> None:
    managed = await channels.managed_by(user_id)
    if not managed:
        await message.answer(
            _(
                "To get digests in your channel: add me to it as an administrator allowed to"
                " post messages, then send <code>/channel @name</code> here (or forward me a"
                " post from the channel)."
            )
        )
        return
    current = await channels.current(user_id)
    await message.answer(
        _("Your channels. Commands you send here apply to the chat ticked below:"),
        reply_markup=_keyboard(managed, current),
    )


def _keyboard(managed: list[Channel], current: Channel | None) -> InlineKeyboardMarkup:
    chosen = current.chat_id if current else 0
    choices = [(0, _("This chat")), *((c.chat_id, c.name) for c in managed)]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=f"{MARK if chat_id == chosen else ''}{name}"[:64],
                    callback_data=ChannelPick(chat_id=chat_id).pack(),
                )
            ]
            for chat_id, name in choices
        ]
    )


async def pick_chat(
    callback: CallbackQuery,
    *,
    bot: Bot,
    callback_data: ChannelPick,
    channels: ChannelRepository,
) -> None:
    user_id = callback.from_user.id
    if callback_data.chat_id == 0:
        await channels.switch(user_id, None)
        await callback.answer(_("Commands now apply to this chat."))
    else:
        channel = await channels.get(callback_data.chat_id)
        linked = channel is not None and await channels.switch(user_id, channel.chat_id)
        if channel is None or not linked:
            await callback.answer(_("This channel is no longer linked: send /channel again."))
            return
        if not await is_channel_admin(bot, channel.chat_id, user_id):
            await channels.unlink(channel.chat_id, user_id)
            await callback.answer(
                fill(_("You are no longer an administrator of {channel}."), channel=channel.name),
                show_alert=True,
            )
        else:
            await callback.answer(fill(_("Commands now apply to {channel}."), channel=channel.name))
    if isinstance(callback.message, Message):
        markup = _keyboard(await channels.managed_by(user_id), await channels.current(user_id))
        with suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=markup)


# --- /here ------------------------------------------------------------------------------


async def here(message: Message, *, subscriber: Subscriber, threads: ThreadRepository) -> None:
    """In a forum supergroup: the group's digests and alerts go to this topic (or, sent in
    the General topic, to the group's main thread again)."""
    if not message.chat.is_forum:
        await message.answer(
            _("/here is for groups with topics: send it in the topic that should get the digests.")
        )
        return
    if message.is_topic_message and message.message_thread_id is not None:
        await threads.set(subscriber.chat_id, message.message_thread_id)
        await message.answer(_("The group's digests and alerts now come to this topic."))
    else:
        await threads.clear(subscriber.chat_id)
        await message.answer(_("The group's digests and alerts now come to the General topic."))


# --- the link dropped -------------------------------------------------------------------


async def bot_status_changed(
    event: ChatMemberUpdated,
    *,
    bot: Bot,
    subscribers: SubscriberRepository,
    channels: ChannelRepository,
) -> None:
    """The bot was removed from a channel, or may no longer post: every link goes."""
    member = event.new_chat_member
    can_post = isinstance(member, ChatMemberOwner) or (
        isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
    )
    if can_post:
        return
    channel = await channels.get(event.chat.id)
    people = await channels.drop(event.chat.id)
    await subscribers.update(event.chat.id, blocked=True)
    if channel is None:
        return
    log.info("channel link dropped: bot removed chat_id=%s people=%d", channel.chat_id, len(people))
    for user_id in people:
        await _tell(
            bot,
            user_id,
            subscribers,
            N_(
                "I can no longer post in {channel}, so it is unlinked and gets no more digests."
                " Make me its administrator again and send /channel @name to bring it back."
            ),
            channel,
        )


async def member_status_changed(
    event: ChatMemberUpdated,
    *,
    bot: Bot,
    subscribers: SubscriberRepository,
    channels: ChannelRepository,
) -> None:
    """A person who managed the channel is no longer its administrator: their link goes."""
    if event.new_chat_member.status in ADMINS:
        return
    user_id = event.new_chat_member.user.id
    channel = await channels.get(event.chat.id)
    if channel is not None and await channels.unlink(channel.chat_id, user_id):
        await tell_unlinked(bot, user_id, subscribers, channel)


async def tell_unlinked(
    bot: Bot, user_id: int, subscribers: SubscriberRepository, channel: Channel
) -> None:
    """Tell a person, in their language, that they no longer manage the channel."""
    await _tell(
        bot,
        user_id,
        subscribers,
        N_(
            "You are no longer an administrator of {channel}, so it is unlinked from this chat:"
            " your commands apply to this chat again."
        ),
        channel,
    )


async def _tell(
    bot: Bot, user_id: int, subscribers: SubscriberRepository, message_id: str, channel: Channel
) -> None:
    """Say it in the person's own language (the event came from the channel, in its own)."""
    person = await subscribers.get(user_id)
    text = fill(
        gettext(message_id, locale=person.language if person else None), channel=channel.name
    )
    try:
        await bot.send_message(user_id, text)
    except TelegramAPIError as exc:  # the person blocked the bot: nothing more to do
        log.info("could not tell user=%s about channel=%s: %s", user_id, channel.chat_id, exc)
