"""Where ingestion's CPU work runs, so the event loop never does it.

Two pools with one interface (`await pool.run(function, *args, **kwargs)`):

- `ThreadPool`: an executor's threads (asyncio's default one unless given). Cheap to start,
  but the work shares the interpreter lock with the loop, which then runs only between a
  worker's slices: benchmarks/ingest.py measured worst loop stalls near 50 ms this way.
- `ProcessPool`: worker processes (spawned, so no state of the parent is copied; each
  runs the caller's warm-up once at start, ingestion's imports the extraction stack). The loop only pickles bytes in and a small
  result out: worst stalls near 20 ms. Workers start on first use; if one dies (a page
  that crashes a parser, the OOM killer) the pool is replaced and the call tried once more.

The functions run must be importable top-level functions with picklable arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import ParamSpec, Protocol, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class CpuPool(Protocol):
    async def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...


class ThreadPool:
    """CPU work in an executor's threads (None: asyncio's default thread pool)."""

    def __init__(self, executor: Executor | None = None) -> None:
        self._executor = executor

    async def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args, **kwargs))


BACKGROUND_NICENESS = 10


def yield_cpu_to_the_bot() -> None:
    """Lower this worker process's CPU priority.

    Workers do batch work (a pass over hundreds of articles); the bot's own process answers
    people. On a small machine both want the same cores, and the person should win.
    """
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice here
        os.nice(BACKGROUND_NICENESS)


def _start_worker(warm_up: Callable[[], object] | None) -> None:
    """A fresh worker: step back for the bot, then the caller's warm-up before the first job.

    The warm-up is given by the stage that owns the work (ingestion loads its extraction
    stack), so this bottom layer never imports the stages above it.
    """
    yield_cpu_to_the_bot()
    if warm_up is not None:
        warm_up()


class ProcessPool:
    """CPU work in worker processes; replaces itself when a worker dies."""

    def __init__(
        self, workers: int | None = None, *, warm_up: Callable[[], object] | None = None
    ) -> None:
        # One core is left to the event loop and the database.
        self.workers = workers or max(1, (os.cpu_count() or 2) - 1)
        self._warm_up = warm_up
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self._warm_up,),
            )
        return self._executor

    async def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        call = partial(function, *args, **kwargs)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), call)
        except BrokenProcessPool:
            log.warning("an ingestion worker died; starting a new pool")
            self.close()
            return await loop.run_in_executor(self._pool(), call)

    def close(self) -> None:
        """Stop the workers; queued work is cancelled. Idempotent."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
