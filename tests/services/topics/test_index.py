"""Topics: the catalogue file, the lemma index and topic matching, on a real SQLite file."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.clock.clocks import ManualClock
from services.storage import ArticleRepository, Database, SubscriptionRepository, TopicRepository
from services.storage.models import Article, NewArticle
from services.storage.subscribers import SubscriberRepository
from services.text.lemmas import ArticleLemmas, Lemmatizer
from services.topics.index import (
    Catalogue,
    CatalogueError,
    TopicIndex,
    load_catalogue,
    parse_catalogue,
    read_catalogue,
)
from services.topics.query import QueryError

CATALOGUE_FILE = Path(__file__).resolve().parents[3] / "config" / "topics.toml"
REQUIRED_TOPICS = {
    "kazakhstan-russia",
    "kazakhstan",
    "russia",
    "eaeu",
    "energy-uranium",
    "kazakhstan-economy",
    "baikonur-space",
    "kazakhstan-russia-en",
    "kazakhstan-en",
}

SMALL_CATALOGUE = """
[groups]
Kazakhstan = ["Казахстан", "Астана", "Токаев", "Қазақстан", "Kazakhstan"]
Russia = ["Россия", "Москва", "Путин", "Ресей", "Russia"]

[[topics]]
slug = "kazakhstan-russia"
title = { ru = "Казахстан–Россия", en = "Kazakhstan–Russia", kk = "Қазақстан–Ресей" }
query = "@Kazakhstan @Russia"
languages = ["ru"]

[[topics]]
slug = "kazakhstan"
title = { ru = "Казахстан", en = "Kazakhstan", kk = "Қазақстан" }
query = "@Kazakhstan"
"""


class ThreadRecordingLemmatizer(Lemmatizer):
    """The real lemmatiser, noting which thread each article was lemmatised on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []

    def article(self, title: str, text: str, language: str = "ru") -> ArticleLemmas:
        self.threads.append(threading.current_thread())
        return super().article(title, text, language)


@pytest.fixture
def articles(db: Database, clock: ManualClock) -> ArticleRepository:
    return ArticleRepository(db, clock)


@pytest.fixture
def subscriptions(db: Database, clock: ManualClock) -> SubscriptionRepository:
    return SubscriptionRepository(db, clock)


@pytest.fixture
def topics(db: Database, clock: ManualClock) -> TopicRepository:
    return TopicRepository(db, clock)


RegisterChat = Callable[[int], Awaitable[None]]


@pytest.fixture
def chat(db: Database, clock: ManualClock) -> RegisterChat:
    """Registers a chat as a subscriber, so that it can own and follow topics."""

    async def register_chat(chat_id: int) -> None:
        await register(db, clock, chat_id)

    return register_chat


@pytest.fixture
def catalogue() -> Catalogue:
    return parse_catalogue(SMALL_CATALOGUE, Path("topics.toml"))


@pytest.fixture
def lemmatizer() -> ThreadRecordingLemmatizer:
    return ThreadRecordingLemmatizer()


@pytest.fixture
def index(
    db: Database,
    articles: ArticleRepository,
    subscriptions: SubscriptionRepository,
    catalogue: Catalogue,
    lemmatizer: ThreadRecordingLemmatizer,
) -> Iterator[TopicIndex]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield TopicIndex(
            db, articles, subscriptions, catalogue, lemmatizer=lemmatizer, executor=pool
        )


async def register(db: Database, clock: ManualClock, chat_id: int) -> None:
    await SubscriberRepository(db, clock).register(
        chat_id, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="09:00"
    )


async def store(
    articles: ArticleRepository, title: str, text: str, language: str = "ru"
) -> Article:
    article_id = await articles.add(
        NewArticle(
            url=f"https://news.example/{title}",
            canonical_url=f"https://news.example/{title}",
            content_hash=title,
            language=language,
            title=title,
            text=text,
        )
    )
    assert article_id is not None
    article = await articles.get(article_id)
    assert article is not None
    return article


async def store_indexed(
    index: TopicIndex, articles: ArticleRepository, title: str, text: str, language: str = "ru"
) -> Article:
    article = await store(articles, title, text, language)
    await index.index_article(article)
    return article


async def found(index: TopicIndex, query: str, clock: ManualClock, **options: Any) -> list[int]:
    since = clock.now() - timedelta(days=1)
    return [hit.article_id for hit in await index.search(query, since=since, **options)]


PASSING_MENTION = (
    "Россия и Украина провели переговоры",
    "Делегации России и Украины встретились в Стамбуле.\nПосредниками готовы выступить "
    "Турция, ОАЭ и Казахстан. Москва ждёт ответа. В Москве прошло совещание.",
)
ABOUT_BOTH = (
    "Токаев и Путин обсудили торговлю",
    "Президент Казахстана провёл переговоры с Путиным в Москве.\nТоварооборот вырос.",
)


