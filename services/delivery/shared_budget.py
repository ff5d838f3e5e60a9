"""One send budget for the bot token across replicas: SEND_RATE split among the live ones.

Telegram counts a token's messages wherever they come from, so N processes sending at
SEND_RATE each would be N times over it. Each replica writes a heartbeat every
`every` seconds (services/storage/replicas.py) and sets its pacer to SEND_RATE divided
by the replicas seen alive; replicas share delivery passes by claims, so each has work
for its share. A replica that dies stops beating, and within STALE_AFTER the others
take its share back. A new replica beats once and waits one period before it sends, so
the others have lowered their rate by then. A process that sends only for a while
(a one-off `deliver` run beside the replicas) takes part the same way for its lifetime
(`SharedBudget.taking_part`), so the token's total stays under SEND_RATE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from services.storage.replicas import ReplicaRegistry
from services.workers.background import running_beside

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
TELEGRAM_RATE = 30.0  # what Telegram takes a second from one token: split like SEND_RATE


class RateSetter(Protocol):
    def set_rate(self, rate: float, limit: float | None = None) -> None: ...


class SharedBudget:
    """Keeps a pacer at this replica's share of `send_rate`."""

    def __init__(
        self,
        registry: ReplicaRegistry,
        pacer: RateSetter,
        send_rate: float,
        *,
        limit: float = TELEGRAM_RATE,
        every: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._registry = registry
        self._pacer = pacer
        self._send_rate = send_rate
        self._limit = limit
        self.every = every
        self.share = send_rate

    async def refresh(self) -> float:
        """Beat, count the live replicas and set the pacer to this one's share; the share."""
        live = await self._registry.beat()
        share = self._send_rate / live
        if share != self.share:
            log.info("send budget shared replicas=%d rate=%.2f", live, share)
        self.share = share
        self._pacer.set_rate(share, self._limit / live)
        return share

    async def join(self) -> None:
        """The first beat, then one period for the others to see this replica."""
        await self.refresh()
        await asyncio.sleep(self.every)
        await self.refresh()

    async def run(self) -> None:
        """Refresh every period until cancelled; a database hiccup keeps the last share."""
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.refresh()
            except Exception as exc:
                log.warning("heartbeat failed, keeping rate=%.2f: %r", self.share, exc)

    async def leave(self) -> None:
        """This replica stops: the others may take its share back at once."""
        try:
            await self._registry.leave()
        except Exception as exc:
            log.warning("could not leave the replica table: %r", exc)

    @contextlib.asynccontextmanager
    async def taking_part(self) -> AsyncIterator[float]:
        """Join, beat while the block runs, leave when it ends; yields the first share.

        Whoever sends for the token (a replica, a one-off delivery run) is counted among
        the live ones for exactly as long as it may send.
        """
        await self.join()
        try:
            async with running_beside(self.run()):
                yield self.share
        finally:
            await self.leave()
