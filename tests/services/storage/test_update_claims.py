"""Update claims: each update taken by one replica, a dead replica's unfinished ones taken over."""

from __future__ import annotations

from datetime import timedelta

from services.clock.clocks import ManualClock
from services.storage import Store
from services.storage.replicas import STALE_AFTER, ReplicaRegistry
from services.storage.update_claims import KEEP, UpdateClaims

UPDATE = '{"update_id": 7, "message": {"text": "/start"}}'


async def replica(db: Store, clock: ManualClock, name: str) -> UpdateClaims:
    """A replica that has said it is alive, and its claims."""
    await ReplicaRegistry(db, clock, replica_id=name).beat()
    return UpdateClaims(db, clock, owner=name)


async def test_an_update_is_taken_by_the_first_replica_that_claims_it(
    db: Store, clock: ManualClock
) -> None:
    first, second = await replica(db, clock, "a"), await replica(db, clock, "b")

    assert await first.claim(7, UPDATE) is True
    assert await second.claim(7, UPDATE) is False  # the same update again: skipped
    assert await first.claim(7, UPDATE) is False  # even by the replica that has it
    assert await second.claim(8, UPDATE) is True  # another update is free


async def test_a_live_replicas_unfinished_update_stays_its_own(
    db: Store, clock: ManualClock
) -> None:
    first, second = await replica(db, clock, "a"), await replica(db, clock, "b")
    await first.claim(7, UPDATE)

    clock.advance(STALE_AFTER / 2)  # a slow handler, its replica beating
    await ReplicaRegistry(db, clock, replica_id="a").beat()

    assert await second.take_over_orphans() == []


async def test_a_dead_replicas_unfinished_update_is_taken_over_once_with_its_payload(
    db: Store, clock: ManualClock
) -> None:
    dead = await replica(db, clock, "dead")
    await dead.claim(7, UPDATE)
    await dead.claim(8, UPDATE.replace("7", "8"))
    await dead.finish(8)

    clock.advance(STALE_AFTER + timedelta(seconds=1))  # it stopped beating
    first, second = await replica(db, clock, "a"), await replica(db, clock, "b")
    taken = await first.take_over_orphans()

    assert [(orphan.update_id, orphan.payload, orphan.was_claimed_by) for orphan in taken] == [
        (7, UPDATE, "dead")
    ]  # the finished one is not taken again
    assert await second.take_over_orphans() == []  # one replica takes it, not both
    assert await second.claim(7, UPDATE) is False  # Telegram sending it again changes nothing


async def test_a_taken_over_update_once_finished_is_nobodys_orphan(
    db: Store, clock: ManualClock
) -> None:
    dead = await replica(db, clock, "dead")
    await dead.claim(7, UPDATE)
    clock.advance(STALE_AFTER + timedelta(seconds=1))
    heir = await replica(db, clock, "heir")
    assert len(await heir.take_over_orphans()) == 1

    await heir.finish(7)
    await dead.finish(7)  # a late finish of the old owner changes nothing

    clock.advance(STALE_AFTER + timedelta(seconds=1))  # now the heir is gone too
    assert await (await replica(db, clock, "third")).take_over_orphans() == []


async def test_old_claims_are_pruned_and_recent_ones_kept(db: Store, clock: ManualClock) -> None:
    claims = await replica(db, clock, "a")
    await claims.claim(1, UPDATE)
    await claims.finish(1)
    clock.advance(KEEP + timedelta(minutes=1))
    await claims.claim(2, UPDATE)

    assert await claims.prune() == 1
    assert await claims.claim(1, UPDATE) is True  # forgotten
    assert await claims.claim(2, UPDATE) is False  # kept
