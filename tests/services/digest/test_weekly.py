"""Weekly digests: on the chosen weekday at the digest time, across DST; the week's best
stories of the weekly topics; and daily digests that leave those topics out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.clock.clocks import ManualClock
from services.digest.service import DigestPolicy
from services.storage import Database
from tests.services.frequency_world import FrequencyWorld

SIGNED_UP = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(db: Database, clock: ManualClock) -> FrequencyWorld:
    clock.set(SIGNED_UP)
    return FrequencyWorld(db, clock, DigestPolicy(per_topic=2))


async def weekly_moments(world: FrequencyWorld, start: datetime, days: int) -> list[str]:
    """Run the weekly builder every 15 minutes, recording what it builds; when it built."""
    moments = []
    moment = start
    while moment < start + timedelta(days=days):
        world.clock.set(moment)
        batch = await world.weekly.build_due(moment)
        created = await world.deliveries.create_many(batch.deliveries)
        moments += [f"{moment.isoformat()} {d.local_date}" for d in created]
        moment += timedelta(minutes=15)
    return moments


async def test_a_weekly_digest_comes_on_monday_at_the_digest_time_across_the_dst_change(
    world: FrequencyWorld,
) -> None:
    uranium = await world.topic("уран")
    await world.subscriber(1, timezone="Europe/London", digest_time="09:00")
    await world.follow(1, uranium, "weekly")

    # London moves from GMT to BST on Sunday 29 March 2026
    moments = await weekly_moments(world, datetime(2026, 3, 22, tzinfo=UTC), 14)

    assert moments == [
        "2026-03-23T09:00:00+00:00 week:2026-03-23",  # 09:00 GMT
        "2026-03-30T08:00:00+00:00 week:2026-03-30",  # 09:00 BST
    ]


async def test_weekday_moves_the_weekly_digest_to_the_chosen_day(world: FrequencyWorld) -> None:
    uranium = await world.topic("уран")
    await world.subscriber(1, timezone="Asia/Almaty", digest_time="09:00")
    await world.follow(1, uranium, "weekly")
    await world.preferences.set_weekday(1, 4)  # Friday

    moments = await weekly_moments(world, datetime(2026, 3, 22, tzinfo=UTC), 7)

    assert moments == ["2026-03-27T04:00:00+00:00 week:2026-03-27"]


async def test_the_weekly_digest_holds_the_weeks_best_stories_of_weekly_topics_only(
    world: FrequencyWorld,
) -> None:
    uranium, oil = await world.topic("уран"), await world.topic("нефть")
    await world.subscriber(1, timezone="Asia/Almaty", digest_time="09:00")
    await world.follow(1, uranium, "weekly")
    await world.follow(1, oil, "daily")
    monday = datetime(2026, 3, 23, 4, 0, tzinfo=UTC)
    for days, title in [(6, "Добыча урана выросла"), (3, "Уран подорожал"), (1, "Урановый рудник")]:
        await world.publish(
            title, f"{title}. Казатомпром сообщил об этом.", arrived=monday - timedelta(days=days)
        )
    await world.publish(
        "Уран в прошлом месяце", "Уран. Старые новости.", arrived=monday - timedelta(days=9)
    )
    await world.publish(
        "Нефть дешевеет", "Нефть дешевеет. Brent упала.", arrived=monday - timedelta(hours=2)
    )
    world.clock.set(monday)

    batch = await world.weekly.build_due(monday)

    (weekly,) = batch.deliveries
    text = "\n".join(weekly.parts)
    assert text.startswith("<b>Дайджест недели · 23 марта</b>")
    assert "Нефть" not in text and "прошлом месяце" not in text
    assert text.count("• ") == 2  # at most K stories per topic


async def test_a_daily_digest_leaves_out_weekly_and_realtime_topics_and_with_only_those_is_not_sent(
    world: FrequencyWorld,
) -> None:
    uranium, oil = await world.topic("уран"), await world.topic("нефть")
    await world.subscriber(1, timezone="Asia/Almaty", digest_time="09:00")
    await world.follow(1, uranium, "weekly")
    await world.follow(1, oil, "daily")
    await world.subscriber(2, timezone="Asia/Almaty", digest_time="09:00")
    await world.follow(2, uranium, "realtime")
    morning = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
    await world.publish(
        "Уран подорожал", "Уран подорожал. Спрос растёт.", arrived=morning - timedelta(hours=3)
    )
    await world.publish(
        "Нефть дешевеет", "Нефть дешевеет. Brent упала.", arrived=morning - timedelta(hours=2)
    )
    world.clock.set(morning)

    batch = await world.digests.build_due(morning)

    parts = {d.chat_id: d.parts for d in batch.deliveries}
    assert "Нефть дешевеет" in parts[1][0] and "Уран" not in parts[1][0]
    assert parts[2] == []  # recorded as empty: nothing is sent
