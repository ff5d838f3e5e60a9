"""When the next digest comes, in the subscriber's zone, DST-safe, skipping a day already sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.clock.clocks import ManualClock
from services.digest.schedule import DigestSchedule, local_date, next_digest_at
from services.storage import Database, DeliveryRepository, SubscriberRepository
from services.storage.deliveries import NewDelivery
from tests.services.digest_world import make_subscriber

NOON_ALMATY = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)  # 12:00 at UTC+5


def test_a_digest_time_still_ahead_today_is_today() -> None:
    moment = next_digest_at(
        make_subscriber(digest_time="18:30"), NOON_ALMATY, delivered_today=False
    )

    assert moment.isoformat() == "2026-03-20T18:30:00+05:00"


def test_a_digest_time_already_passed_is_tomorrow() -> None:
    moment = next_digest_at(
        make_subscriber(digest_time="09:00"), NOON_ALMATY, delivered_today=False
    )

    assert moment.isoformat() == "2026-03-21T09:00:00+05:00"


def test_a_day_already_delivered_is_skipped() -> None:
    moment = next_digest_at(make_subscriber(digest_time="18:30"), NOON_ALMATY, delivered_today=True)

    assert moment.isoformat() == "2026-03-21T18:30:00+05:00"


def test_the_same_utc_moment_is_a_different_day_in_another_zone() -> None:
    late = datetime(2026, 3, 20, 22, 0, tzinfo=UTC)  # 03:00 next day in Almaty

    assert local_date(late, "Asia/Almaty") == "2026-03-21"
    assert local_date(late, "America/New_York") == "2026-03-20"
    moment = next_digest_at(make_subscriber(), late, delivered_today=False)
    assert moment.isoformat() == "2026-03-21T09:00:00+05:00"


def test_a_digest_time_inside_a_dst_gap_moves_just_after_it() -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29.
    night_before = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)

    moment = next_digest_at(
        make_subscriber("Europe/Berlin", "02:30"), night_before, delivered_today=False
    )

    assert moment.isoformat() == "2026-03-29T03:30:00+02:00"


def test_across_a_dst_change_the_local_time_stays_the_same() -> None:
    before = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Berlin, the day before summer time

    moment = next_digest_at(make_subscriber("Europe/Berlin"), before, delivered_today=False)

    assert moment.isoformat() == "2026-03-29T09:00:00+02:00"


@pytest.mark.parametrize("sent", [False, True])
async def test_schedule_reads_todays_delivery_from_the_database(db: Database, sent: bool) -> None:
    clock = ManualClock(NOON_ALMATY)
    subscribers = SubscriberRepository(db, clock)
    deliveries = DeliveryRepository(db, clock)
    registered, _ = await subscribers.register(
        1, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="18:00"
    )
    if sent:
        await deliveries.create_many([NewDelivery(1, "2026-03-20", ["x"], None, None)])

    moment = await DigestSchedule(deliveries, clock).next_digest(registered)

    assert moment is not None
    assert moment.date().isoformat() == ("2026-03-21" if sent else "2026-03-20")


async def test_a_paused_subscriber_has_no_next_digest(db: Database) -> None:
    clock = ManualClock(NOON_ALMATY)
    registered, _ = await SubscriberRepository(db, clock).register(
        2, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="18:00"
    )
    schedule = DigestSchedule(DeliveryRepository(db, clock), clock)

    assert await schedule.next_digest(replace(registered, paused=True)) is None
