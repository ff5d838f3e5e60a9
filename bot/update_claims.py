"""Each Telegram update handled once across replicas (services/storage/update_claims.py).

`UpdateClaimMiddleware` is the dispatcher's first outer middleware: it claims every
update before anything reads the database for it, and drops an update already taken —
what a new polling leader gets again of what the dead one had fetched but not
confirmed, or a webhook delivery Telegram retries. A handler that returns or fails
finishes its claim; one cut short (its replica killed or stopped) leaves the claim open,
and `OrphanRecovery`, beside every replica, hands such updates of replicas gone stale
to the dispatcher again. Why a repeat over a loss: a person whose command got no answer
is stuck, one who gets the answer twice is not; the repeat happens only where the reply
went out in the moment before the replica died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from services.storage.update_claims import Orphan, UpdateClaims

log = logging.getLogger(__name__)

TAKEN_OVER = "update_taken_over"  # feed_update keyword: the update is this replica's already
RECOVER_SECONDS = 2.0  # how often a replica looks for updates a dead one left unfinished
PRUNE_EVERY = timedelta(hours=1)


class UpdateClaimMiddleware(BaseMiddleware):
    """Lets an update through only to the replica that claims it first."""

    def __init__(self, claims: UpdateClaims) -> None:
        self._claims = claims

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update = cast(Update, event)
        if not data.get(TAKEN_OVER):
            try:
                claimed = await self._claims.claim(update.update_id, update_json(update))
            except Exception as exc:  # no database: answering beats a guarantee
                log.warning(
                    "update not claimed, handled anyway update_id=%d: %r", update.update_id, exc
                )
                return await handler(event, data)
            if not claimed:
                log.info("update already taken, skipped update_id=%d", update.update_id)
                return UNHANDLED
        try:
            result = await handler(event, data)
        except asyncio.CancelledError:
            raise  # cut short: the claim stays open for a live replica to finish
        except Exception:
            await self._finish(update.update_id)
            raise
        await self._finish(update.update_id)
        return result

    async def _finish(self, update_id: int) -> None:
        try:
            await self._claims.finish(update_id)
        except Exception as exc:  # it was handled; only a later takeover could repeat it
            log.warning("update claim not finished update_id=%d: %r", update_id, exc)


def update_json(update: Update) -> str:
    """The update as Telegram sent it, to be handled again from the database."""
    return update.model_dump_json(exclude_none=True, by_alias=True)


class OrphanRecovery:
    """Takes over the updates that replicas gone stale left unfinished, and handles them."""

    def __init__(
        self,
        claims: UpdateClaims,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        every: float = RECOVER_SECONDS,
    ) -> None:
        self._claims = claims
        self._dispatcher = dispatcher
        self._bot = bot
        self.every = every
        self._handling: set[asyncio.Task[None]] = set()

    async def recover(self) -> int:
        """One look: each orphan taken over is handled in a task of its own; how many."""
        orphans = await self._claims.take_over_orphans()
        if orphans:
            log.warning(
                "took over updates a dead replica left unfinished count=%d first_update_id=%d"
                " replicas=%s",
                len(orphans),
                orphans[0].update_id,
                ",".join(sorted({orphan.was_claimed_by for orphan in orphans})),
            )
        for orphan in orphans:
            task = asyncio.create_task(self._handle(orphan))
            self._handling.add(task)
            task.add_done_callback(self._handling.discard)
        return len(orphans)

    async def _handle(self, orphan: Orphan) -> None:
        try:
            update = Update.model_validate_json(orphan.payload, context={"bot": self._bot})
            await self._dispatcher.feed_update(self._bot, update, **{TAKEN_OVER: True})
        except Exception:
            log.exception("a taken-over update failed update_id=%d", orphan.update_id)
            with contextlib.suppress(Exception):
                await self._claims.finish(orphan.update_id)

    async def run(self) -> None:
        """Look every `every` seconds, prune old claims hourly, until cancelled."""
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.recover()
                if loop.time() >= next_prune:
                    await self._claims.prune()
                    next_prune = loop.time() + PRUNE_EVERY.total_seconds()
            except Exception as exc:
                log.warning("looking for unfinished updates failed: %r", exc)

    async def wait_handled(self) -> None:
        """Wait for the updates taken over so far to be handled (a stop, a test)."""
        if self._handling:
            await asyncio.gather(*self._handling, return_exceptions=True)


@contextlib.asynccontextmanager
async def recovering(recovery: OrphanRecovery | None) -> AsyncIterator[None]:
    """`recovery` runs for as long as the block does (nothing when None)."""
    if recovery is None:
        yield
        return
    task = asyncio.create_task(recovery.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
