"""Tells the admins once when a source goes down and once when it comes back.

Run after every ingest pass. A pass that finds a source still down says nothing:
`sources.failure_alerted_at` remembers that the admins were told, and clearing it is
the recovery message. So a source down for a week costs two messages, not one per
pass. "Down" is services/sources/health.py's: failing for more than 24 hours.

Sources only chats follow as their own are not the admins' concern (their URLs may carry
a private token): their chats hear about them instead (`owners`,
services/sources/own_alerts.py), in the same check.

The wording is not this module's business: the caller passes `compose`, which turns
an alert into a message in the admin's language (the bot does that with its
catalogues; services never import the bot).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from services.clock.clocks import Clock
from services.delivery.sender import Sender, SendOutcome
from services.sources.health import SourceState, failing_since, source_state
from services.sources.own_alerts import OwnSourceNotices
from services.storage import SourceRepository, SubscriberRepository
from services.storage.models import Source

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "ru"
_RETRYABLE = frozenset({SendOutcome.RETRY_AFTER, SendOutcome.TRANSIENT})


class AlertKind(Enum):
    DOWN = "down"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class SourceAlert:
    kind: AlertKind
    source: Source
    since: datetime  # DOWN: when the failures began; RECOVERED: when the admins were told
    at: datetime


ComposeAlert = Callable[[SourceAlert, str], str]
"""(alert, admin's language) → the message text, Telegram HTML."""


def due_alert(source: Source, now: datetime) -> SourceAlert | None:
    """The alert this source's record calls for now, if any."""
    alerted = source.failure_alerted_at
    if alerted is None:
        since = failing_since(source)
        if since is not None and source_state(source, now) is SourceState.DOWN:
            return SourceAlert(AlertKind.DOWN, source, since, now)
        return None
    if source.enabled and source.consecutive_failures == 0:
        return SourceAlert(AlertKind.RECOVERED, source, alerted, now)
    return None


class SourceAlerts:
    def __init__(
        self,
        *,
        sources: SourceRepository,
        subscribers: SubscriberRepository,
        sender: Sender,
        admin_ids: Collection[int],
        clock: Clock,
        compose: ComposeAlert,
        owners: OwnSourceNotices | None = None,
        private_sources: Callable[[], Awaitable[set[int]]] | None = None,
    ) -> None:
        self._owners = owners
        self._private_sources = private_sources
        self._sources = sources
        self._subscribers = subscribers
        self._sender = sender
        self._admin_ids = sorted(admin_ids)
        self._clock = clock
        self._compose = compose

    async def check(self) -> list[SourceAlert]:
        """Send the alerts that are due and record them; returns what was sent to admins.
        Then the chats hear about their own sources."""
        sent = await self._check_admins() if self._admin_ids else []
        if self._owners is not None:
            await self._owners.check()
        return sent

    async def _check_admins(self) -> list[SourceAlert]:
        now = self._clock.now()
        sent = []
        private = await self._private_sources() if self._private_sources else set()
        for source in await self._sources.list_all():
            if source.id in private:
                continue
            alert = due_alert(source, now)
            if alert is None or not await self._tell_admins(alert):
                continue
            await self._sources.set_failure_alerted(
                source.id, now if alert.kind is AlertKind.DOWN else None
            )
            sent.append(alert)
            log.info(
                "source alert",
                extra={"kind": alert.kind.value, "source_id": source.id, "url": source.url},
            )
        return sent

    async def _tell_admins(self, alert: SourceAlert) -> bool:
        """Send to every admin; True unless every attempt failed in a way worth retrying.

        An admin who never opened a chat with the bot (400) or blocked it (403) will not
        be reached by trying again next pass, so those count as done.
        """
        outcomes = []
        for admin_id in self._admin_ids:
            subscriber = await self._subscribers.get(admin_id)
            language = subscriber.language if subscriber else DEFAULT_LANGUAGE
            result = await self._sender.send_message(admin_id, self._compose(alert, language))
            if not result.ok:
                log.warning(
                    "source alert not delivered",
                    extra={"admin_id": admin_id, "outcome": result.outcome.value},
                )
            outcomes.append(result.outcome)
        return any(outcome not in _RETRYABLE for outcome in outcomes)
