"""Two bot processes on one PostgreSQL database: they share a delivery pass and never send a
digest twice, even when one is SIGKILLed mid-pass; one polls Telegram at a time, and when
it dies the other takes over.

Real child processes (`python -m bot deliver --now`, `python -m bot run`) against the
test run's PostgreSQL server and the fake Telegram of this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.demo.telegram_server import FakeTelegramServer
from services.clock.clocks import SystemClock
from services.storage import DeliveryRepository, PostgresDatabase, SubscriberRepository
from services.storage.deliveries import NewDelivery
from tests.conftest import TEST_TOKEN
from tests.postgres_server import PostgresServer
from tests.reliability.processes import BotProcess, child_env, until

pytestmark = pytest.mark.slow  # starts bots as child processes
ROOT = Path(__file__).resolve().parents[2]
CHATS = 2000
FIRST_CHAT = 100_000
LEASE_SECONDS = 5  # DELIVERY_LEASE_SECONDS of the replicas: a kill's claims expire soon


async def seed_pending_digests(
    url: str, fake_telegram: FakeTelegramServer, count: int = CHATS
) -> list[int]:
    """`count` subscribers, each with today's digest built and not yet sent (one part)."""
    db = await PostgresDatabase.open(url)
    clock = SystemClock()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    today = datetime.now(UTC).date().isoformat()
    try:
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO subscribers (chat_id, timezone, digest_time, created_at, updated_at)"
                " VALUES (?, 'UTC', '09:00', ?, ?)",
                [(chat, today, today) for chat in chats],
            )
        await DeliveryRepository(db, clock).create_many(
            [NewDelivery(chat, today, [f"digest for {chat}"], None, None) for chat in chats]
        )
        assert len(await SubscriberRepository(db, clock).list_active()) == count
    finally:
        await db.close()
    for chat in chats:
        fake_telegram.register_chat(chat)
    return chats


async def statuses(url: str) -> Counter[str]:
    db = await PostgresDatabase.open(url)
    try:
        rows = await db.fetchall("SELECT status FROM deliveries")
    finally:
        await db.close()
    return Counter(str(row[0]) for row in rows)


async def held_by(url: str, pid: int) -> dict[int, datetime]:
    """The pending deliveries claimed by process `pid`: chat -> when its claim ends."""
    db = await PostgresDatabase.open(url)
    try:
        rows = await db.fetchall(
            "SELECT chat_id, claim_until FROM deliveries WHERE status = 'pending'"
            " AND claimed_by LIKE ?",
            (f"%:{pid}:%",),
        )
    finally:
        await db.close()
    return {int(row[0]): datetime.fromisoformat(str(row[1])) for row in rows}


async def test_two_replicas_share_a_pass_and_a_kill_loses_and_doubles_no_digest(
    tmp_path: Path, fake_telegram: FakeTelegramServer, postgres_server: PostgresServer
) -> None:
    url = await postgres_server.fresh_database()
    chats = await seed_pending_digests(url, fake_telegram)
    env = child_env(
        tmp_path,
        database_url=url,
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        send_rate=100,
        delivery_lease_seconds=LEASE_SECONDS,
        topics_file=ROOT / "config" / "topics.toml",
    )

    doomed = await BotProcess(["deliver", "--now"], env, tmp_path).start()
    survivor = await BotProcess(["deliver", "--now"], env, tmp_path).start()
    await until(lambda: len(fake_telegram.sent) >= 500, 40, "500 digests sent")
    assert doomed.process is not None
    assert await doomed.kill() < 0
    sent_at_kill = len(fake_telegram.sent)
    orphans = await held_by(url, doomed.process.pid)
    assert orphans, "the killed replica held no claim: nothing tested"
    # The survivor's pass outlasts the lease (~1,500 digests at 50-100 msg/s), so it
    # finishes what the dead replica held once that replica's claims have expired.
    assert await survivor.wait(90) == 0, survivor.log()
    assert sent_at_kill < CHATS, "the pass was over before the kill: nothing tested"

    assert (await statuses(url))["sent"] == CHATS
    received = Counter(message.chat_id for message in fake_telegram.sent)
    assert sorted(received) == chats  # no digest lost
    doubled = [chat for chat, times in received.items() if times > 1]
    assert all(received[chat] == 2 for chat in doubled)  # at most the part in flight, once
    assert set(doubled) <= set(orphans)  # and only where the dead replica held the claim
    last_to = {message.chat_id: message.date for message in fake_telegram.sent}
    for chat, claim_until in orphans.items():  # nobody took a claim before its lease ended
        assert last_to[chat] >= int(claim_until.timestamp()), chat
    by_survivor = int(re.findall(r"messages sent (\d+)", survivor.log())[-1])
    assert 0 < by_survivor < CHATS  # the pass was shared between the replicas


