"""One send budget across replicas: SEND_RATE split among those alive, taken back when one goes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from services.clock.clocks import ManualClock
from services.delivery.pacer import Pacer
from services.delivery.shared_budget import SharedBudget
from services.storage import Store
from services.storage.replicas import STALE_AFTER, ReplicaRegistry


def budget(db: Store, clock: ManualClock, name: str, pacer: Pacer) -> SharedBudget:
    return SharedBudget(ReplicaRegistry(db, clock, replica_id=name), pacer, 24.0, every=0.01)


async def test_live_replicas_split_the_rate_and_take_a_leavers_share_back(
    db: Store, clock: ManualClock
) -> None:
    pacers = [Pacer(24.0), Pacer(24.0), Pacer(24.0)]
    budgets = [budget(db, clock, f"r{n}", pacer) for n, pacer in enumerate(pacers)]

    for each in budgets:
        await each.refresh()
    for each in budgets:
        assert await each.refresh() == 8.0
    assert sum(pacer.rate for pacer in pacers) <= 24.0
    assert sum(pacer.rate for pacer in pacers) == pytest.approx(24.0, rel=0.02)

    await budgets[2].leave()
    assert await budgets[0].refresh() == 12.0

    clock.advance(STALE_AFTER + timedelta(seconds=1))  # r1 died without leaving
    assert await budgets[0].refresh() == 24.0
    assert pacers[0].rate == pytest.approx(24.0, rel=0.02)


async def test_a_process_taking_part_for_a_while_is_counted_for_exactly_that_while(
    db: Store, clock: ManualClock
) -> None:
    replica_pacer, visitor_pacer = Pacer(24.0), Pacer(24.0)
    replica = budget(db, clock, "replica", replica_pacer)
    visitor = budget(db, clock, "deliver-run", visitor_pacer)
    await replica.refresh()

    async with visitor.taking_part() as share:
        assert share == 12.0  # it joined: the token's rate is split with the replica
        assert await replica.refresh() == 12.0
        assert replica_pacer.rate + visitor_pacer.rate <= 24.0
        await asyncio.sleep(0.05)  # it keeps beating while it sends
        assert await replica.refresh() == 12.0

    assert await replica.refresh() == 24.0  # it left: the whole rate is the replica's again
