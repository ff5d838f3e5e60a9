"""The port through which delivery talks to a messenger; bot/telegram.py implements it.

A channel is a chat like any other (its id is negative, as a group's). A forum
supergroup's digests may go to one thread (`/here`); a sender that can post there
implements `ThreadSender`, and delivery names the thread only for such chats.

Senders never raise for Telegram's answers: they map them to a `SendResult`, so
delivery decides what to do (wait, retry, mark blocked, fall back to plain text).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class SendOutcome(Enum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # 429: wait `retry_after` seconds, then send the same again
    BLOCKED = "blocked"  # 403 or chat gone: stop sending to this chat
    BAD_REQUEST = "bad_request"  # 400: e.g. "can't parse entities"; resending as is won't help
    TRANSIENT = "transient"  # network error or 5xx: retry later with backoff


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    retry_after: float | None = None
    error: str | None = None
    message_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is SendOutcome.SENT


class Sender(Protocol):
    async def send_message(self, chat_id: int, text: str, *, html: bool = True) -> SendResult:
        """Send one message (Telegram HTML when `html`, plain text otherwise)."""
        ...


class ThreadSender(Sender, Protocol):
    """A sender that can also post in one thread (a forum topic) of a supergroup."""

    async def send_message(
        self, chat_id: int, text: str, *, html: bool = True, thread_id: int | None = None
    ) -> SendResult:
        """Send one message, in the thread `thread_id` when given."""
        ...
