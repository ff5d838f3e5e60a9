"""APScheduler jobs: ingest every INGEST_INTERVAL_MINUTES and then the realtime alert pass,
deliver (daily and weekly digests, alerts held back) every minute. No business logic."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.clock.clocks import Clock
from services.storage.replicas import RoleLock

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


def stopped_quietly(name: str, job: Job) -> Callable[[], Awaitable[None]]:
    """The job, which when the scheduler shuts down mid-pass says so in one INFO line.

    APScheduler cancels running jobs at shutdown and would log the cancellation as an
    ERROR with a traceback. Stopping mid-pass is normal: an ingest pass picks up at the
    next start and a delivery pass resumes from the parts it recorded.
    """

    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            log.info("%s pass stopped by shutdown", name)

    return run


def one_at_a_time(name: str, lock: RoleLock | None, job: Job) -> Job:
    """`job`, run only by the replica that takes `lock`; the others skip this turn.

    The lock dies with its holder's connection, so a pass killed midway is not waited
    for: the next turn on any replica runs it again, and what was stored stays stored.
    """
    if lock is None:
        return job

    async def run() -> None:
        if not await lock.try_acquire():
            log.info("%s pass skipped: another replica is running it", name)
            return
        try:
            await job()
        finally:
            await lock.release()

    return run


def then(first: Job, second: Job | None) -> Job:
    """`first`, then `second` (when there is one), even if `first` failed."""
    if second is None:
        return first

    async def run() -> None:
        try:
            await first()
        finally:
            await second()

    return run


def build_scheduler(
    clock: Clock,
    *,
    ingest: Job | None,
    deliver: Job | None,
    ingest_interval_minutes: int,
    after_ingest: Job | None = None,
    ingest_lock: RoleLock | None = None,
) -> AsyncIOScheduler:
    """An AsyncIOScheduler whose jobs never overlap themselves and coalesce missed runs.

    `after_ingest` (the realtime alert pass) runs right after each ingest pass, in the
    same job, so new stories are alerted as soon as they are stored. With `ingest_lock`
    (replicas on one database) one replica at a time runs that job.
    """
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60},
    )
    now = clock.now()
    if ingest is not None:
        scheduler.add_job(
            stopped_quietly(
                "ingest", one_at_a_time("ingest", ingest_lock, then(ingest, after_ingest))
            ),
            IntervalTrigger(minutes=ingest_interval_minutes),
            id="ingest",
            name="ingest",
            next_run_time=now + timedelta(seconds=5),
        )
    if deliver is not None:
        scheduler.add_job(
            stopped_quietly("deliver", deliver),
            IntervalTrigger(minutes=1),
            id="deliver",
            name="deliver",
            next_run_time=now + timedelta(seconds=15),
        )
    return scheduler
