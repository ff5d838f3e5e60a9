"""Digest relevance: are the stories a topic shows about the topic, and can the reader see why?

A corpus of real articles — the Russian pairs of story_pairs_ru.jsonl (May 2020, ~700
articles from ~200 outlets), ria_20.jsonl (Russian, HTML) and cnn_dailymail_100.jsonl
(English; the first highlight stands in for the missing headline) from the shared
eval-data folder, development material only — is stored in a real SQLite file the way
ingestion stores it: summarised by the product's summariser, indexed by the topic index,
grouped into stories by the clusterer, arrivals spread over the last 20 hours.

For each of eight queries the top five items of a topic digest (`DigestService.for_query`,
which /search and `digest QUERY` use) are compared with the ranking before relevance came
first, computed in this same run from the same index and stories: score = BM25 relative to
the best match × √outlets × recency (half-life 24 h), the story's most complete article
shown with its stored summary.

- why shown: share of items whose headline or shown summary has a query word (as lemmas);
  the goal is 100%;
- about: share of the top five whose shown article names the query in its headline or
  lead (the first two sentences);
- listings: TV programmes, timetables, horoscopes among the top five;
- time: median wall and CPU time of one query's digest over five asks (CPU time of the
  whole process, all threads: the machine is shared, and CPU time shows the work itself
  when other processes slow the clock), against the old ranking's in this run; and the CPU
  time of each query's first digest, before anything judged for it is kept.

    .venv/bin/python benchmarks/digest_relevance.py [--show]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.clock.clocks import ManualClock  # noqa: E402
from services.digest.relevance import is_listing  # noqa: E402
from services.digest.service import DigestService  # noqa: E402
from services.digest.snippets import query_words  # noqa: E402
from services.storage import (  # noqa: E402
    ArticleRepository,
    Database,
    DeliveryRepository,
    SourceRepository,
    SubscriberRepository,
    SubscriptionRepository,
)
from services.storage.models import ArticleCard, NewArticle  # noqa: E402
from services.storage.stories import StoryRepository  # noqa: E402
from services.stories.clustering import StoryClusterer  # noqa: E402
from services.summary.hygiene import plain_text  # noqa: E402
from services.summary.summarizer import summarize  # noqa: E402
from services.text.lemmas import default_lemmatizer, split_lead  # noqa: E402
from services.topics.index import TopicIndex  # noqa: E402

EVAL = Path("/work/shared/eval-data")
QUERIES = (
    "коронавирус",
    "Украина",
    "Путин",
    "нефть OR газ",
    "футбол",
    "Москва -спорт",
    "пенсии",
    "police OR arrest",
)
NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
SPREAD_HOURS = 20
TOP = 5
ROUNDS = 5


@dataclass(frozen=True)
class Source:
    url: str
    title: str
    text: str
    language: str


@dataclass(frozen=True)
class Shown:
    title: str
    summary: tuple[str, ...]
    url: str


def load_corpus() -> list[Source]:
    articles: dict[str, Source] = {}
    for line in (EVAL / "story_pairs_ru.jsonl").read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        for side in ("a", "b"):
            raw = pair[side]
            articles.setdefault(raw["url"], Source(raw["url"], raw["title"], raw["text"], "ru"))
    for number, line in enumerate((EVAL / "ria_20.jsonl").read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        url = f"https://ria.ru/corpus/{number}"
        articles[url] = Source(url, raw["title"], plain_text(raw["text"]), "ru")
    for line in (EVAL / "cnn_dailymail_100.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        url = f"https://edition.cnn.com/corpus/{raw['id']}"
        title = str(raw["highlights"][0]).strip()
        articles[url] = Source(url, title, raw["text"], "en")
    return list(articles.values())


class Newsroom:
    def __init__(self, db: Database, clock: ManualClock) -> None:
        self.db = db
        self.clock = clock
        self.sources = SourceRepository(db, clock)
        self.articles = ArticleRepository(db, clock)
        self.stories = StoryRepository(db)
        self.subscriptions = SubscriptionRepository(db, clock)
        self.index = TopicIndex(db, self.articles, self.subscriptions)
        self.clusterer = StoryClusterer(clock=clock, articles=self.articles, stories=self.stories)
        self.digests = DigestService(
            clock=clock,
            subscribers=SubscriberRepository(db, clock),
            subscriptions=self.subscriptions,
            deliveries=DeliveryRepository(db, clock),
            articles=self.articles,
            stories=self.stories,
            search=self.index,
            clusterer=self.clusterer,
        )

    async def store(self, corpus: list[Source]) -> None:
        rng = random.Random(20)
        arrivals = sorted(
            (NOW - timedelta(minutes=rng.randrange(SPREAD_HOURS * 60)), number)
            for number in range(len(corpus))
        )
        for at, number in arrivals:
            source = corpus[number]
            self.clock.set(at)
            host = urlsplit(source.url).hostname or "example.com"
            outlet = await self.sources.upsert(f"https://{host}/feed", name=host)
            article_id = await self.articles.add(
                NewArticle(
                    url=source.url,
                    canonical_url=source.url,
                    content_hash=hashlib.sha256(source.text.encode()).hexdigest(),
                    language=source.language,
                    title=source.title,
                    text=source.text,
                    source_id=outlet.id,
                    published_at=at - timedelta(minutes=5),
                    summary=summarize(
                        source.text, language=source.language, sentences=3, title=source.title
                    ),
                )
            )
            if article_id is None:
                continue
            article = await self.articles.get(article_id)
            assert article is not None
            await self.index.index_article(article)
            await self.clusterer.assign(article_id)
        self.clock.set(NOW)

    async def new_ranking(self, query: str, since: datetime) -> list[Shown]:
        digest = await self.digests.for_query(query, since=since, language="ru", sentences=3)
        return [Shown(item.title, item.summary, item.url) for item in digest.items]

    async def old_ranking(self, query: str, since: datetime) -> list[Shown]:
        """The ranking before relevance came first: BM25 × √outlets × recency."""
        hits = await self.index.search(query, since=since, until=NOW, limit=300)
        cards = {card.id: card for card in await self.articles.cards([h.article_id for h in hits])}
        best = max((hit.score for hit in hits), default=0.0) or 1.0
        relevance: dict[int, float] = {}
        for hit in hits:
            card = cards.get(hit.article_id)
            if card is None or card.story_id is None:
                continue
            relevance[card.story_id] = max(
                relevance.get(card.story_id, 0.0), max(hit.score, 0.0) / best
            )
        members = await self.stories.members(sorted(relevance))
        member_cards = {
            card.id: card
            for card in await self.articles.cards([i for ids in members.values() for i in ids])
        }
        scored = []
        for story_id, score in relevance.items():
            articles = [member_cards[i] for i in members.get(story_id, []) if i in member_cards]
            if not articles:
                continue
            outlets = len({card.source_name for card in articles})
            latest = max(card.time for card in articles)
            age = max((NOW - latest).total_seconds(), 0.0)
            total = score * math.sqrt(outlets) * 0.5 ** (age / 86400)
            scored.append((-total, story_id, articles))
        scored.sort(key=lambda entry: (entry[0], entry[1]))
        shown = []
        for _, _, articles in scored[:TOP]:
            card = _most_complete(articles)
            shown.append(Shown(card.title, tuple((card.summary or [])[:3]), card.canonical_url))
        return shown


def _most_complete(articles: list[ArticleCard]) -> ArticleCard:
    return min(
        articles,
        key=lambda a: (
            a.language != "ru",
            not a.summary,
            -min(a.text_length, 20_000),
            a.time,
            a.id,
        ),
    )


@dataclass
class Figures:
    items: int = 0
    why: int = 0
    about: int = 0
    listings: int = 0


async def measure(
    newsroom: Newsroom, shown: list[Shown], query: str, texts: dict[str, Source]
) -> Figures:
    lemmatizer = default_lemmatizer()
    wanted = newsroom.index.parse(query).wanted_lemmas()
    figures = Figures()
    for item in shown[:TOP]:
        source = texts[item.url]
        figures.items += 1
        visible = f"{item.title} {' '.join(item.summary)}"
        figures.why += bool(query_words(visible, wanted, source.language, lemmatizer))
        lead, _ = split_lead(source.text)
        figures.about += bool(
            query_words(f"{source.title} {lead}", wanted, source.language, lemmatizer)
        )
        figures.listings += is_listing(source.text)
    return figures


async def timed(run: object, query: str, since: datetime) -> tuple[float, float]:
    """Median wall time and median CPU time of the process (every thread) of one call."""
    walls, cpus = [], []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        await run(query, since)  # type: ignore[operator]
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print the top items of each query")
    args = parser.parse_args()
    corpus = load_corpus()
    texts = {source.url: source for source in corpus}
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "relevance.db")
        try:
            newsroom = Newsroom(db, ManualClock(NOW - timedelta(hours=SPREAD_HOURS)))
            started = time.perf_counter()
            await newsroom.store(corpus)
            stored = await db.fetchall("SELECT count(*) AS n FROM articles")
            print(
                f"corpus: {stored[0]['n']} articles stored, summarised, indexed and grouped"
                f" in {time.perf_counter() - started:.0f} s"
            )
            since = NOW - timedelta(hours=24)
            header = (
                f"{'query':<18} {'items':>5}  {'why shown old → new':>20}"
                f"  {'about old → new':>18}  {'listings':>9}  {'wall ms old → new':>17}"
                f"  {'CPU ms old → new':>16}"
            )
            print(header)
            print("-" * len(header))
            totals = {"old": Figures(), "new": Figures()}
            times = {"old": 0.0, "new": 0.0, "old cpu": 0.0, "new cpu": 0.0}
            cold = {"old": 0.0, "new": 0.0}  # each query's first digest: nothing kept yet
            for query in QUERIES:
                cpu = time.process_time()
                old = await newsroom.old_ranking(query, since)
                cold["old"] += time.process_time() - cpu
                cpu = time.process_time()
                new = await newsroom.new_ranking(query, since)
                cold["new"] += time.process_time() - cpu
                before = await measure(newsroom, old, query, texts)
                after = await measure(newsroom, new, query, texts)
                old_time, old_cpu = await timed(newsroom.old_ranking, query, since)
                new_time, new_cpu = await timed(newsroom.new_ranking, query, since)
                times["old"] += old_time
                times["new"] += new_time
                times["old cpu"] += old_cpu
                times["new cpu"] += new_cpu
                for name, figures in (("old", before), ("new", after)):
                    total = totals[name]
                    total.items += figures.items
                    total.why += figures.why
                    total.about += figures.about
                    total.listings += figures.listings
                print(
                    f"{query:<18} {after.items:>5}"
                    f"  {share(before.why, before.items)} → {share(after.why, after.items)}"
                    f"  {share(before.about, before.items)} → {share(after.about, after.items)}"
                    f"  {before.listings:>3} → {after.listings:<3}"
                    f"  {old_time * 1000:7.1f} → {new_time * 1000:5.1f}"
                    f"  {old_cpu * 1000:6.1f} → {new_cpu * 1000:5.1f}"
                )
                if args.show:
                    for label, items in (("old", old), ("new", new)):
                        for item in items[:TOP]:
                            print(f"    {label}: {item.title[:70]}")
                            print(f"         {' '.join(item.summary)[:110]}")
            old_total, new_total = totals["old"], totals["new"]
            print("-" * len(header))
            print(
                f"{'all queries':<18} {new_total.items:>5}"
                f"  {share(old_total.why, old_total.items)} → {share(new_total.why, new_total.items)}"
                f"  {share(old_total.about, old_total.items)}"
                f" → {share(new_total.about, new_total.items)}"
                f"  {old_total.listings:>3} → {new_total.listings:<3}"
                f"  {times['old'] * 1000:7.1f} → {times['new'] * 1000:5.1f}"
                f"  {times['old cpu'] * 1000:6.1f} → {times['new cpu'] * 1000:5.1f}"
            )
            print(
                f"time of a query's digest, new against the old ranking of this run:"
                f" wall ×{times['new'] / times['old']:.2f}, CPU"
                f" ×{times['new cpu'] / max(times['old cpu'], 1e-9):.2f}"
                " (the old ranking reads cards only and shows no snippets)"
            )
            print(
                f"first digest of each query (nothing kept from earlier ones), CPU ms:"
                f" {cold['old'] * 1000:.1f} → {cold['new'] * 1000:.1f}"
                f" (×{cold['new'] / max(cold['old'], 1e-9):.2f})"
            )
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