# -- the catalogue file -------------------------------------------------------------------


def test_the_shipped_catalogue_has_every_required_topic_in_three_languages() -> None:
    shipped = load_catalogue(CATALOGUE_FILE)
    assert {topic.slug for topic in shipped.topics} >= REQUIRED_TOPICS
    for topic in shipped.topics:
        assert topic.title_ru and topic.title_en and topic.title_kk
    assert {"kazakhstan", "russia", "eaeu", "energy", "economy", "space"} <= set(shipped.groups)


def test_the_shipped_english_counterparts_cover_english_articles_only() -> None:
    shipped = load_catalogue(CATALOGUE_FILE)
    english = shipped.by_slug("kazakhstan-russia-en")
    russian = shipped.by_slug("kazakhstan-russia")
    assert english is not None and russian is not None
    assert english.languages == {"en"} and russian.languages == {"ru"}
    assert english.query == russian.query


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[groups\n", "not valid TOML"),
        ('[[topics]]\nslug = "Bad Slug"', "slug"),
        ('[[topics]]\nslug = "a"\ntitle = { ru = "А", en = "A" }\nquery = "x"', "title"),
        (
            '[[topics]]\nslug = "a"\ntitle = { ru = "А", en = "A", kk = "А" }\nquery = "@Mars"',
            "(a): query '@Mars'",
        ),
        (
            '[[topics]]\nslug = "a"\ntitle = { ru = "А", en = "A", kk = "А" }\nquery = "x"\n'
            'languages = ["de"]',
            "languages",
        ),
        ('[groups]\nEmpty = ["*"]', "group 'Empty'"),
        ("[groups]\nBad = 5", "[groups]"),
        (
            '[[topics]]\nslug = "a"\ntitle = { ru = "А", en = "A", kk = "А" }\nquery = "x"\n'
            '[[topics]]\nslug = "a"\ntitle = { ru = "А", en = "A", kk = "А" }\nquery = "y"',
            "appears twice",
        ),
    ],
)
def test_a_broken_catalogue_is_refused_with_the_place_and_the_reason(
    text: str, reason: str
) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, Path("topics.toml"))
    assert reason in str(caught.value)
    assert "topics.toml" in str(caught.value)


def test_a_missing_catalogue_file_reads_as_empty_and_an_unreadable_one_is_refused(
    tmp_path: Path,
) -> None:
    assert read_catalogue(tmp_path / "none.toml") == Catalogue.empty()
    with pytest.raises(CatalogueError):
        load_catalogue(tmp_path / "none.toml")


