"""Realtime alerts at scale: time from a story's ingest to its alert at 10,000 realtime
subscribers, and what realtime matching adds to an ingest pass.

In one run, on one SQLite file:
- baseline: storing, indexing and clustering one pass of new articles (the part of an
  ingest pass after the network), then the matching of realtime topics over that pass;
  matching is reported as a share of the baseline (goal ≤ 10%);
- latency: a story ingested, then the realtime pass (match, build every alert, record
  them); each alert's send time is when SEND_RATE lets it out (the pacer's budget, the
  Telegram side not simulated), so p99 = pass time + its place in the queue / SEND_RATE.
  Goal: p99 within one ingest interval plus 10,000 / SEND_RATE.

    .venv/bin/python benchmarks/realtime.py [--subscribers 10000] [--articles 200]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.clock.clocks import ManualClock  # noqa: E402
from services.digest.alerts import AlertService  # noqa: E402
from services.digest.service import DigestService  # noqa: E402
from services.storage import (  # noqa: E402
    ArticleRepository,
    Database,
    DeliveryRepository,
    SourceRepository,
    SubscriberRepository,
    SubscriptionRepository,
    TopicRepository,
)
from services.storage.alert_queue import AlertQueueRepository  # noqa: E402
from services.storage.convert import to_db_time  # noqa: E402
from services.storage.frequencies import FrequencyRepository, PreferenceRepository  # noqa: E402
from services.storage.models import NewArticle  # noqa: E402
from services.storage.own_sources import OwnSourceRepository  # noqa: E402
from services.storage.stories import StoryRepository  # noqa: E402
from services.stories.clustering import StoryClusterer  # noqa: E402
from services.topics.index import TopicIndex  # noqa: E402

START = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)  # 11:00 in Almaty: no quiet hours
SEND_RATE = 25.0
INTERVAL_S = 30 * 60.0
SUBJECTS = ["нефть", "газ", "тенге", "Байконур", "зерно", "выборы", "погода", "банк"]


async def run(subscribers: int, articles: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(START - timedelta(days=1))
        db = await Database.open(Path(folder) / "bench.db")
        subs = SubscriberRepository(db, clock)
        topics = TopicRepository(db, clock)
        subscriptions = SubscriptionRepository(db, clock)
        sources = SourceRepository(db, clock)
        article_repo = ArticleRepository(db, clock)
        deliveries = DeliveryRepository(db, clock)
        stories = StoryRepository(db)
        index = TopicIndex(db, article_repo, subscriptions)
        clusterer = StoryClusterer(clock=clock, articles=article_repo, stories=stories)
        frequencies = FrequencyRepository(db)
        digests = DigestService(
            clock=clock,
            subscribers=subs,
            subscriptions=subscriptions,
            deliveries=deliveries,
            articles=article_repo,
            stories=stories,
            search=index,
            clusterer=clusterer,
            frequencies=frequencies,
        )
        queue = AlertQueueRepository(db)
        plain = AlertService(
            digests=digests,
            search=index,
            topics=topics,
            frequencies=frequencies,
            preferences=PreferenceRepository(db),
            subscribers=subs,
            queue=queue,
        )
        # as bot/app.py wires it: own sources' articles alert only the chats that added them
        alerts = AlertService(
            digests=digests,
            search=index,
            topics=topics,
            frequencies=frequencies,
            preferences=PreferenceRepository(db),
            subscribers=subs,
            queue=queue,
            own_sources=OwnSourceRepository(db, clock),
        )
        uranium = await topics.upsert_catalogue(
            "uranium", query="уран", title_ru="Уран", title_en="Uranium", title_kk="Уран"
        )
        async with db.transaction() as conn:
            now = clock.now().isoformat()
            await conn.executemany(
                "INSERT INTO subscribers (chat_id, timezone, digest_time, created_at, updated_at)"
                " VALUES (?, 'Asia/Almaty', '09:00', ?, ?)",
                [(chat, now, now) for chat in range(1, subscribers + 1)],
            )
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, topic_id, created_at, frequency)"
                " VALUES (?, ?, ?, 'realtime')",
                [(chat, uranium.id, now) for chat in range(1, subscribers + 1)],
            )
        source = await sources.upsert("https://bench.example/feed", name="Bench")
        clock.set(START)
        await alerts.match_new(START)  # the watermark

        async def ingest(titles: list[str]) -> None:
            for title in titles:
                url = f"https://bench.example/{hashlib.sha1(title.encode()).hexdigest()[:12]}"
                article_id = await article_repo.add(
                    NewArticle(
                        url=url,
                        canonical_url=url,
                        content_hash=hashlib.sha256(url.encode()).hexdigest(),
                        language="ru",
                        title=title,
                        text=f"{title}. Подробности позже. " * 5,
                        source_id=source.id,
                        published_at=clock.now(),
                        summary=[f"{title}."],
                    )
                )
                assert article_id is not None
                stored = await article_repo.get(article_id)
                assert stored is not None
                await index.index_article(stored)
                await clusterer.assign(article_id)

        # 1. the matching share of an ingest pass
        clock.set(START + timedelta(minutes=1))
        batch = [
            f"{SUBJECTS[n % len(SUBJECTS)]}: сообщение {n} о событиях дня" for n in range(articles)
        ]
        started = time.perf_counter()
        await ingest(batch)
        pass_s = time.perf_counter() - started
        clock.set(START + timedelta(minutes=30))
        watermark = await queue.matched_until()

        async def timed_match(service: AlertService) -> float:
            """One match over the pass, the queue and watermark put back first."""
            await db.execute("DELETE FROM alert_queue")
            await db.execute(
                "UPDATE alert_watermark SET matched_until = ?", (to_db_time(watermark),)
            )
            started = time.perf_counter()
            await service.match_new(clock.now())
            return time.perf_counter() - started

        await timed_match(plain)  # warm-up: the window's lemma codes, SQLite's cache
        plain_s = min([await timed_match(plain) for _ in range(3)])
        match_s = min([await timed_match(alerts) for _ in range(3)])
        print(f"ingest pass of {articles} articles (baseline): {pass_s:.3f} s")
        print(
            f"realtime matching over that pass:  {match_s:.3f} s = {match_s / pass_s:.1%} of the pass (goal ≤ 10%)"
        )
        print(
            f"  of which the own-source check: {match_s / plain_s:.3f}× matching without it"
            f" ({plain_s:.3f} s, same run)"
        )

        # 2. ingest → alert latency at `subscribers` realtime subscribers
        clock.set(START + timedelta(minutes=31))
        await ingest(["Казатомпром сообщил о рекордной добыче урана"])
        clock.set(START + timedelta(minutes=60))
        started = time.perf_counter()
        await alerts.match_new(clock.now())
        match_one_s = time.perf_counter() - started
        started = time.perf_counter()
        await plain.build_due(clock.now())  # baseline: the same build without own sources
        plain_build_s = time.perf_counter() - started
        started = time.perf_counter()
        built = await alerts.build_due(clock.now())
        own_build_s = time.perf_counter() - started
        await deliveries.create_many(built.deliveries)
        build_s = match_one_s + (time.perf_counter() - started)
        count = len(built.deliveries)
        waits = sorted(build_s + position / SEND_RATE for position in range(count))
        p50, p99 = waits[len(waits) // 2], waits[int(len(waits) * 0.99) - 1]
        send_s = count / SEND_RATE
        goal = INTERVAL_S + send_s
        print(
            f"alerts built and recorded: {count} in {build_s:.2f} s ({built.renderings} renderings)"
        )
        print(
            f"  building them with the own-source check: {own_build_s / plain_build_s:.3f}×"
            f" building without it ({plain_build_s:.2f} s, same run)"
        )
        print(f"send time SEND_RATE={SEND_RATE:g} allows for them (baseline): {send_s:.0f} s")
        print(
            f"ingest→alert beyond the pass interval: p50 {p50:.0f} s, p99 {p99:.0f} s"
            f" = {p99 / send_s:.3f}× the send time; goal p99 ≤ interval + send = {goal:.0f} s"
        )
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.subscribers, args.articles))


if __name__ == "__main__":
    main()
