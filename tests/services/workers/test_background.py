"""A task beside a block: it runs while the block runs and is gone when the block ends."""

from __future__ import annotations

import asyncio

import pytest

from services.workers.background import running_beside


async def test_the_task_runs_while_the_block_runs_and_is_cancelled_at_its_end() -> None:
    beats: list[int] = []
    ended = asyncio.Event()

    async def heartbeat() -> None:
        try:
            while True:
                beats.append(len(beats))
                await asyncio.sleep(0.01)
        finally:
            ended.set()

    async with running_beside(heartbeat()):
        await asyncio.sleep(0.05)

    assert len(beats) >= 2
    assert ended.is_set()  # reaped before the block returned, not left behind
    count = len(beats)
    await asyncio.sleep(0.03)
    assert len(beats) == count


async def test_a_failure_of_the_task_is_raised_when_the_block_ends() -> None:
    async def failing() -> None:
        raise RuntimeError("heartbeat failed")

    with pytest.raises(RuntimeError, match="heartbeat failed"):
        async with running_beside(failing()):
            await asyncio.sleep(0.01)
