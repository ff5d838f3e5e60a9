"""Delivery: each built digest to its chat through a `Sender`, paced, retried, exactly once.

Exactly once rests on the delivery record (services/storage/deliveries.py): the
parts are fixed when the digest is built, and `parts_sent` advances after every
part Telegram accepted. A pass killed at any moment is resumed by the next one at
the next unsent part, so a crash repeats at most the one part in flight. Only one
pass runs at a time, across processes too (an exclusive lock file that the
operating system releases when its holder dies, however it dies).

Pacing is not done here: every call the bot makes, digest parts included, takes its
turn from the one pacer behind the sender (services/delivery/pacer.py, installed in the
bot's session by bot/pacing.py), so replies and digests share one budget. A pass marks
its calls as digest traffic, so a person waiting for a reply goes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, cast

from services.clock.clocks import Clock
from services.delivery.pacer import Priority, sending_as
from services.delivery.sender import Sender, SendOutcome, SendResult, ThreadSender
from services.digest.render import html_to_plain
from services.digest.service import DigestBatch, DigestService
from services.storage.channels import ThreadRepository
from services.storage.deliveries import DeliveryRepository
from services.storage.models import Delivery
from services.storage.subscribers import SubscriberRepository
from services.workers.background import running_beside

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
CLAIM_BATCH = 20  # deliveries claimed at once: few enough that replicas share a pass
GROUP_GAP_SECONDS = 3.0  # a group's gap between two messages in the pacer: 20 a minute


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How fast to send and how hard to try before leaving a digest to the next pass."""

    send_rate: float = 25.0  # messages per second, all chats together (sets the workers)
    max_rate_limit_waits: int = 5  # 429s the sender reports for one message before leaving it
    transient_retries: int = 3  # network errors / 5xx for one message, retried with backoff
    backoff_seconds: float = 1.0  # first backoff; doubles on each retry
    retry_later: timedelta = timedelta(minutes=5)  # when a left-over delivery is tried again
    max_retry_after: float = 300.0  # a longer retry_after is capped and the digest left pending

    @property
    def workers(self) -> int:
        """Enough chats in flight to keep the pacer busy while each waits its gap (3 s in groups)."""
        return max(8, min(1000, int(self.send_rate * (GROUP_GAP_SECONDS + 2))))


@dataclass(slots=True)
class PassReport:
    """What one delivery pass did; logged as one line."""

    due: int = 0
    built: int = 0
    empty: int = 0
    resumed: int = 0
    completed: int = 0
    parts_sent: int = 0
    plain_fallbacks: int = 0
    parts_refused: int = 0
    rate_limited: int = 0
    transient_errors: int = 0
    left_pending: int = 0
    blocked: int = 0
    renderings: int = 0
    build_seconds: float = 0.0
    send_seconds: float = 0.0
    skipped_locked: bool = False
    errors: list[str] = field(default_factory=list)

    def log_line(self) -> str:
        return (
            f"due={self.due} built={self.built} empty={self.empty} resumed={self.resumed}"
            f" completed={self.completed} parts_sent={self.parts_sent}"
            f" plain_fallbacks={self.plain_fallbacks} refused={self.parts_refused}"
            f" rate_limited={self.rate_limited} transient={self.transient_errors}"
            f" pending={self.left_pending} blocked={self.blocked} renderings={self.renderings}"
            f" build_s={self.build_seconds:.2f} send_s={self.send_seconds:.2f}"
        )


@dataclass(frozen=True, slots=True)
class _Job:
    delivery_id: int
    chat_id: int
    parts: Sequence[str]
    parts_sent: int


class DueMessages(Protocol):
    """Another kind of message a pass sends besides daily digests (weekly digests, realtime
    alerts): built when due, then recorded and sent exactly like them."""

    async def build_due(self, now: datetime) -> DigestBatch: ...


class _PartFailed(Exception):
    """A part could not go out in this pass; the delivery stays where it is."""


class _ChatBlocked(Exception):
    """The chat blocked the bot."""


