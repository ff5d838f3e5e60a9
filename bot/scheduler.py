"""APScheduler jobs: ingest every INGEST_INTERVAL_MINUTES, deliver every minute. No business logic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.clock import Clock

Job = Callable[[], Awaitable[object]]


def build_scheduler(
    clock: Clock,
    *,
    ingest: Job | None,
    deliver: Job | None,
    ingest_interval_minutes: int,
) -> AsyncIOScheduler:
    """An AsyncIOScheduler whose jobs never overlap themselves and coalesce missed runs."""
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60},
    )
    now = clock.now()
    if ingest is not None:
        scheduler.add_job(
            ingest,
            IntervalTrigger(minutes=ingest_interval_minutes),
            id="ingest",
            name="ingest",
            next_run_time=now + timedelta(seconds=5),
        )
    if deliver is not None:
        scheduler.add_job(
            deliver,
            IntervalTrigger(minutes=1),
            id="deliver",
            name="deliver",
            next_run_time=now + timedelta(seconds=15),
        )
    return scheduler
