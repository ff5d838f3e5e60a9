"""Delivery at scale: 10,000 subscribers across 50 topic sets, through the fake Bot API enforcing SEND_RATE.

The fake server runs in a process of its own (as Telegram would), with Telegram's limits on:
SEND_RATE messages a second overall, 1 a second per chat, 20 a minute per group. This
process builds every digest and sends them with the production DeliveryService and
TelegramSender. Printed: time to build all digests, achieved messages per second as a
ratio of SEND_RATE (the most the limit allows; goal >= 0.95), 429s caused (goal 0), and
this process's peak RSS (goal <= 250 MB). The baseline measured in the same run is what
the fake alone can take of the same messages, unpaced.

    .venv/bin/python benchmarks/delivery.py [--subscribers 10000] [--rate 60]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres [--replicas 1,2,3]]

With --database-url the same pass runs on PostgreSQL after SQLite, and the ratio of the
two is printed; --replicas then measures N replicas sharing one pass and one budget.

The default rate, 60, is higher than production's 25 so that the run takes four minutes
instead of ten; the pacing logic is the same at any rate. It stays well under what the
fake itself can handle on these messages (printed as the baseline), so the figures are
the pacer's and not the fake's: a fake near saturation answers late and unevenly, and
then anything that sends at its limit meets 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlsplit

IMPORT_RSS_MB = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.demo.telegram_client import close_session  # noqa: E402
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer  # noqa: E402
from bot.pacing import install_pacing  # noqa: E402
from bot.telegram import TelegramSender  # noqa: E402
from services.clock.clocks import ManualClock  # noqa: E402
from services.delivery.pacer import PacingPolicy  # noqa: E402
from services.delivery.service import DeliveryPolicy, PassReport  # noqa: E402
from services.delivery.shared_budget import SharedBudget  # noqa: E402
from services.storage import Database, PostgresDatabase, Store  # noqa: E402
from services.storage.models import NewArticle  # noqa: E402
from services.storage.replicas import ReplicaRegistry  # noqa: E402
from tests.postgres_server import create_database, drop_database  # noqa: E402
from tests.services.digest_world import World  # noqa: E402

AIOGRAM_RSS_MB = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - IMPORT_RSS_MB
NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
SUBJECTS = [
    ("уран", "Казатомпром"),
    ("нефть", "КТК"),
    ("Байконур", "Роскосмос"),
    ("тенге", "Нацбанк"),
    ("ЕАЭС", "Евразийская комиссия"),
    ("пшеница", "Минсельхоз"),
    ("пенсии", "Минтруда"),
    ("паводок", "МЧС"),
    ("АЭС", "Росатом"),
    ("бензин", "Минэнерго"),
    ("инфляция", "Бюро статистики"),
    ("Air Astana", "авиакомпания"),
    ("Kaspi", "банк"),
    ("футбол", "сборная"),
    ("Рыбакина", "WTA"),
    ("Токаев", "Акорда"),
    ("Мишустин", "правительство"),
    ("Лавров", "МИД"),
    ("Шымкент", "акимат"),
    ("Алматы", "акимат"),
]
OUTLETS = ["Tengrinews", "Kazinform", "ТАСС", "Интерфакс", "Kapital.kz", "РИА Новости"]
TIMEZONES = ["Asia/Almaty", "Europe/Moscow"]


def serve(connection: Connection, rate: float, chats: int) -> None:
    """The fake Bot API in a child process (no limits when `rate` is 0); reports when told."""

    async def run_server() -> None:
        limits = (
            {"global_rate": rate, "chat_rate": 1.0, "group_rate_per_minute": 20} if rate else {}
        )
        async with FakeTelegramServer(token=DEFAULT_TOKEN, **limits) as server:  # type: ignore[arg-type]
            for chat_id in range(1, chats + 1):
                server.register_chat(chat_id)
            connection.send(server.url)
            while not connection.poll():
                await asyncio.sleep(0.05)
            connection.recv()
            connection.send(
                {
                    "messages": len(server.sent),
                    "rate_limited": server.rate_limited,
                    "chats": len({message.chat_id for message in server.sent}),
                }
            )

    asyncio.run(run_server())


def start_server(rate: float, chats: int) -> tuple[multiprocessing.Process, Connection, str]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(child, rate, chats), daemon=True)
    process.start()
    return process, parent, parent.recv()


def stop_server(process: multiprocessing.Process, connection: Connection) -> dict[str, int]:
    connection.send("stop")
    seen: dict[str, int] = connection.recv()
    process.join(timeout=10)
    return seen


def bot_for_url(url: str) -> Bot:
    """A Bot talking to the fake at `url` (the server itself lives in the other process)."""
    return Bot(DEFAULT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))


def topic_sets(topic_ids: list[int], count: int) -> list[tuple[int, ...]]:
    """`count` distinct sets of one to three topics, the same in every run."""
    chooser = random.Random(7)
    found: list[tuple[int, ...]] = []
    while len(found) < count:
        picked = tuple(sorted(chooser.sample(topic_ids, chooser.randint(1, 3))))
        if picked not in found:
            found.append(picked)
    return found


async def populate(db: Store, clock: ManualClock, subscribers: int) -> World:
    """A day of articles on 20 subjects, indexed and clustered; subscribers in 50 topic sets.

    The digest stack is the `World` the digest and delivery tests run on, not a copy of it.
    """
    world = World(db, clock)
    articles, sources, topics = world.articles, world.sources, world.topics
    chooser = random.Random(11)
    topic_ids = []
    for number, (subject, _) in enumerate(SUBJECTS):
        topic = await topics.upsert_catalogue(
            f"topic-{number}", query=subject, title_ru=subject, title_en=subject, title_kk=subject
        )
        topic_ids.append(topic.id)
    for hour in range(24, 0, -1):
        for subject, agency in chooser.sample(SUBJECTS, 6):
            outlet = chooser.choice(OUTLETS)
            host = hashlib.md5(outlet.encode()).hexdigest()[:8]
            source = await sources.upsert(f"https://{host}.example/rss", name=outlet)
            clock.set(NOW - timedelta(hours=hour, minutes=chooser.randint(0, 59)))
            serial = f"{hour}-{subject}-{outlet}"
            url = f"https://{host}.example/{hashlib.md5(serial.encode()).hexdigest()}"
            summary = [
                f"{agency} сообщил, что {subject} остается в центре внимания, событие {hour}.",
                f"Эксперты ожидают продолжения на следующей неделе, отметка {hour * 7}.",
                "Подробности будут опубликованы позже.",
            ]
            article_id = await articles.add(
                NewArticle(
                    url=url,
                    canonical_url=url,
                    content_hash=hashlib.sha256(serial.encode()).hexdigest(),
                    language="ru",
                    title=f"{subject}: {agency} сообщил о событии {hour}-го часа",
                    text=" ".join(summary),
                    source_id=source.id,
                    published_at=clock.now(),
                    summary=summary,
                )
            )
            assert article_id is not None
            article = await articles.get(article_id)
            assert article is not None
            await world.index.index_article(article)
            await world.clusterer.assign_article(article)

    clock.set(NOW - timedelta(days=3))
    people = world.subscribers
    sets = topic_sets(topic_ids, 50)
    for chat_id in range(1, subscribers + 1):
        await people.register(
            chat_id,
            chat_type="private",
            language="ru",
            timezone=TIMEZONES[(chat_id // 50) % len(TIMEZONES)],
            digest_time="09:00",
        )
        for topic_id in sets[chat_id % len(sets)]:
            await world.subscriptions.subscribe(chat_id, topic_id)
    clock.set(NOW)
    return world


async def deliver_all(world: World, url: str, rate: float) -> PassReport:
    delivery = world.delivery(DeliveryPolicy(send_rate=rate))
    bot = bot_for_url(url)
    install_pacing(bot, PacingPolicy(send_rate=rate))  # as bot.app.build_bot does
    try:
        return await delivery.run_pass(TelegramSender(bot), everyone=True)
    finally:
        await close_session(bot.session)


async def server_capacity(sample: str, messages: int = 400) -> float:
    """Baseline: how many such messages a second the fake takes when nothing paces them."""
    process, connection, url = start_server(0, messages)
    bot = bot_for_url(url)
    sender = TelegramSender(bot)
    queue = list(range(1, messages + 1))

    async def worker() -> None:
        while queue:
            await sender.send_message(queue.pop(), sample)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(20)))
    elapsed = time.perf_counter() - started
    await close_session(bot.session)
    stop_server(process, connection)
    return messages / elapsed


async def one_store(
    name: str, subscribers: int, rate: float, database_url: str | None
) -> dict[str, float]:
    """Populate one store and deliver to everyone through the rate-limited fake: the figures."""
    process, connection, url = start_server(rate, subscribers)
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(NOW)
        target = await scratch_database(database_url, "bench") if database_url else None
        db: Store = (
            await PostgresDatabase.open(target)
            if target
            else await Database.open(Path(folder) / "bench.db")
        )
        try:
            started = time.perf_counter()
            world = await populate(db, clock, subscribers)
            print(
                f"[{name}] setup (not measured): a day of articles indexed and clustered,"
                f" {subscribers} subscribers in 50 topic sets, {time.perf_counter() - started:.1f} s"
            )
            report = await deliver_all(world, url, rate)
            row = await db.fetchone("SELECT parts FROM deliveries ORDER BY LENGTH(parts) DESC")
            sample = json.loads(row[0])[0] if row else "<b>digest</b>"
        finally:
            await db.close()
            if target and database_url:
                await drop_database(database_url, target)
    seen = stop_server(process, connection)
    achieved = report.parts_sent / report.send_seconds if report.send_seconds else 0.0
    print(
        f"[{name}] build: {report.built} digests in {report.build_seconds:.2f} s"
        f" ({report.build_seconds / max(report.built, 1) * 1000:.2f} ms each, recording included),"
        f" {report.renderings} distinct renderings"
    )
    print(
        f"[{name}] send: {report.parts_sent} messages to {report.completed} chats in"
        f" {report.send_seconds:.1f} s = {achieved:.1f} msg/s; SEND_RATE {rate:g} -> ratio"
        f" {achieved / rate:.3f} (goal >= 0.95)"
    )
    print(
        f"[{name}] 429s caused: {seen['rate_limited']} (goal 0); the server got {seen['messages']}"
        f" messages in {seen['chats']} chats; left pending {report.left_pending}"
    )
    return {
        "build": report.build_seconds,
        "ratio": achieved / rate,
        "sample": 0.0,
        "429": seen["rate_limited"],
        "_sample": sample,  # type: ignore[dict-item]
    }


async def run(
    subscribers: int,
    rate: float,
    database_url: str | None = None,
    replicas: Sequence[int] = (),
    replica_subscribers: int = 2000,
) -> None:
    sqlite = await one_store("sqlite", subscribers, rate, None)
    capacity = await server_capacity(str(sqlite["_sample"]))
    print(
        f"baseline: the fake alone takes {capacity:.0f} of these messages a second unpaced,"
        f" {capacity / rate:.1f}x SEND_RATE: the pacer, not the server, set the pace"
    )
    print(
        f"peak RSS of the delivering process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        f" (goal <= 250 MB; of it {AIOGRAM_RSS_MB + IMPORT_RSS_MB:.0f} MB is Python with aiogram"
        " and the services imported)"
    )
    if database_url is None:
        return
    postgresql = await one_store("postgresql", subscribers, rate, database_url)
    print(
        f"postgresql / sqlite, same run: build time {postgresql['build'] / sqlite['build']:.2f}x,"
        f" send ratio {postgresql['ratio'] / sqlite['ratio']:.3f}x"
    )
    if replicas:
        await replica_runs(database_url, replica_subscribers, rate, replicas)


async def scratch_database(server_url: str, prefix: str, template: str | None = None) -> str:
    """A new database on the server of `server_url` (its owner needs CREATEDB); its URL."""
    name = f"{prefix}_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    return await create_database(server_url, name, template)


async def replica_runs(
    database_url: str, subscribers: int, rate: float, counts: Sequence[int]
) -> None:
    """N delivery processes' worth of replicas on one PostgreSQL database and one budget.

    The digests are built and recorded once (setup); then N replicas, each with its own
    connections, claims, bot session and pacer at its heartbeat share of SEND_RATE, run a
    pass together against one fake Telegram enforcing SEND_RATE. They run in this one
    process (the machine has two cores; the database and the fake need them too), which
    tests the protocol (claims, shared budget) rather than more CPU.
    """
    template = await scratch_database(database_url, "bench_replicas_tpl")
    db = await PostgresDatabase.open(template)
    clock = ManualClock(NOW)
    try:
        world = await populate(db, clock, subscribers)
        batch = await world.digests.build_due(NOW, everyone=True)
        created = await world.deliveries.create_many(batch.deliveries)
        parts = sum(len(item.parts) for item in batch.deliveries if item.parts)
    finally:
        await db.close()
    print(
        f"replicas: {len(created)} digests recorded once ({parts} messages); each run starts"
        " from a copy of that database"
    )
    for count in counts:
        target = await scratch_database(
            database_url, "bench_replicas", template=urlsplit(template).path[1:]
        )
        process, connection, url = start_server(rate, subscribers)
        stores = [await PostgresDatabase.open(target) for _ in range(count)]
        bots: list[Bot] = []
        try:
            services = []
            for number, store in enumerate(stores):
                replica = World(store, ManualClock(NOW))
                bot = bot_for_url(url)
                pacer = install_pacing(bot, PacingPolicy(send_rate=rate))
                bots.append(bot)
                budget = SharedBudget(
                    ReplicaRegistry(store, replica.clock, replica_id=f"replica-{number}"),
                    pacer,
                    rate,
                )
                services.append((replica, bot, budget))
            for _, _, budget in services:
                await budget.refresh()
            shares = [await budget.refresh() for _, _, budget in services]
            started = time.perf_counter()
            reports = await asyncio.gather(
                *(
                    replica.delivery(DeliveryPolicy(send_rate=budget.share)).run_pass(
                        TelegramSender(bot), everyone=True
                    )
                    for replica, bot, budget in services
                )
            )
            elapsed = time.perf_counter() - started
        finally:
            for bot in bots:
                await close_session(bot.session)
            for store in stores:
                await store.close()
            await drop_database(database_url, target)
        seen = stop_server(process, connection)
        sent = sum(report.parts_sent for report in reports)
        window = max(report.send_seconds for report in reports)
        print(
            f"replicas={count}: shares {', '.join(f'{s:.1f}' for s in shares)} msg/s;"
            f" {sent} messages in {window:.1f} s = {sent / window:.1f} msg/s together,"
            f" ratio {sent / window / rate:.3f} of SEND_RATE (goal >= 0.95);"
            f" 429s {seen['rate_limited']} (goal 0); digests twice"
            f" {seen['messages'] - parts} (goal 0); split"
            f" {'/'.join(str(report.parts_sent) for report in reports)};"
            f" pass wall time {elapsed:.1f} s"
        )
    await drop_database(database_url, template)


def main() -> None:
    parser = argparse.ArgumentParser(description="Delivery at scale through the fake Bot API.")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=60.0, help="SEND_RATE for the run")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgresql://user@host:port/db, CREATEDB): the same figures"
        " on it in the same run, in scratch databases it creates and drops",
    )
    parser.add_argument(
        "--replicas",
        default="",
        help="with --database-url: replica counts sharing one budget, e.g. 1,2,3",
    )
    parser.add_argument("--replica-subscribers", type=int, default=2000)
    args = parser.parse_args()
    counts = [int(part) for part in args.replicas.split(",") if part.strip()]
    asyncio.run(
        run(args.subscribers, args.rate, args.database_url, counts, args.replica_subscribers)
    )


if __name__ == "__main__":
    main()
