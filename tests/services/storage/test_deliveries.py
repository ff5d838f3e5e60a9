"""Deliveries: one record per chat and local date, advanced part by part, exactly once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from services.clock.clocks import ManualClock
from services.storage import INTEGRITY_ERRORS, Database, DeliveryRepository, SubscriberRepository
from services.storage.deliveries import NewDelivery
from services.storage.models import Delivery

WINDOW = timedelta(hours=24)


@pytest.fixture
async def deliveries(db: Database, clock: ManualClock) -> DeliveryRepository:
    subscribers = SubscriberRepository(db, clock)
    for chat_id in (1, 2):
        await subscribers.register(
            chat_id, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="09:00"
        )
    return DeliveryRepository(db, clock)


async def create(
    repo: DeliveryRepository,
    clock: ManualClock,
    *,
    chat_id: int = 1,
    local_date: str = "2026-03-20",
    parts: list[str] | None = None,
    stories: tuple[int, ...] = (),
) -> Delivery:
    built = NewDelivery(
        chat_id,
        local_date,
        parts=["<b>Часть 1</b>", "Часть 2"] if parts is None else parts,
        window_start=clock.now() - WINDOW,
        window_end=clock.now(),
        story_ids=stories,
    )
    await repo.create_many([built])
    delivery = await repo.get(chat_id, local_date)
    assert delivery is not None
    return delivery


async def test_a_built_digest_is_recorded_pending_with_its_parts_and_window(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    delivery = await create(deliveries, clock, stories=(11, 12))

    assert delivery.status == "pending"
    assert delivery.parts == ["<b>Часть 1</b>", "Часть 2"]
    assert (delivery.parts_total, delivery.parts_sent, delivery.attempts) == (2, 0, 0)
    assert (delivery.window_start, delivery.window_end) == (clock.now() - WINDOW, clock.now())
    assert delivery.created_at == delivery.updated_at == clock.now()
    assert await deliveries.get(1, "2026-03-20") == delivery
    assert await deliveries.delivered_story_ids(1) == {11, 12}
    assert await deliveries.delivered_story_ids(2) == set()


async def test_a_second_digest_for_the_same_chat_and_date_is_never_recorded(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    first = await create(deliveries, clock, stories=(11,))
    clock.advance(timedelta(minutes=1))

    second = await create(deliveries, clock, parts=["другое"], stories=(99,))

    assert second == first
    assert await deliveries.delivered_story_ids(1) == {11}


async def test_another_date_or_another_chat_is_a_new_record(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    today = await create(deliveries, clock)
    tomorrow = await create(deliveries, clock, local_date="2026-03-21")
    other_chat = await create(deliveries, clock, chat_id=2)

    assert len({today.id, tomorrow.id, other_chat.id}) == 3


async def test_a_recorded_digest_moves_the_chats_next_window_to_start_where_it_ended(
    deliveries: DeliveryRepository, db: Database, clock: ManualClock
) -> None:
    almaty_morning = datetime.fromisoformat("2026-03-20T09:00:00+05:00")

    await deliveries.create_many(
        [
            NewDelivery(1, "2026-03-20", ["x"], window_start=None, window_end=almaty_morning),
            NewDelivery(2, "2026-03-20", [], window_start=None, window_end=almaty_morning),
        ]
    )

    first, second = [await SubscriberRepository(db, clock).get(chat) for chat in (1, 2)]
    assert first is not None and first.last_digest_at == almaty_morning
    assert first.last_digest_at is not None and first.last_digest_at.utcoffset() == timedelta(0)
    assert second is not None and second.last_digest_at is None  # nothing in it: window stays


async def test_a_naive_window_end_is_refused(deliveries: DeliveryRepository) -> None:
    naive = datetime(2026, 3, 20, 9, 0)  # noqa: DTZ001

    with pytest.raises(ValueError, match="naive"):
        await deliveries.create_many([NewDelivery(1, "2026-03-20", ["x"], None, naive)])
    assert await deliveries.get(1, "2026-03-20") is None


async def test_recording_many_returns_only_the_new_records_without_their_parts(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    existing = await create(deliveries, clock, chat_id=1)
    batch = [
        NewDelivery(chat_id, "2026-03-20", parts=["новое"], window_start=None, window_end=None)
        for chat_id in (1, 2)
    ]

    created = await deliveries.create_many(batch)

    assert [(d.chat_id, d.parts, d.parts_total) for d in created] == [(2, None, 1)]
    assert await deliveries.get(1, "2026-03-20") == existing


async def test_a_digest_with_nothing_in_it_is_recorded_as_empty(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    delivery = await create(deliveries, clock, parts=[])

    assert (delivery.status, delivery.parts_total) == ("empty", 0)
    assert await deliveries.unfinished() == []


async def test_parts_sent_advance_the_resume_point_and_the_last_one_completes_it(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    delivery = await create(deliveries, clock)

    await deliveries.mark_part_sent(delivery.id, 1)
    halfway = await deliveries.get(1, "2026-03-20")
    clock.advance(timedelta(seconds=2))
    await deliveries.mark_part_sent(delivery.id, 2)
    done = await deliveries.get(1, "2026-03-20")

    assert halfway is not None
    assert (halfway.status, halfway.parts_sent) == ("pending", 1)
    assert [d.id for d in await deliveries.unfinished()] == []
    assert done is not None
    assert (done.status, done.parts_sent, done.updated_at) == ("sent", 2, clock.now())


async def test_unfinished_deliveries_are_the_pending_ones_oldest_first(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    first = await create(deliveries, clock, chat_id=1)
    second = await create(deliveries, clock, chat_id=2)
    done = await create(deliveries, clock, chat_id=1, local_date="2026-03-19", parts=["x"])
    await deliveries.mark_part_sent(done.id, 1)

    assert [d.id for d in await deliveries.unfinished()] == [first.id, second.id]


async def test_a_failed_attempt_counts_and_records_the_error_and_retry_time(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    delivery = await create(deliveries, clock)
    retry_at = clock.now() + timedelta(minutes=5)

    await deliveries.set_status(
        delivery.id, "pending", error="TRANSIENT: timeout", next_attempt_at=retry_at
    )
    await deliveries.set_status(delivery.id, "failed", error="BAD_REQUEST: can't parse entities")
    failed = await deliveries.get(1, "2026-03-20")
    await deliveries.set_status(delivery.id, "blocked")
    blocked = await deliveries.get(1, "2026-03-20")

    assert failed is not None
    assert (failed.status, failed.attempts) == ("failed", 2)
    assert failed.last_error == "BAD_REQUEST: can't parse entities"
    assert failed.next_attempt_at is None
    assert blocked is not None
    assert (blocked.status, blocked.attempts) == ("blocked", 2)


async def test_a_status_outside_the_life_cycle_is_refused(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    delivery = await create(deliveries, clock)

    with pytest.raises(INTEGRITY_ERRORS, match="(?i)check"):
        await deliveries.set_status(delivery.id, "lost")  # type: ignore[arg-type]


async def test_only_completed_deliveries_count_as_sent(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    start = clock.now()
    sent = await create(deliveries, clock, chat_id=1, parts=["x"])
    await create(deliveries, clock, chat_id=2)
    await deliveries.mark_part_sent(sent.id, 1)

    assert await deliveries.count_sent_since(start) == 1
    assert await deliveries.count_sent_since(start + timedelta(seconds=1)) == 0


async def test_a_delivery_needs_a_registered_chat(
    deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    with pytest.raises(INTEGRITY_ERRORS, match="(?i)foreign key"):
        await create(deliveries, clock, chat_id=404)


async def test_an_unknown_delivery_is_none(deliveries: DeliveryRepository) -> None:
    assert await deliveries.get(1, "1999-01-01") is None


async def test_processes_claim_disjoint_deliveries_and_a_claim_holds_until_it_expires(
    db: Database, deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    for day in range(1, 6):
        await create(deliveries, clock, local_date=f"2026-03-0{day}")
    first = DeliveryRepository(db, clock, owner="first", lease=timedelta(seconds=60))
    second = DeliveryRepository(db, clock, owner="second", lease=timedelta(seconds=60))

    mine = await first.claim(limit=3)
    theirs = await second.claim(limit=10)

    assert [d.local_date for d in mine] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert mine[0].parts == ["<b>Часть 1</b>", "Часть 2"]  # a claim brings the parts to send
    if db.dialect.replicas:  # a live process's claim holds
        assert [d.local_date for d in theirs] == ["2026-03-04", "2026-03-05"]
        clock.advance(timedelta(seconds=61))  # `first` died: its claims expire
        assert {d.id for d in mine} <= {d.id for d in await second.claim(limit=10)}
    else:  # one process owns a SQLite file: another owner's claim is a dead process's
        assert len(theirs) == 5
    assert await first.mark_part_sent(mine[0].id, 1) is False  # taken over: first stops
    assert await second.mark_part_sent(mine[0].id, 1) is True


async def test_a_claim_renewed_by_its_owner_outlives_the_lease(
    db: Database, deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    await create(deliveries, clock)
    first = DeliveryRepository(db, clock, owner="first", lease=timedelta(seconds=60))
    second = DeliveryRepository(db, clock, owner="second", lease=timedelta(seconds=60))
    [claimed] = await first.claim(limit=1)

    for _ in range(3):
        clock.advance(timedelta(seconds=40))
        assert await first.renew_claims() == 1

    assert await first.claim(limit=1) == []  # its own claim is not handed out twice
    if db.dialect.replicas:
        assert await second.claim(limit=1) == []
    assert await first.mark_part_sent(claimed.id, 1) is True


async def test_left_pending_releases_the_claim_and_waits_for_its_retry_time(
    db: Database, deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    await create(deliveries, clock)
    first = DeliveryRepository(db, clock, owner="first")
    second = DeliveryRepository(db, clock, owner="second")
    [claimed] = await first.claim(limit=1)

    await first.leave_pending(claimed.id, error="429", retry_at=clock.now() + timedelta(minutes=5))

    assert await second.claim(limit=1) == []
    clock.advance(timedelta(minutes=5))
    assert [d.id for d in await second.claim(limit=1)] == [claimed.id]


async def test_claims_racing_on_one_database_never_share_a_delivery(
    db: Database, deliveries: DeliveryRepository, clock: ManualClock
) -> None:
    if not db.dialect.replicas:
        pytest.skip("one process owns a SQLite file: no other process claims")
    subscribers = SubscriberRepository(db, clock)
    for chat_id in range(100, 160):
        await subscribers.register(
            chat_id, chat_type="private", language="ru", timezone="UTC", digest_time="09:00"
        )
    await deliveries.create_many(
        [NewDelivery(chat, "2026-03-20", ["x"], None, None) for chat in range(100, 160)]
    )
    owners = [DeliveryRepository(db, clock, owner=f"p{n}") for n in range(4)]

    async def drain(repo: DeliveryRepository) -> list[int]:
        taken: list[int] = []
        while batch := await repo.claim(limit=3):
            taken += [d.chat_id for d in batch]
            for delivery in batch:
                assert await repo.mark_part_sent(delivery.id, 1)
        return taken

    taken = await asyncio.gather(*(drain(repo) for repo in owners))

    every = [chat for part in taken for chat in part]
    assert sorted(every) == list(range(100, 160))  # each exactly once
