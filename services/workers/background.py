"""A task that runs beside a block of code: started on entry, cancelled and awaited on exit.

Heartbeats, lease renewals and watchers live exactly as long as the work they serve; this
is the one place that starts, cancels and reaps them, so none is left running (or its
failure unseen) when the block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any


@contextlib.asynccontextmanager
async def running_beside(work: Coroutine[Any, Any, object]) -> AsyncIterator[None]:
    """Run `work` as a task while the block runs; on exit cancel it and wait for it to end
    (an exception it raised before then is raised here)."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
