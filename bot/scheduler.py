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
) -> AsyncIOScheduler:
    """An AsyncIOScheduler whose jobs never overlap themselves and coalesce missed runs.

    `after_ingest` (the realtime alert pass) runs right after each ingest pass, in the
    same job, so new stories are alerted as soon as they are stored.
    """
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60},
    )
    now = clock.now()
    if ingest is not None:
        scheduler.add_job(
            stopped_quietly("ingest", then(ingest, after_ingest)),
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
