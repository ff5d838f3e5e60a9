"""CPU pools: work runs off the event loop, and a dead worker process does not stop ingestion."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool
from functools import partial

import pytest

from services.workers.cpu_pool import BACKGROUND_NICENESS, ProcessPool, ThreadPool


@pytest.fixture
async def processes() -> AsyncIterator[ProcessPool]:
    pool = ProcessPool(workers=1)
    try:
        yield pool
    finally:
        pool.close()


async def test_a_thread_pool_runs_work_outside_the_loop_thread() -> None:
    worker = await ThreadPool().run(threading.get_ident)
    assert worker != threading.get_ident()


async def test_a_process_pool_runs_work_in_another_process(processes: ProcessPool) -> None:
    assert await processes.run(os.getpid) != os.getpid()


async def test_a_process_pool_replaces_itself_after_a_worker_dies(processes: ProcessPool) -> None:
    first = await processes.run(os.getpid)
    with pytest.raises(BrokenProcessPool):
        await processes.run(os._exit, 3)  # dies, and dies again on the one retry

    replaced = await processes.run(os.getpid)

    assert replaced not in (first, os.getpid())


def test_by_default_one_core_is_left_to_the_loop() -> None:
    assert ProcessPool().workers == max(1, (os.cpu_count() or 2) - 1)


async def test_worker_processes_run_at_a_lower_priority_than_the_bot(
    processes: ProcessPool,
) -> None:
    ours = os.nice(0)

    theirs = await processes.run(os.nice, 0)

    assert theirs == min(19, ours + BACKGROUND_NICENESS)
    assert os.nice(0) == ours  # the bot's own process keeps its priority


async def test_each_worker_runs_the_callers_warm_up_before_its_first_job() -> None:
    ours = os.nice(0)
    pool = ProcessPool(workers=1, warm_up=partial(os.nice, 1))  # a warm-up the job can see
    try:
        theirs = await pool.run(os.nice, 0)
    finally:
        pool.close()

    assert theirs == min(19, ours + BACKGROUND_NICENESS + 1)