async def test_sync_writes_the_catalogue_keeps_ids_and_drops_stale_topics(
    db: Database,
    clock: ManualClock,
    index: TopicIndex,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> None:
    stale = await topics.upsert_catalogue(
        "retired", query="нефть", title_ru="Нефть", title_en="Oil", title_kk="Мұнай"
    )
    await register(db, clock, 1)
    await subscriptions.subscribe(1, stale.id)

    first = await index.sync_catalogue(topics)
    again = await index.sync_catalogue(topics)

    assert [topic.slug for topic in first] == ["kazakhstan-russia", "kazakhstan"]
    assert [topic.id for topic in again] == [topic.id for topic in first]
    assert await topics.by_slug("retired") is None
    assert await subscriptions.topics_of(1) == []
    assert first[0].title_kk == "Қазақстан–Ресей" and first[0].query == "@Kazakhstan @Russia"


async def test_without_a_catalogue_file_sync_leaves_stored_topics_alone(
    db: Database,
    articles: ArticleRepository,
    subscriptions: SubscriptionRepository,
    topics: TopicRepository,
) -> None:
    kept = await topics.upsert_catalogue(
        "kept", query="нефть", title_ru="Нефть", title_en="Oil", title_kk="Мұнай"
    )
    index = TopicIndex(db, articles, subscriptions, Catalogue.empty())
    assert await index.sync_catalogue(topics) == [kept]


# -- the index ----------------------------------------------------------------------------


async def test_indexing_stores_the_lemma_text_off_the_event_loop(
    index: TopicIndex, articles: ArticleRepository, lemmatizer: ThreadRecordingLemmatizer
) -> None:
    article = await store_indexed(index, articles, "Токаев в Москве", "Переговоры прошли.")
    stored = await articles.get(article.id)
    assert stored is not None and stored.lemmas == "токаев в москва переговоры пройти"
    assert lemmatizer.threads and threading.main_thread() not in lemmatizer.threads


async def test_reindexing_an_article_replaces_its_row(
    db: Database, index: TopicIndex, articles: ArticleRepository, clock: ManualClock
) -> None:
    article = await store_indexed(index, articles, "Нефть", "Цены на нефть.")
    await index.index_article(article)
    row = await db.fetchone("SELECT COUNT(*) FROM articles_fts")
    assert row is not None and row[0] == 1
    assert await found(index, "нефть", clock) == [article.id]


async def test_pending_articles_are_indexed_once(
    index: TopicIndex, articles: ArticleRepository, clock: ManualClock
) -> None:
    first = await store(articles, "Нефть дорожает", "Цены на нефть растут.")
    second = await store(articles, "Газ дешевеет", "Цены на газ падают.")
    assert await found(index, "цена", clock) == []
    assert await index.index_pending(batch=1) == 2
    assert await index.index_pending() == 0
    assert sorted(await found(index, "цена", clock)) == [first.id, second.id]


async def test_search_finds_any_inflection_and_ranks_the_headline_first(
    index: TopicIndex, articles: ArticleRepository, clock: ManualClock
) -> None:
    in_body = await store_indexed(
        index, articles, "Новости дня", "Погода и спорт.\nВ конце дня вспомнили о Казахстане."
    )
    in_title = await store_indexed(
        index, articles, "Казахстан вводит новые правила", "Правительство приняло решение."
    )
    hits = await index.search("Казахстаном", since=clock.now() - timedelta(hours=1))
    assert [hit.article_id for hit in hits] == [in_title.id, in_body.id]
    assert hits[0].score > hits[1].score > 0


async def test_search_keeps_to_the_arrival_window(
    index: TopicIndex, articles: ArticleRepository, clock: ManualClock
) -> None:
    old = await store_indexed(index, articles, "Нефть вчера", "Нефть.")
    clock.advance(timedelta(hours=30))
    start = clock.now()
    inside = await store_indexed(index, articles, "Нефть сегодня", "Нефть.")
    clock.advance(timedelta(hours=2))
    late = await store_indexed(index, articles, "Нефть потом", "Нефть.")

    assert old.id not in await found(index, "нефть", clock)
    window = await index.search("нефть", since=start, until=start + timedelta(hours=1))
    assert [hit.article_id for hit in window] == [inside.id]
    everything = await index.search("нефть", since=start - timedelta(days=2), limit=2)
    assert len(everything) == 2 and late.id in {hit.article_id for hit in everything}


async def test_search_filters_by_language(
    index: TopicIndex, articles: ArticleRepository, clock: ManualClock
) -> None:
    russian = await store_indexed(index, articles, "Казахстан", "Новости.")
    english = await store_indexed(index, articles, "Kazakhstan", "News.", "en")
    assert await found(index, "@Kazakhstan", clock, languages=["en"]) == [english.id]
    assert await found(index, "@Kazakhstan", clock, languages=["ru"]) == [russian.id]
    assert await found(index, "@Kazakhstan", clock, languages=[]) == []


async def test_a_bad_query_string_is_a_query_error(index: TopicIndex, clock: ManualClock) -> None:
    with pytest.raises(QueryError) as caught:
        await found(index, '"нефть', clock)
    assert caught.value.code == "unbalanced_quote"


async def test_an_article_deleted_from_the_store_is_never_returned(
    db: Database, index: TopicIndex, articles: ArticleRepository, clock: ManualClock
) -> None:
    article = await store_indexed(index, articles, "Нефть", "Нефть.")
    await db.execute("DELETE FROM articles WHERE id = ?", (article.id,))
    assert await found(index, "нефть", clock) == []


async def test_catalogue_topics_want_the_subject_personal_queries_a_mention(
    db: Database,
    clock: ManualClock,
    index: TopicIndex,
    articles: ArticleRepository,
    topics: TopicRepository,
) -> None:
    passing = await store_indexed(index, articles, *PASSING_MENTION)
    both = await store_indexed(index, articles, *ABOUT_BOTH)
    catalogue_topic, _ = await index.sync_catalogue(topics)
    await register(db, clock, 5)
    personal = await topics.add_personal(5, "@Kazakhstan @Russia", "mine")
    since = clock.now() - timedelta(hours=1)

    from_catalogue = await index.search_topic(catalogue_topic, since=since)
    from_personal = await index.search_topic(personal, since=since)

    assert [hit.article_id for hit in from_catalogue] == [both.id]
    assert {hit.article_id for hit in from_personal} == {both.id, passing.id}


async def test_a_catalogue_topic_keeps_to_its_languages(
    index: TopicIndex, articles: ArticleRepository, topics: TopicRepository, clock: ManualClock
) -> None:
    await store_indexed(index, articles, "Kazakhstan and Russia talk trade", "Talks.", "en")
    russian = await store_indexed(index, articles, *ABOUT_BOTH)
    catalogue_topic, _ = await index.sync_catalogue(topics)
    hits = await index.search_topic(catalogue_topic, since=clock.now() - timedelta(hours=1))
    assert [hit.article_id for hit in hits] == [russian.id]


# -- many topics at once -------------------------------------------------------------------


async def test_many_topics_at_once_find_what_each_finds_alone(
    chat: RegisterChat,
    index: TopicIndex,
    articles: ArticleRepository,
    topics: TopicRepository,
    clock: ManualClock,
) -> None:
    await store_indexed(index, articles, *PASSING_MENTION)
    await store_indexed(index, articles, *ABOUT_BOTH)
    await store_indexed(index, articles, "Kazakhstan and Russia talk trade", "Talks.", "en")
    await store_indexed(index, articles, "Нефть дорожает", "Цены на нефть растут.")
    await chat(3)
    chosen = [
        *await index.sync_catalogue(topics),
        await topics.add_personal(3, "нефть OR Стамбул", "mine"),
        await topics.add_personal(3, "@Retired", "a group since removed"),
    ]
    since = clock.now() - timedelta(hours=1)

    together = await index.search_topics(chosen, since=since)

    for topic in chosen:
        alone = await index.search_topic(topic, since=since)
        assert [hit.article_id for hit in together[topic.id]] == [h.article_id for h in alone]


async def test_a_fresh_process_loads_the_same_window_from_the_stored_lemmas(
    monkeypatch: pytest.MonkeyPatch,
    db: Database,
    index: TopicIndex,
    subscriptions: SubscriptionRepository,
    clock: ManualClock,
) -> None:
    articles = ArticleRepository(db, clock)
    for number in range(3):
        await store_indexed(index, articles, f"Нефть {number}", "Цены на нефть и газ.")
    query = index.parse("газ")
    since = clock.now() - timedelta(hours=1)
    warm = (await index.window(since=since)).search(query)
    by_id = await TopicIndex(db, articles, subscriptions).window(since=since)
    monkeypatch.setattr("services.topics.index._TEXT_BATCH", 1)  # most texts missing: one read
    at_once = await TopicIndex(db, articles, subscriptions).window(since=since)
    assert warm == by_id.search(query) == at_once.search(query) and len(warm) == 3


# -- matching a new article ---------------------------------------------------------------


async def test_a_new_article_matches_the_subscribed_topics_it_belongs_to(
    chat: RegisterChat,
    index: TopicIndex,
    articles: ArticleRepository,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> None:
    pair, kazakhstan = await index.sync_catalogue(topics)
    await chat(7)
    oil = await topics.add_personal(7, "нефть OR газ", "oil")
    mentions = await topics.add_personal(7, "Казахстан", "mentions")
    for topic in (pair, kazakhstan, oil, mentions):
        await subscriptions.subscribe(7, topic.id)
    unsubscribed = await topics.add_personal(7, "Стамбул", "not followed")
    await subscriptions.unsubscribe(7, unsubscribed.id)

    both = await store_indexed(index, articles, *ABOUT_BOTH)
    passing = await store(articles, *PASSING_MENTION)  # not indexed yet: lemmatised on the fly
    kazakh = await store(articles, "Тоқаев Мәскеуге барды", "Ресеймен келіссөздер.", "kk")

    assert {t.id for t in await index.match_article(both)} == {pair.id, kazakhstan.id, mentions.id}
    assert {t.id for t in await index.match_article(passing)} == {mentions.id}
    assert {t.id for t in await index.match_article(kazakh)} == {kazakhstan.id}


async def test_matching_against_given_topics_skips_one_that_no_longer_parses(
    db: Database,
    clock: ManualClock,
    index: TopicIndex,
    articles: ArticleRepository,
    topics: TopicRepository,
) -> None:
    await register(db, clock, 8)
    broken = await topics.add_personal(8, "@Retired нефть", "old group")
    fine = await topics.add_personal(8, "нефть", "oil")
    article = await store(articles, "Нефть дорожает", "Цены растут.")
    assert await index.match_article(article, [broken, fine]) == [fine]
    assert await index.search_topic(broken, since=clock.now() - timedelta(hours=1)) == []


async def test_with_nobody_subscribed_nothing_matches(
    index: TopicIndex, articles: ArticleRepository
) -> None:
    article = await store(articles, *ABOUT_BOTH)
    assert await index.match_article(article) == []
