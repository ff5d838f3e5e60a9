"""Each Telegram update handled once across replicas (services/storage/update_claims.py).

`UpdateClaimMiddleware` comes before the bot's other outer middlewares: it claims every
update before anything reads the database for it, and drops an update already taken —
what a new polling leader gets again of what the dead one had fetched but not
confirmed, or a webhook delivery Telegram retries. A handler that returns or fails
finishes its claim (recorded a moment later, with the others finished meanwhile); one
cut short (its replica killed or stopped) leaves the claim open, and `OrphanRecovery`,
beside every replica, hands such updates of replicas gone stale to the dispatcher
again. Why a repeat over a loss: a person whose command got no answer is stuck, one who
gets the answer twice is not; the repeat happens only where the reply went out in the
moment before the replica died.
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
from services.workers.background import running_beside

log = logging.getLogger(__name__)

TAKEN_OVER = "update_taken_over"  # feed_update keyword: the update is this replica's already
FINISH_EVERY = 0.05  # seconds: finished updates are recorded together, this often
RECOVER_SECONDS = 2.0  # how often a replica looks for updates a dead one left unfinished
TAKE_AT_ONCE = 50  # orphans taken over by one look at the table
PRUNE_EVERY = timedelta(minutes=10)


class UpdateClaimMiddleware(BaseMiddleware):
    """Lets an update through only to the replica that claims it first.

    Claiming costs one statement before the handler; finishing is recorded after it,
    for all the updates finished within FINISH_EVERY together, so a replica spends about
    one statement per update. What a kill leaves unrecorded is handled again, as is any
    update whose reply went out just before its replica died.
    """

    def __init__(self, claims: UpdateClaims, *, finish_every: float = FINISH_EVERY) -> None:
        self.claims = claims
        self._finish_every = finish_every
        self._finished: list[int] = []
        self._recorder: asyncio.Task[None] | None = None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update = cast(Update, event)
        if not data.get(TAKEN_OVER):
            try:
                claimed = await self.claims.claim(update.update_id, update_json(update))
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
            self.finished(update.update_id)
            raise
        self.finished(update.update_id)
        return result

    def finished(self, update_id: int) -> None:
        """The update was handled; it is recorded with the others of the moment."""
        self._finished.append(update_id)
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_soon())

    async def _record_soon(self) -> None:
        while self._finished:
            await asyncio.sleep(self._finish_every)
            await self.flush()

    async def flush(self) -> None:
        """Record every update finished so far (a stop, a test)."""
        done, self._finished = self._finished, []
        if not done:
            return
        try:
            await self.claims.finish_many(done)
        except Exception as exc:  # handled all the same; only a takeover could repeat them
            log.warning("update claims not finished count=%d: %r", len(done), exc)

    async def close(self) -> None:
        """Stop recording in the background, and record what is left."""
        if self._recorder is not None:
            self._recorder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._recorder
        await self.flush()


def update_json(update: Update) -> str:
    """The update as Telegram sent it, to be handled again from the database."""
    return update.model_dump_json(exclude_none=True, by_alias=True)


class OrphanRecovery:
    """Takes over the updates that replicas gone stale left unfinished, and handles them."""

    def __init__(
        self,
        middleware: UpdateClaimMiddleware,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        every: float = RECOVER_SECONDS,
    ) -> None:
        self._middleware = middleware
        self._claims = middleware.claims
        self._dispatcher = dispatcher
        self._bot = bot
        self.every = every
        self._handling: set[asyncio.Task[None]] = set()

    async def recover(self) -> int:
        """Take over every orphan there is now, each handled in a task of its own; how many."""
        total = 0
        while True:
            taken = await self._take_over()
            total += taken
            if taken < TAKE_AT_ONCE:
                return total

    async def _take_over(self) -> int:
        orphans = await self._claims.take_over_orphans(limit=TAKE_AT_ONCE)
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
            self._middleware.finished(orphan.update_id)

    async def run(self) -> None:
        """Look every `every` seconds and prune old claims every PRUNE_EVERY, until cancelled."""
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

    async def close(self) -> None:
        """Record the updates finished so far."""
        await self._middleware.close()

    async def wait_handled(self) -> None:
        """Wait for the updates taken over so far to be handled (a stop, a test)."""
        if self._handling:
            await asyncio.gather(*self._handling, return_exceptions=True)


@contextlib.asynccontextmanager
async def recovering(recovery: OrphanRecovery | None) -> AsyncIterator[None]:
    """`recovery` runs for as long as the block does, and the updates finished by then are
    recorded at its end (nothing when None)."""
    if recovery is None:
        yield
        return
    try:
        async with running_beside(recovery.run()):
            yield
    finally:
        await recovery.close()
