"""Replicas on one database: a role one process holds at a time, and the heartbeat."""

from __future__ import annotations

from datetime import timedelta

from services.clock.clocks import ManualClock
from services.storage import Store
from services.storage.replicas import STALE_AFTER, AdvisoryRoleLock, ReplicaRegistry, role_lock


async def test_a_role_is_held_by_one_at_a_time_and_free_again_once_released(db: Store) -> None:
    first, second = role_lock(db, "ingest"), role_lock(db, "ingest")
    other_role = role_lock(db, "polling")

    assert await first.try_acquire() is True
    assert await second.try_acquire() is False
    assert await other_role.try_acquire() is True  # roles are independent
    assert await first.still_held() is True

    await first.release()
    assert await second.try_acquire() is True
    await second.release()
    await other_role.release()


async def test_a_holder_whose_connection_dies_loses_the_role_to_the_next(db: Store) -> None:
    first, second = role_lock(db, "polling"), role_lock(db, "polling")
    assert await first.try_acquire()
    if not isinstance(first, AdvisoryRoleLock):
        await first.release()  # SQLite: one process; its locks die with it
        assert await second.try_acquire()
        return

    first._conn.terminate()  # what a SIGKILL does to the holder's connection

    assert await first.still_held() is False
    for _ in range(50):  # the server notices the closed socket at once
        if await second.try_acquire():
            break
    else:
        raise AssertionError("the role was not freed")
    await second.release()


async def test_live_replicas_are_those_seen_lately(db: Store, clock: ManualClock) -> None:
    first = ReplicaRegistry(db, clock, replica_id="a")
    second = ReplicaRegistry(db, clock, replica_id="b")

    assert await first.beat() == 1
    assert await second.beat() == 2

    clock.advance(STALE_AFTER + timedelta(seconds=1))  # `a` stopped beating
    assert await second.beat() == 1
    assert await first.beat() == 2
    await first.leave()
    assert await second.live() == 1
