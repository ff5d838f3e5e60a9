"""The scheduler's jobs: on their interval, and stopped without alarm at shutdown."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.scheduler import build_scheduler
from services.clock.clocks import SystemClock


async def test_a_pass_cut_short_by_shutdown_is_an_info_line_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def long_pass() -> None:
        started.set()
        await asyncio.Event().wait()  # a pass waiting out its spread

    scheduler = build_scheduler(
        SystemClock(), ingest=None, deliver=long_pass, ingest_interval_minutes=30
    )
    scheduler.get_job("deliver").modify(next_run_time=SystemClock().now())
    caplog.set_level(logging.INFO)
    scheduler.start()
    await asyncio.wait_for(started.wait(), 5)

    scheduler.shutdown(wait=False)
    await asyncio.sleep(0.1)

    assert [r.levelname for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "deliver pass stopped by shutdown" in caplog.messages


async def nothing() -> None:
    return None


async def test_both_jobs_are_scheduled_soon_after_start() -> None:
    now = SystemClock().now()

    scheduler = build_scheduler(
        SystemClock(), ingest=nothing, deliver=nothing, ingest_interval_minutes=30
    )

    ingest, deliver = scheduler.get_job("ingest"), scheduler.get_job("deliver")
    assert 0 < (ingest.next_run_time - now).total_seconds() <= 6
    assert 0 < (deliver.next_run_time - now).total_seconds() <= 16
    assert ingest.trigger.interval.total_seconds() == 30 * 60
