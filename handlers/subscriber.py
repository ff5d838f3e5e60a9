"""The chat's subscriber record, created with the operator's defaults on first contact.

/start registers a chat explicitly; any other command from a chat the bot has not
met yet registers it the same way, so nobody is told to "press /start first".
"""

from __future__ import annotations

from aiogram.types import Chat, User

from bot.config import Settings
from bot.i18n import language_from_code
from services.storage import SubscriberRepository
from services.storage.models import Subscriber


async def register_chat(
    chat: Chat, user: User | None, subscribers: SubscriberRepository, settings: Settings
) -> tuple[Subscriber, bool]:
    """Register the chat (an existing one keeps its settings); returns it and whether it is new."""
    return await subscribers.register(
        chat.id,
        chat_type=chat.type,
        language=language_from_code(user.language_code if user else None),
        timezone=settings.default_timezone,
        digest_time=settings.default_digest_time.strftime("%H:%M"),
    )


async def chat_subscriber(
    subscriber: Subscriber | None,
    chat: Chat,
    user: User | None,
    subscribers: SubscriberRepository,
    settings: Settings,
) -> Subscriber:
    """The subscriber the middleware loaded, or a freshly registered one."""
    if subscriber is not None:
        return subscriber
    registered, _created = await register_chat(chat, user, subscribers, settings)
    return registered
