"""Tells each chat about its own sources' health: once when one goes down, once when it
comes back, and once when a week of failures pauses it.

Run after every ingest pass, beside the admins' alerts (services/sources/alerts.py), with
the same meaning of "down" (services/sources/health.py: failing for more than a day).
What each chat was told is kept on its link (`chat_sources.down_told_at`,
`paused_told_at`), so a source down for a week costs each chat two messages, not one a
pass. A source that has failed for `PAUSE_AFTER` is paused (no longer fetched) unless the
operator lists it; adding it again with /addsource switches it back on.

The wording is the caller's: `compose` turns a notice into a message in the chat's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from services.clock.clocks import Clock
from services.delivery.sender import Sender, SendOutcome
from services.sources.health import SourceState, failing_since, source_state
from services.storage import SubscriberRepository
from services.storage.own_sources import OwnSource, OwnSourceRepository

log = logging.getLogger(__name__)

PAUSE_AFTER = timedelta(days=7)
DEFAULT_LANGUAGE = "ru"
_RETRYABLE = frozenset({SendOutcome.RETRY_AFTER, SendOutcome.TRANSIENT})


class NoticeKind(Enum):
    DOWN = "down"
    RECOVERED = "recovered"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class OwnSourceNotice:
    kind: NoticeKind
    link: OwnSource
    since: datetime | None  # when the failures began (DOWN, PAUSED)


ComposeNotice = Callable[[OwnSourceNotice, str], str]
"""(notice, chat's language) → the message text, Telegram HTML."""


def due_notice(link: OwnSource, now: datetime) -> OwnSourceNotice | None:
    """What this chat should be told about its source now, if anything."""
    source = link.source
    since = failing_since(source)
    week_long = not link.shared and since is not None and now - since > PAUSE_AFTER
    if since is not None and link.paused_told_at is None and (not source.enabled or week_long):
        return OwnSourceNotice(NoticeKind.PAUSED, link, since)
    if link.down_told_at is None:
        if since is not None and source_state(source, now) is SourceState.DOWN:
            return OwnSourceNotice(NoticeKind.DOWN, link, since)
        return None
    if source.enabled and source.consecutive_failures == 0:
        return OwnSourceNotice(NoticeKind.RECOVERED, link, None)
    return None


class OwnSourceNotices:
    def __init__(
        self,
        *,
        own: OwnSourceRepository,
        subscribers: SubscriberRepository,
        sender: Sender,
        clock: Clock,
        compose: ComposeNotice,
    ) -> None:
        self._own = own
        self._subscribers = subscribers
        self._sender = sender
        self._clock = clock
        self._compose = compose

    async def check(self) -> list[OwnSourceNotice]:
        """Pause what a week of failures calls for, send the notices due, record them."""
        now = self._clock.now()
        sent = []
        paused: set[int] = set()
        for link in await self._own.followers():
            notice = due_notice(link, now)
            if notice is None:
                continue
            pause = notice.kind is NoticeKind.PAUSED and link.source.enabled
            if pause and link.source.id not in paused:
                await self._own.pause(link.source.id)
                paused.add(link.source.id)
            if not await self._tell(link.chat_id, notice):
                continue
            if notice.kind is NoticeKind.PAUSED:
                await self._own.set_paused_told(link.chat_id, link.source.id, now)
            else:
                await self._own.set_down_told(
                    link.chat_id, link.source.id, now if notice.kind is NoticeKind.DOWN else None
                )
            sent.append(notice)
        if sent:
            log.info("own source notices sent=%d paused=%d", len(sent), len(paused))
        return sent

    async def _tell(self, chat_id: int, notice: OwnSourceNotice) -> bool:
        """True when done with: sent, or refused for good (blocked, chat gone)."""
        subscriber = await self._subscribers.get(chat_id)
        if subscriber is None or subscriber.blocked:
            return True
        result = await self._sender.send_message(
            chat_id, self._compose(notice, subscriber.language or DEFAULT_LANGUAGE)
        )
        return result.ok or result.outcome not in _RETRYABLE
