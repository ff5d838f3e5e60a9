"""The aiogram-backed `Sender`: delivery's way out to Telegram.

Telegram's answers become `SendResult`s so delivery (which knows no aiogram)
can decide: wait out a 429, stop writing to a chat that blocked the bot, fall
back to plain text after a 400, or retry later after a network failure.
Error texts are cleaned of the bot token, which aiohttp may echo inside a URL.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiohttp import ClientError

from bot.masking import SecretMasker
from services.delivery.sender import SendOutcome, SendResult

log = logging.getLogger(__name__)

TOKEN_PLACEHOLDER = "<token>"
# 400s that mean the chat is gone for good, like a 403.
_THREAD_GONE = "message thread not found"
_GONE_CHAT = ("chat not found", "user is deactivated", "bot was kicked", "chat was deleted")


class TelegramSender:
    """Sends messages with an aiogram Bot and reports Telegram's answer as a SendResult.

    Channels are sent to by their id like any chat; a forum supergroup's thread by
    `thread_id`, and a thread that no longer exists falls back to the main thread."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._masker = SecretMasker([bot.token], placeholder=TOKEN_PLACEHOLDER)

    async def send_message(
        self, chat_id: int, text: str, *, html: bool = True, thread_id: int | None = None
    ) -> SendResult:
        try:
            message = await self._bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML if html else None,
                message_thread_id=thread_id,
            )
        except TelegramRetryAfter as exc:
            return SendResult(
                SendOutcome.RETRY_AFTER,
                retry_after=float(exc.retry_after),
                error=self._describe(exc),
            )
        except TelegramMigrateToChat as exc:
            error = f"group moved to supergroup {exc.migrate_to_chat_id}"
            return self._failed(SendOutcome.BLOCKED, chat_id, error)
        except TelegramForbiddenError as exc:
            return self._failed(SendOutcome.BLOCKED, chat_id, self._describe(exc))
        except TelegramBadRequest as exc:
            description = self._describe(exc)
            if thread_id is not None and _THREAD_GONE in description.lower():
                # the forum topic was deleted or closed for good: the group's main thread
                log.info("thread gone chat_id=%s thread_id=%s", chat_id, thread_id)
                return await self.send_message(chat_id, text, html=html)
            if any(phrase in description.lower() for phrase in _GONE_CHAT):
                return self._failed(SendOutcome.BLOCKED, chat_id, description)
            return self._failed(SendOutcome.BAD_REQUEST, chat_id, description)
        except TelegramEntityTooLarge as exc:
            return self._failed(SendOutcome.BAD_REQUEST, chat_id, self._describe(exc))
        except (TelegramNetworkError, ClientDecodeError, ClientError, TimeoutError, OSError) as exc:
            return self._failed(SendOutcome.TRANSIENT, chat_id, self._describe(exc))
        except TelegramAPIError as exc:  # 5xx, 401, 404, 409: Telegram or our setup, not the chat
            return self._failed(SendOutcome.TRANSIENT, chat_id, self._describe(exc))
        return SendResult(SendOutcome.SENT, message_id=message.message_id)

    def _failed(self, outcome: SendOutcome, chat_id: int, error: str) -> SendResult:
        level = logging.INFO if outcome is SendOutcome.BLOCKED else logging.WARNING
        log.log(level, "send failed chat_id=%s outcome=%s error=%s", chat_id, outcome.value, error)
        return SendResult(outcome, error=error)

    def _describe(self, exc: BaseException) -> str:
        """The error as one line, without the bot token."""
        if isinstance(exc, TelegramAPIError):
            text = exc.message
        else:
            text = f"{type(exc).__name__}: {exc}".rstrip(": ")
        return self._masker.mask(" ".join(text.split()))


def redact_token(text: str, token: str) -> str:
    """Replace the token (and its secret half alone) with a placeholder."""
    return SecretMasker([token], placeholder=TOKEN_PLACEHOLDER).mask(text)
