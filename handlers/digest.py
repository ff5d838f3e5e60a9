"""/digest: the digest right now, from what came in since the last scheduled one.

It consumes nothing: the scheduled digest still carries these stories (see
DigestService.build_on_demand). Parts come from the one renderer, ready to send.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.typing_status import typing_while_slow
from services.digest.service import DigestService
from services.storage.models import Subscriber


def build_router() -> Router:
    router = Router(name="digest")
    router.message.register(digest_now, Command("digest"))
    return router


async def digest_now(
    message: Message, *, bot: Bot, subscriber: Subscriber, digests: DigestService
) -> None:
    async with typing_while_slow(bot, message.chat.id):
        digest = await digests.build_on_demand(subscriber.chat_id)
    if not digest.has_topics:
        await message.answer(
            _("You do not follow any topics yet: choose them with /topics or /subscribe QUERY.")
        )
        return
    for part in digest.parts:
        await message.answer(part)
