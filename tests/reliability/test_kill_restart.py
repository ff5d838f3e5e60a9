"""SIGKILL in the middle of an ingest pass and of a delivery pass, then a restart.

The real commands run as child processes (`python -m bot ingest`, `python -m bot
deliver --now`) against the local news site and the fake Telegram of this process.
Each is killed — with every worker process it started, as `docker kill` would — once
it is visibly half-way, then run again. Afterwards: every article is stored once and
fully processed (summary, lemma index, story), every subscriber has exactly one
digest for the day with each part received (a part in flight at the kill may come
twice, nothing more), and SQLite's integrity check passes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import open_services
from bot.config import Settings
from bot.demo.news_site import NewsSite
from bot.demo.telegram_server import FakeTelegramServer
from services.clock.clocks import SystemClock
from services.delivery.service import DeliveryPolicy
from services.storage import (
    Database,
    SubscriberRepository,
    SubscriptionRepository,
    TopicRepository,
)
from tests.conftest import TEST_TOKEN, MakeSettings
from tests.reliability.processes import BotProcess, child_env, until

pytestmark = pytest.mark.slow  # starts the bot as a child process
ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 48  # six in each of the site's eight section feeds
SUBSCRIBERS = 24
FIRST_CHAT = 8_000


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "newsdigest.db"


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the child's database from outside, as an operator would (WAL allows it)."""
    if not path.exists():
        return []
    with sqlite3.connect(path, timeout=10) as conn:
        try:
            return list(conn.execute(sql))
        except sqlite3.OperationalError:  # the schema is not there yet
            return []


