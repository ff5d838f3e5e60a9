"""Every call that sends something to Telegram takes its turn from the one pacer.

A session request middleware (aiogram's `BaseRequestMiddleware`) sits under every
`bot.*` call, so replies, button answers, edits, chat actions, digest parts, admin
alerts and documents share one budget without any caller remembering to ask. Calls
that send nothing (getUpdates, getMe, setMyCommands, reading a chat member) pass straight.

A 429 pauses the pacer for its retry_after and the same call is sent again, in front of
its class, a bounded number of times. A 5xx or a network error is retried with backoff
when repeating the call cannot show the user anything twice: button answers, chat
actions and edits always, new messages only when the connection was never made. A call
finally given up leaves one WARNING line (chat, method, why: no text, no token) and
raises aiogram's own error, marked so that the error handler does not log it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiohttp import ClientConnectorError

from services.delivery.pacer import Pacer, PacingPolicy

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod
    from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

SENDING_PREFIXES = ("send", "edit", "answer", "copy", "forward", "stop")
# calls that put no message in a chat: they take a place in the global budget only
NO_MESSAGE = frozenset({"sendChatAction", "answerCallbackQuery", "answerInlineQuery"})
GIVEN_UP_NOTE = "given up by the pacer"

Sleep = Callable[[float], Awaitable[None]]


def given_up(exc: BaseException) -> bool:
    """True for an error the pacer already retried, gave up on and logged."""
    return GIVEN_UP_NOTE in getattr(exc, "__notes__", ())


class PacingMiddleware(BaseRequestMiddleware):
    """Waits for the pacer's turn before each sending call; waits out 429s and retries."""

    def __init__(self, pacer: Pacer, policy: PacingPolicy, *, sleep: Sleep = asyncio.sleep) -> None:
        self.pacer = pacer
        self.policy = policy
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        if not name.startswith(SENDING_PREFIXES):
            return await make_request(bot, method)
        chat = None if name in NO_MESSAGE else _chat_of(method)
        interval = self.policy.interval_for(chat) if chat is not None else 0.0
        rate_limited = transient = 0
        retried = False
        while True:
            backoff = 0.0
            ticket = await self.pacer.turn(chat, interval=interval, first=retried)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                rate_limited += 1
                if rate_limited > self.policy.max_rate_limit_waits:
                    self._give_up(exc, name, chat, "rate_limited", rate_limited)
                    raise
                if exc.retry_after > self.policy.max_retry_after:
                    self._give_up(exc, name, chat, "retry_after_too_long", rate_limited)
                    raise
                self.pacer.pause(float(exc.retry_after))
            except (TelegramServerError, TelegramNetworkError) as exc:
                transient += 1
                if not _safe_to_repeat(name, exc):
                    raise
                if transient > self.policy.transient_retries:
                    self._give_up(exc, name, chat, type(exc).__name__, transient)
                    raise
                backoff = self.policy.backoff_seconds * 2 ** (transient - 1)
            finally:
                self.pacer.replied(ticket)
            if backoff:  # out of the pace meanwhile: the chat and the budget are free
                await self._sleep(backoff)
            retried = True

    @staticmethod
    def _give_up(
        exc: Exception, method: str, chat: int | str | None, reason: str, attempts: int
    ) -> None:
        log.warning(
            "telegram call given up method=%s chat_id=%s reason=%s attempts=%d",
            method,
            chat if chat is not None else "-",
            reason,
            attempts,
        )
        exc.add_note(GIVEN_UP_NOTE)


def install_pacing(bot: Bot, policy: PacingPolicy) -> Pacer:
    """Put one pacer under every call of `bot`; returns it."""
    pacer = Pacer(policy.send_rate, limit=policy.telegram_rate, reply_run=policy.reply_run)
    bot.session.middleware(PacingMiddleware(pacer, policy))
    return pacer


def _chat_of(method: Any) -> int | str | None:
    chat = getattr(method, "chat_id", None)
    return chat if isinstance(chat, int | str) else None


def _safe_to_repeat(name: str, exc: Exception) -> bool:
    """Whether sending `name` again cannot put a second copy in front of the user."""
    if name in NO_MESSAGE or name.startswith("edit"):
        return True
    return isinstance(exc, TelegramNetworkError) and isinstance(exc.__cause__, ClientConnectorError)
