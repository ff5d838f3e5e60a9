"""Same event, several outlets → one story; look-alike events stay apart; 48-hour window."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.storage import ArticleRepository, Database, SourceRepository
from services.storage.models import Article, NewArticle
from services.storage.stories import StoryRepository
from services.stories.clustering import StoryClusterer, StoryIndex
from services.stories.fingerprint import EventFingerprint, fingerprint
from services.text.lemmas import default_lemmatizer

FIXTURE = Path(__file__).resolve().parents[2] / "data" / "story_clusters.json"
ARTICLES: list[dict[str, str]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["articles"]


def of_story(story: str) -> list[dict[str, str]]:
    return [article for article in ARTICLES if article["story"] == story]


class Newsroom:
    """Stores fixture articles as ingestion would, and clusters them."""

    def __init__(self, db: Database, clock: ManualClock) -> None:
        self.db = db
        self.clock = clock
        self.articles = ArticleRepository(db, clock)
        self.sources = SourceRepository(db, clock)
        self.stories = StoryRepository(db)
        self.clusterer = self.new_clusterer()

    def new_clusterer(self) -> StoryClusterer:
        return StoryClusterer(clock=self.clock, articles=self.articles, stories=self.stories)

    async def store(self, article: dict[str, str], *, shift: timedelta = timedelta()) -> int:
        outlet = article["outlet"]
        source = await self.sources.upsert(f"https://{abs(hash(outlet))}.example/rss", name=outlet)
        published = datetime.fromisoformat(article["published"].replace("Z", "+00:00")) + shift
        self.clock.set(max(self.clock.now(), published))
        url = f"https://{abs(hash(outlet))}.example/{hashlib.sha1((article['title'] + str(shift)).encode()).hexdigest()}"
        stored = await self.articles.add(
            NewArticle(
                url=url,
                canonical_url=url,
                content_hash=hashlib.sha256(url.encode()).hexdigest(),
                language="en" if article["title"].isascii() else "ru",
                title=article["title"],
                text=article["lead"],
                source_id=source.id,
                published_at=published,
            )
        )
        assert stored is not None
        return stored

    async def story_of(self, article_id: int) -> int | None:
        article = await self.articles.get(article_id)
        assert article is not None
        return article.story_id


async def test_one_event_told_by_three_outlets_in_their_own_words_is_one_story(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    ids = [await room.store(article) for article in of_story("lavrov-nurtleu")]

    stories = {await room.clusterer.assign(article_id) for article_id in ids}

    assert len(stories) == 1
    assert {await room.story_of(article_id) for article_id in ids} == stories
    row = await db.fetchone("SELECT article_count FROM stories WHERE id = ?", (stories.pop(),))
    assert row is not None and row[0] == 3


async def test_two_lavrov_meetings_in_one_week_are_two_stories(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    story_of_article: dict[str, set[int | None]] = {}
    for article in sorted(ARTICLES, key=lambda a: a["published"]):  # a week of news
        story = await room.clusterer.assign(await room.store(article))
        story_of_article.setdefault(article["story"], set()).add(story)

    meetings = [
        story_of_article[event] for event in ("lavrov-nurtleu", "lavrov-saidov", "lavrov-wang")
    ]
    assert all(len(stories) == 1 for stories in meetings)  # each meeting is one story
    assert len(set.union(*meetings)) == 3  # and the three are different stories


async def test_the_same_report_three_days_later_starts_a_new_story(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    first, again = of_story("nbk-rate")[0], of_story("nbk-rate")[1]
    early = await room.store(first)
    late = await room.store(again, shift=timedelta(days=3))

    assert await room.clusterer.assign(early) != await room.clusterer.assign(late)


async def test_assigning_twice_keeps_the_story(db: Database, clock: ManualClock) -> None:
    room = Newsroom(db, clock)
    article_id = await room.store(of_story("pensions")[0])

    first = await room.clusterer.assign(article_id)

    assert await room.clusterer.assign(article_id) == first
    row = await db.fetchone("SELECT COUNT(*) FROM stories")
    assert row is not None and row[0] == 1


async def test_callers_waiting_on_the_same_new_articles_fingerprint_each_only_once(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = Newsroom(db, clock)
    ids = [await room.store(article) for article in of_story("lavrov-nurtleu")]
    fingerprinted: list[int] = []
    read = room.clusterer._fingerprint

    def counting(article: Article) -> EventFingerprint:
        fingerprinted.append(article.id)
        return read(article)

    monkeypatch.setattr(room.clusterer, "_fingerprint", counting)

    await asyncio.gather(*(room.clusterer.assign_many(ids) for _ in range(5)))  # five searches

    assert sorted(fingerprinted) == sorted(ids)
    assert len({await room.story_of(article_id) for article_id in ids}) == 1


async def test_an_article_being_fingerprinted_holds_up_no_other_articles_story(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = Newsroom(db, clock)
    slow_id, quick_id = [await room.store(article) for article in of_story("pensions")[:2]]
    released = threading.Event()
    read = room.clusterer._fingerprint

    def slow_for_one(article: Article) -> EventFingerprint:
        if article.id == slow_id:
            released.wait(timeout=30)
        return read(article)

    monkeypatch.setattr(room.clusterer, "_fingerprint", slow_for_one)
    slow = asyncio.create_task(room.clusterer.assign(slow_id))
    await asyncio.sleep(0.05)  # the slow article is in its worker thread now

    quick_story = await asyncio.wait_for(room.clusterer.assign(quick_id), timeout=10)

    assert not slow.done()
    released.set()
    assert await slow == quick_story  # same event: the order did not change the grouping


async def test_another_process_joins_the_stories_this_one_made(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    told = of_story("tokayev-putin-call")
    first = await room.store(told[0])
    story = await room.clusterer.assign(first)

    other_process = room.new_clusterer()
    second = await room.store(told[1])

    assert await other_process.assign(second) == story


async def test_articles_stored_without_a_story_are_clustered_in_time_order(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    ids = [await room.store(article) for article in of_story("floods-wko") + of_story("pensions")]

    await room.clusterer.assign_many(list(reversed(ids)))

    stories = [await room.story_of(article_id) for article_id in ids]
    assert None not in stories
    assert len(set(stories[:3])) == 1
    assert len(set(stories[3:])) == 1
    assert stories[0] != stories[3]
    assert await room.stories.unclustered(ids) == []


async def test_an_unknown_article_has_no_story(db: Database, clock: ManualClock) -> None:
    assert await Newsroom(db, clock).clusterer.assign(12345) is None


def lead_only(*lemmas: str) -> EventFingerprint:
    return EventFingerprint("ru", (), lemmas, frozenset(), frozenset())


def test_the_index_forgets_what_is_older_than_its_horizon() -> None:
    index = StoryIndex()
    moment = datetime.fromisoformat("2026-03-20T00:00:00+00:00")
    index.add(1, 1, moment - timedelta(days=8), lead_only("нуртлеу", "лавров"))
    index.add(2, 2, moment, lead_only("саидов", "лавров"))

    index.forget_before(moment - timedelta(days=7))

    assert set(index.docs) == {2}
    assert "нуртлеу" not in index.df and "нуртлеу" not in index.postings
    assert index.df["лавров"] == 1


async def test_a_story_keeps_its_fingerprints_in_the_database_for_other_processes(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    told = of_story("lavrov-nurtleu")[0]
    await room.clusterer.assign(await room.store(told))

    stored = await room.stories.fingerprints(since=clock.now() - timedelta(days=7))

    assert len(stored) == 1
    assert EventFingerprint.decode(stored[0].terms) == fingerprint(
        told["title"], told["lead"], "ru", default_lemmatizer()
    )


async def test_at_start_every_article_left_without_a_story_is_clustered(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    ids = [await room.store(article) for article in of_story("floods-wko") + of_story("pensions")]

    caught_up = await room.new_clusterer().assign_pending()

    assert caught_up == len(ids)
    assert await room.stories.unclustered(ids) == []
    assert await room.new_clusterer().assign_pending() == 0


def test_an_article_does_not_join_a_story_through_a_report_whose_title_names_nobody() -> None:
    lemmatizer = default_lemmatizer()
    at = datetime.fromisoformat("2026-05-04T09:00:00+00:00")

    def told(title: str, text: str) -> EventFingerprint:
        return fingerprint(title, text, "ru", lemmatizer)

    index = StoryIndex()
    index.add(
        1,
        1,
        at,
        told(
            "Токаев провел телефонный разговор с Эрдоганом",
            "Президент Казахстана Касым-Жомарт Токаев провел телефонный разговор с президентом"
            " Турции Реджепом Тайипом Эрдоганом. Стороны обсудили торговлю.",
        ),
    )
    index.add(
        2,
        1,
        at,
        told(
            "Токаев провел телефонный разговор",
            "Президент Казахстана Касым-Жомарт Токаев провел телефонный разговор с президентом."
            " Стороны обсудили торговлю.",
        ),
    )
    with_putin = told(
        "Токаев провел телефонный разговор с Путиным",
        "Президент Казахстана Касым-Жомарт Токаев провел телефонный разговор с президентом"
        " России Владимиром Путиным. Стороны обсудили торговлю.",
    )

    best = index.best_match(with_putin, at)

    assert best is not None and best.article_id == 2  # the report naming nobody matches
    assert index.story_for(with_putin, at) is None