def count(path: Path, table: str) -> int:
    rows = query(path, f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a table name of ours
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def write_sources(path: Path, site: NewsSite) -> None:
    path.write_text(
        "\n".join(
            f'[[sources]]\nurl = "{feed.url}"\nname = "{feed.name}"\nlanguage = "{feed.language}"\n'
            for feed in site.sources()
        ),
        encoding="utf-8",
    )


@dataclass(frozen=True)
class IngestCrash:
    database: Path
    stored_at_kill: int
    expected_urls: set[str]


async def crash_an_ingest_pass(folder: Path) -> IngestCrash:
    """`ingest` killed once the first articles are stored, then run again to the end."""
    db_path = database(folder)
    async with NewsSite(articles=ARTICLES) as site:
        write_sources(folder / "sources.toml", site)
        env = child_env(
            folder, allow_private_networks="true", topics_file=ROOT / "config" / "topics.toml"
        )
        first = await BotProcess(["ingest"], env, folder).start()
        await until(lambda: count(db_path, "articles") >= 4, 180, "the first articles stored")
        assert await first.kill() < 0
        stored_at_kill = count(db_path, "articles")
        assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
        second = await BotProcess(["ingest"], env, folder).start()
        assert await second.wait(300) == 0, second.log()
        return IngestCrash(db_path, stored_at_kill, {site.url(a.path) for a in site.articles})


@pytest.fixture(scope="module")
def ingest_crash(tmp_path_factory: pytest.TempPathFactory) -> IngestCrash:
    """One crash and restart, examined by the tests below (it costs two process starts)."""
    return asyncio.run(crash_an_ingest_pass(tmp_path_factory.mktemp("ingest-crash")))


def test_an_ingest_pass_killed_midway_and_rerun_stores_every_article_exactly_once(
    ingest_crash: IngestCrash,
) -> None:
    db_path = ingest_crash.database
    assert ingest_crash.stored_at_kill < ARTICLES, "the pass was not interrupted: nothing tested"
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    urls = [row[0] for row in query(db_path, "SELECT canonical_url FROM articles")]
    assert sorted(urls) == sorted(ingest_crash.expected_urls)  # none lost, none twice
    hashes = Counter(row[0] for row in query(db_path, "SELECT content_hash FROM articles"))
    assert hashes.most_common(1)[0][1] == 1
    summaries = query(db_path, "SELECT COUNT(*) FROM articles WHERE summary IS NULL")
    assert summaries == [(0,)]  # summarised before storing, so never half-done


def test_articles_cut_off_by_the_kill_are_indexed_and_clustered_after_the_restart(
    ingest_crash: IngestCrash,
) -> None:
    unfinished = query(
        ingest_crash.database,
        "SELECT a.canonical_url FROM articles a LEFT JOIN articles_fts f ON f.rowid = a.id"
        " WHERE a.lemmas IS NULL OR a.story_id IS NULL OR f.rowid IS NULL",
    )
    assert unfinished == []


async def seed_subscribers(db_path: Path, fake_telegram: FakeTelegramServer) -> list[int]:
    db = await Database.open(db_path)
    clock = SystemClock()
    subscribers = SubscriberRepository(db, clock)
    subscriptions = SubscriptionRepository(db, clock)
    topics = TopicRepository(db, clock)
    catalogue = {topic.slug: topic.id for topic in await topics.catalogue()}
    chats = list(range(FIRST_CHAT, FIRST_CHAT + SUBSCRIBERS))
    try:
        for chat_id in chats:
            fake_telegram.register_chat(chat_id)
            await subscribers.register(
                chat_id,
                chat_type="private",
                language="ru",
                timezone="Asia/Almaty",
                digest_time="09:00",
            )
            await subscribers.update(chat_id, digest_length=5)
            for slug in ("kazakhstan-russia", "energy-uranium", "eaeu"):
                await subscriptions.subscribe(chat_id, catalogue[slug])
    finally:
        await db.close()
    return chats


def seed_settings(folder: Path) -> dict[str, object]:
    return {
        "database_path": database(folder),
        "sources_file": folder / "sources.toml",
        "topics_file": ROOT / "config" / "topics.toml",
        "allow_private_networks": True,
    }


async def ingest_in_process(settings: Settings) -> None:
    """The news the digests are made of: one ingest pass, as the `ingest` command runs it."""
    async with open_services(settings) as services:
        report = await services.ingestor.run_pass(force=True)
    assert report.new > 0


async def test_a_delivery_pass_killed_midway_and_rerun_sends_each_digest_exactly_once(
    tmp_path: Path, fake_telegram: FakeTelegramServer, make_settings: MakeSettings
) -> None:
    db_path = database(tmp_path)
    base = child_env(
        tmp_path,
        allow_private_networks="true",
        topics_file=ROOT / "config" / "topics.toml",
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        send_rate=6,  # slow enough to be caught half-way
    )
    async with NewsSite(articles=32) as site:
        write_sources(tmp_path / "sources.toml", site)
        await ingest_in_process(make_settings(**seed_settings(tmp_path)))
    chats = await seed_subscribers(db_path, fake_telegram)

    first = await BotProcess(["deliver", "--now"], base, tmp_path).start()
    await until(lambda: len(fake_telegram.sent) >= 6, 120, "six messages sent")
    assert await first.kill() < 0
    sent_at_kill = len(fake_telegram.sent)
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]

    second = await BotProcess(["deliver", "--now"], base, tmp_path).start()
    assert await second.wait(300) == 0, second.log()

    deliveries = {
        int(row[0]): (str(row[1]), int(row[2]), int(row[3]), str(row[4]))  # type: ignore[call-overload]
        for row in query(
            db_path, "SELECT chat_id, status, parts_sent, parts_total, parts FROM deliveries"
        )
    }
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(deliveries) == chats  # one record per chat and day, for everybody
    total_parts = sum(parts_total for _, _, parts_total, _ in deliveries.values())
    assert sent_at_kill < total_parts, "the pass was not interrupted: nothing was tested"
    repeated = 0
    for chat_id, (status, parts_sent, parts_total, _) in deliveries.items():
        assert (status, parts_sent) == ("sent", parts_total), chat_id
        received = [message.raw_text for message in fake_telegram.messages(chat_id)]
        distinct = list(dict.fromkeys(received))
        assert len(distinct) == parts_total  # every part arrived: no digest lost
        assert len(received) - len(distinct) <= 1  # at most the part in flight came twice
        repeated += len(received) - len(distinct)
    assert repeated <= DeliveryPolicy(send_rate=6).workers  # only what was in flight at the kill
