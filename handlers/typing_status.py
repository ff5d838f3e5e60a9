"""'typing…' in the chat while a reply takes a while, and only then.

Telegram shows a chat action for five seconds or until the next message arrives. A
reply ready within half a second needs none: sending it anyway costs a Bot API call
per command and makes the status flicker. So the action goes out only once the work
has run for TYPING_AFTER seconds, and again every five while it lasts.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.utils.chat_action import ChatActionSender

TYPING_AFTER = 0.5


def typing_while_slow(bot: Bot, chat_id: int, *, after: float = TYPING_AFTER) -> ChatActionSender:
    """An `async with` block that shows 'typing…' once it has lasted `after` seconds."""
    return ChatActionSender.typing(bot=bot, chat_id=chat_id, initial_sleep=after)