async def test_one_replica_polls_the_other_takes_over_when_it_dies_and_each_update_is_answered(
    tmp_path: Path, fake_telegram: FakeTelegramServer, postgres_server: PostgresServer
) -> None:
    url = await postgres_server.fresh_database()
    env = child_env(
        tmp_path,
        database_url=url,
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        topics_file=ROOT / "config" / "topics.toml",
    )
    first = await BotProcess(["run"], env, tmp_path).start()
    await until(lambda: "polling: this replica leads" in first.log(), 40, "the first to lead")
    second = await BotProcess(["run"], env, tmp_path).start()
    await until(lambda: "bot started" in second.log(), 40, "the second replica up")

    for chat in range(1, 21):
        fake_telegram.inject_message(chat, "/start")
    await fake_telegram.wait_until(
        lambda: all(fake_telegram.messages(chat) for chat in range(1, 21)), timeout=30
    )
    assert "polling: this replica leads" not in second.log()  # a standby never polled

    # A crowd writes at once: the leader fetches (and so confirms) every update, and most
    # of them wait for their turn to reply at its half of SEND_RATE when it is killed.
    crowd = range(21, 221)
    for chat in crowd:
        fake_telegram.inject_message(chat, "/start")
    await until(lambda: len(fake_telegram.sent) >= 40, 30, "the crowd being answered")
    assert await first.kill() < 0
    killed_at = asyncio.get_running_loop().time()
    answered_at_kill = sum(1 for chat in crowd if fake_telegram.messages(chat))
    await until(lambda: "polling: this replica leads" in second.log(), 15, "the takeover")
    assert asyncio.get_running_loop().time() - killed_at < 5  # within a few seconds

    for chat in range(221, 231):
        fake_telegram.inject_message(chat, "/start")
    await fake_telegram.wait_until(
        lambda: all(fake_telegram.messages(chat) for chat in range(1, 231)), timeout=90
    )
    await asyncio.sleep(2)  # one more look for unfinished updates: nothing more comes
    await second.stop()

    assert answered_at_kill < len(crowd), "the crowd was answered before the kill: nothing tested"
    assert "took over updates a dead replica left unfinished" in second.log()
    welcomes = Counter(message.chat_id for message in fake_telegram.sent)
    assert sorted(welcomes) == list(range(1, 231))  # every update answered, none lost
    once = welcomes[1]
    repeated = [chat for chat, count in welcomes.items() if count != once]
    # Twice at most, and only where the reply went out in the moment before the kill.
    assert all(welcomes[chat] == 2 * once for chat in repeated), welcomes
    assert len(repeated) <= 3, repeated


class SendCounter:
    """How many messages the fake Telegram has accepted, sampled every 50 ms."""

    def __init__(self, fake_telegram: FakeTelegramServer) -> None:
        self._fake = fake_telegram
        self.samples: list[tuple[float, int]] = []
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self.samples.append((loop.time(), len(self._fake.sent)))
            await asyncio.sleep(0.05)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def most_in(self, seconds: float) -> int:
        """The most messages accepted within any `seconds` of the run."""
        most, first = 0, 0
        for at, count in self.samples:
            while self.samples[first][0] < at - seconds:
                first += 1
            most = max(most, count - self.samples[first][1])
        return most


async def test_a_deliver_run_beside_a_replica_takes_its_share_of_send_rate(
    tmp_path: Path, fake_telegram: FakeTelegramServer, postgres_server: PostgresServer
) -> None:
    send_rate, digests, greetings, window = 20, 200, 500, 3.0
    url = await postgres_server.fresh_database()
    chats = await seed_pending_digests(url, fake_telegram, digests)
    env = child_env(
        tmp_path,
        database_url=url,
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        send_rate=send_rate,
        topics_file=ROOT / "config" / "topics.toml",
    )
    replica = await BotProcess(["run"], env, tmp_path).start()
    await until(lambda: "polling: this replica leads" in replica.log(), 40, "the replica polling")
    counter = SendCounter(fake_telegram)
    counter.start()
    for chat in range(1, greetings + 1):  # replies keep the replica sending all along
        fake_telegram.inject_message(chat, "/start")
    await until(lambda: len(fake_telegram.sent) >= 2 * send_rate, 30, "the replica sending")

    deliver = await BotProcess(["deliver", "--now"], env, tmp_path).start()
    assert await deliver.wait(90) == 0, deliver.log()
    replies_left = sum(1 for chat in range(1, greetings + 1) if not fake_telegram.messages(chat))
    everyone = [*range(1, greetings + 1), *chats]  # the replica's pass may hold some digests
    await fake_telegram.wait_until(
        lambda: all(fake_telegram.messages(chat) for chat in everyone), timeout=60
    )
    await counter.stop()
    await replica.stop()

    assert replies_left > 0, "the replica was done before the deliver run: nothing shared"
    received = Counter(message.chat_id for message in fake_telegram.sent)
    assert [chat for chat in chats if received[chat] != 1] == []  # every digest, once
    # Together they kept to SEND_RATE (a little over it at most, where a share changes).
    assert counter.most_in(window) <= send_rate * window * 1.1
    assert 'msg="send budget shared" replicas=2' in deliver.log()  # it joined the heartbeat