class PassLock:
    """An exclusive, non-blocking lock on a file: one delivery pass at a time per database.

    flock(2) locks die with their process, so a pass killed with SIGKILL never
    leaves the next one locked out.
    """

    def __init__(self, path: Path) -> None:
        self._path = path

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        """Yields True when this process holds the lock, False when another pass runs."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class DeliveryService:
    """Runs delivery passes: resume what was left, build what is due, send it all."""

    def __init__(
        self,
        *,
        clock: Clock,
        digests: DigestService,
        deliveries: DeliveryRepository,
        subscribers: SubscriberRepository,
        policy: DeliveryPolicy | None = None,
        lock_path: Path | None = None,
        sleep: Sleep = asyncio.sleep,
        also: Sequence[DueMessages] = (),
        threads: ThreadRepository | None = None,
    ) -> None:
        self._clock = clock
        self._digests = digests
        self._also = tuple(also)
        self._deliveries = deliveries
        self._subscribers = subscribers
        self.policy = policy or DeliveryPolicy()
        self._sleep = sleep
        self._lock = PassLock(lock_path) if lock_path else None
        self._in_process = asyncio.Lock()
        self._threads = threads
        self._thread_of: dict[int, int] = {}  # forum supergroups' threads, read per pass

    async def run_pass(self, sender: Sender, *, everyone: bool = False) -> PassReport:
        """One pass: finish left-over deliveries, then build and send every digest due now,
        and the weekly digests and realtime alerts due (`also`).

        `everyone` treats every active subscriber as due (their current local date),
        which is what `deliver --now` and demos use; a chat that already has a record
        for that date is still never sent a second digest.
        """
        report = PassReport()
        async with self._in_process, self._held() as held:
            if not held:
                report.skipped_locked = True
                log.warning("delivery pass skipped: another pass holds the lock")
                return report
            await self._run(sender, everyone=everyone, report=report)
        log.info("delivery pass %s", report.log_line())
        return report

    @contextlib.asynccontextmanager
    async def _held(self) -> AsyncIterator[bool]:
        if self._lock is None:
            yield True
            return
        async with self._lock.hold() as held:
            yield held

    async def _run(self, sender: Sender, *, everyone: bool, report: PassReport) -> None:
        now = self._clock.now()
        self._thread_of = await self._threads.all() if self._threads is not None else {}
        started = time.perf_counter()
        batches = [await self._digests.build_due(now, everyone=everyone)]
        created = await self._deliveries.create_many(batches[0].deliveries)
        for builder in self._also:
            batches.append(await builder.build_due(now))
            created += await self._deliveries.create_many(batches[-1].deliveries)
        report.build_seconds = time.perf_counter() - started
        report.due = sum(batch.due for batch in batches)
        report.renderings = sum(batch.renderings for batch in batches)
        report.built = len(created)
        report.empty = sum(1 for delivery in created if delivery.status == "empty")

        # Every pending delivery, new or left over, goes out through a claim: processes
        # sharing the database share the pass, and none sends what another holds.
        jobs = _Claims(self._deliveries, {delivery.id for delivery in created}, report)
        started = time.perf_counter()
        async with self._claims_renewed():
            await self._send_all(sender, jobs, report)
        report.send_seconds = time.perf_counter() - started

    @contextlib.asynccontextmanager
    async def _claims_renewed(self) -> AsyncIterator[None]:
        """Renew this process's claims while it sends (a part may wait out a long 429)."""
        lease = self._deliveries.lease

        async def renew() -> None:
            while True:
                await asyncio.sleep(lease.total_seconds() / 3)
                await self._deliveries.renew_claims()

        async with running_beside(renew()):
            yield

    async def _send_all(self, sender: Sender, jobs: _Claims, report: PassReport) -> None:
        async def worker() -> None:
            while True:
                job = await jobs.next()
                if job is None:
                    return
                try:
                    await self._deliver(sender, job, report)
                except Exception as exc:  # one chat's surprise must not stop the others
                    log.exception("delivery to chat_id=%s failed unexpectedly", job.chat_id)
                    report.errors.append(f"{job.chat_id}: {exc!r}")
                    report.left_pending += 1
                    await self._deliveries.leave_pending(
                        job.delivery_id,
                        error=f"unexpected: {exc!r}"[:500],
                        retry_at=self._clock.now() + self.policy.retry_later,
                    )

        workers = self.policy.workers
        with sending_as(Priority.DIGEST):  # the workers' tasks inherit it
            await asyncio.gather(*(worker() for _ in range(workers)))

    async def _deliver(self, sender: Sender, job: _Job, report: PassReport) -> None:
        for index in range(job.parts_sent, len(job.parts)):
            try:
                error = await self._send_part(sender, job, job.parts[index], report)
            except _PartFailed as exc:
                report.left_pending += 1
                await self._deliveries.leave_pending(
                    job.delivery_id,
                    error=str(exc)[:500],
                    retry_at=self._clock.now() + self.policy.retry_later,
                )
                log.warning(
                    "delivery left pending chat_id=%s part=%d/%d error=%s",
                    job.chat_id,
                    index + 1,
                    len(job.parts),
                    exc,
                )
                return
            except _ChatBlocked as exc:
                report.blocked += 1
                await self._deliveries.stop_blocked(job.delivery_id, job.chat_id, error=str(exc))
                log.info("chat blocked the bot chat_id=%s", job.chat_id)
                return
            report.parts_sent += 1
            if not await self._deliveries.mark_part_sent(job.delivery_id, index + 1, error=error):
                log.warning("delivery taken over by another process chat_id=%s", job.chat_id)
                return
        report.completed += 1

    async def _send_part(
        self, sender: Sender, job: _Job, part: str, report: PassReport
    ) -> str | None:
        """Send one part until Telegram takes it; returns an error note if it went out degraded.

        Raises _PartFailed (leave for the next pass) or _ChatBlocked.
        """
        text, as_html = part, True
        rate_limit_waits = transient = 0
        while True:
            result = await self._safe_send(sender, job.chat_id, text, as_html)
            outcome = result.outcome
            if outcome is SendOutcome.SENT:
                return None if as_html else f"sent as plain text: {result.error or 'HTML refused'}"
            if outcome is SendOutcome.BLOCKED:
                raise _ChatBlocked(result.error or "blocked")
            if outcome is SendOutcome.RETRY_AFTER:
                report.rate_limited += 1
                rate_limit_waits += 1
                if rate_limit_waits > self.policy.max_rate_limit_waits:
                    raise _PartFailed(f"rate limited {rate_limit_waits} times")
                # a paced sender has paused everyone already; this waits out the rest, if any
                await self._sleep(
                    min(max(result.retry_after or 1.0, 0.0), self.policy.max_retry_after)
                )
                continue
            if outcome is SendOutcome.BAD_REQUEST:
                if as_html:
                    report.plain_fallbacks += 1
                    text, as_html = html_to_plain(part), False
                    continue
                report.parts_refused += 1
                log.error(
                    "part refused even as plain text chat_id=%s error=%s", job.chat_id, result.error
                )
                return f"part refused: {result.error}"
            report.transient_errors += 1
            transient += 1
            if transient > self.policy.transient_retries:
                raise _PartFailed(f"transient: {result.error}")
            await self._sleep(self.policy.backoff_seconds * 2 ** (transient - 1))

    async def _safe_send(
        self, sender: Sender, chat_id: int, text: str, as_html: bool
    ) -> SendResult:
        """Senders map Telegram's answers; anything they raise anyway counts as transient.

        A forum supergroup that chose a thread is posted to there; only then is the
        sender asked for a thread (a sender that cannot do it fails as transient)."""
        thread = self._thread_of.get(chat_id)
        try:
            if thread is not None:
                return await cast(ThreadSender, sender).send_message(
                    chat_id, text, html=as_html, thread_id=thread
                )
            return await sender.send_message(chat_id, text, html=as_html)
        except Exception as exc:
            log.warning("sender raised chat_id=%s error=%r", chat_id, exc)
            return SendResult(SendOutcome.TRANSIENT, error=repr(exc))


class _Claims:
    """The pass's work: pending deliveries claimed a few at a time as workers free up.

    Small claims let processes that share the database share a pass evenly; the
    deliveries created by this pass count as built, the others as resumed.
    """

    def __init__(
        self, deliveries: DeliveryRepository, created: set[int], report: PassReport
    ) -> None:
        self._deliveries = deliveries
        self._created = created
        self._report = report
        self._buffer: deque[Delivery] = deque()
        self._lock = asyncio.Lock()
        self._exhausted = False

    async def next(self) -> _Job | None:
        async with self._lock:
            if not self._buffer and not self._exhausted:
                claimed = await self._deliveries.claim(limit=CLAIM_BATCH)
                self._exhausted = not claimed
                self._buffer.extend(claimed)
                self._report.resumed += sum(1 for d in claimed if d.id not in self._created)
            if not self._buffer:
                return None
            delivery = self._buffer.popleft()
        return _job(delivery, delivery.parts or [])


def _job(delivery: Delivery, parts: Sequence[str]) -> _Job:
    return _Job(
        delivery_id=delivery.id,
        chat_id=delivery.chat_id,
        parts=parts,
        parts_sent=delivery.parts_sent,
    )
