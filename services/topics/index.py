"""Topics: the catalogue of named queries, and the lemma index that finds articles for a query.

The catalogue (TOPICS_FILE, `config/topics.toml`) holds alias groups — named alternatives
such as @Kazakhstan = Казахстан | РК | Астана | Токаев | Қазақстан | Kazakhstan … — and
topics, each a slug, a title in ru/en/kk, a query over the groups, optionally the article
languages it covers. Every process loads it at start (`read_catalogue`) and
`TopicIndex.sync_catalogue` writes it into the topics table, dropping topics no longer listed.

The index is the `articles_fts` FTS5 table: per article the lemmas of its title, lead and
body, ranked by BM25 with weights 3 : 2 : 1 (the headline and lead say what a story is).
Catalogue topics match with focus — the article must be about each part of the query, not
merely name it (see services/topics/query.py) — so a passing mention does not make a story
theirs; people's own queries match on mention, as a search box does. FTS5 finds the
articles that mention a query; for focus, those candidates are then judged in rank order
on their stored lemmas, in a worker thread, until enough are found.

On PostgreSQL `articles_fts` is a plain table of the same lemma columns and searches are
answered by the in-memory window (services/topics/window.py): the same articles, ranked
by BM25 with the same weights, with no second ranking (ts_rank) to keep in agreement.
benchmarks/load.py measures both stores' searches in one run.

Public API (all times aware UTC; the window is on arrival time, `articles.fetched_at`):

    index = TopicIndex(db, articles, subscriptions, read_catalogue(path))
    query = index.parse(text)              # Query, or QueryError(code, params) to localise
    str(query)                             # the query as understood, to echo back
    hits = await index.search(query, since=t0, until=t1, limit=20)
                                           # [SearchHit(article_id, score)], best first
    hits = await index.search_topic(topic, since=t0, until=t1, limit=20)
                                           # a stored Topic, with its catalogue rules
    by_topic = await index.search_topics(topics, since=t0, until=t1, limit=20)
                                           # {topic.id: hits}: many topics over one window
    window = await index.window(since=t0, until=t1)
    hits = window.search(query, limit=20, focus=False, languages=None, since=None)
                                           # the same answers from memory (TopicWindow):
                                           # for many queries over one window
    await index.index_article(article)     # after storing an article (ingestion)
    await index.index_pending()            # any stored article not yet indexed
    topics = await index.match_article(article)
                                           # the subscribed topics a new article belongs to
    await index.sync_catalogue(topic_repository)

`search` accepts the query text too and then raises QueryError itself. A SearchHit's score
is BM25 relevance (higher is better), comparable within one search. One search costs a
millisecond or more on a busy day; a digest pass with many topics should use
`search_topics`, which loads the window once (services/topics/window.py) and answers each
topic in microseconds. Lemmatising and window building run in a worker thread, never on
the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import tomllib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.storage.articles import ArticleRepository
from services.storage.convert import required_time, to_db_time
from services.storage.models import LANGUAGES, Article, Topic
from services.storage.store import Store
from services.storage.topics import SubscriptionRepository, TopicRepository
from services.text.lemmas import ArticleLemmas, Lemmatizer, default_lemmatizer
from services.topics.query import (
    AliasGroup,
    Query,
    QueryError,
    build_groups,
    parse_query,
    source_url,
)
from services.topics.window import LemmaCodes, SearchHit, TopicWindow

__all__ = [
    "BM25_WEIGHTS",
    "Catalogue",
    "CatalogueError",
    "CatalogueTopic",
    "SearchHit",
    "TopicIndex",
    "TopicWindow",
    "load_catalogue",
    "parse_catalogue",
    "read_catalogue",
]

log = logging.getLogger(__name__)

BM25_WEIGHTS = (3.0, 2.0, 1.0)
"""Column weights of title, lead and body: the headline and lead say what a story is."""

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_MAX_SEARCH_LIMIT = 1000
_FOCUS_BATCH = 200  # candidates judged per round trip when searching with focus
_TEXT_BATCH = 500  # lemma texts read per query when a window needs them
_LEMMA_CACHE = 2000  # articles whose stored lemmas stay parsed between focus searches


class CatalogueError(Exception):
    """The topics file cannot be used; the message names the file, the entry and the reason."""


@dataclass(frozen=True, slots=True)
class CatalogueTopic:
    slug: str
    title_ru: str
    title_en: str
    title_kk: str
    query: str
    languages: frozenset[str] | None  # None: articles in any language
    focus: bool  # match what articles are about, not every passing mention


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Alias groups (by case-folded name) and topics, as read from TOPICS_FILE."""

    groups: Mapping[str, AliasGroup]
    topics: tuple[CatalogueTopic, ...]
    path: Path | None  # None when no file was read: nothing to sync

    @classmethod
    def empty(cls) -> Catalogue:
        return cls({}, (), None)

    def by_slug(self, slug: str) -> CatalogueTopic | None:
        return next((topic for topic in self.topics if topic.slug == slug), None)


# -- the catalogue file ----------------------------------------------------------------------


def load_catalogue(path: Path, lemmatizer: Lemmatizer | None = None) -> Catalogue:
    """Read and check the catalogue at `path`; CatalogueError says what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the topics file ({exc.strerror})") from None
    return parse_catalogue(text, path, lemmatizer)


def read_catalogue(path: Path, lemmatizer: Lemmatizer | None = None) -> Catalogue:
    """The catalogue at `path`, or an empty one (logged) when there is no such file.

    A missing file leaves the stored catalogue alone: a wrong working directory must not
    unsubscribe everybody. A file that exists but is wrong raises CatalogueError.
    """
    if not path.exists():
        log.warning("topics file not found, catalogue not loaded path=%s", path)
        return Catalogue.empty()
    return load_catalogue(path, lemmatizer)


def parse_catalogue(
    text: str, path: Path | None = None, lemmatizer: Lemmatizer | None = None
) -> Catalogue:
    """The catalogue from TOML text (see config/topics.toml for the format)."""
    where = str(path or "topics file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{where}: not valid TOML: {exc}") from None
    raw_groups = data.get("groups", {})
    if not isinstance(raw_groups, dict) or not all(
        isinstance(entries, list) and all(isinstance(entry, str) for entry in entries)
        for entries in raw_groups.values()
    ):
        raise CatalogueError(f"{where}: [groups] must map names to lists of words or phrases")
    try:
        groups = build_groups(raw_groups, lemmatizer)
    except QueryError as exc:
        name = exc.params.get("name", "?")
        raise CatalogueError(f"{where}: group {name!r}: an entry has no words") from None
    raw_topics = data.get("topics", [])
    if not isinstance(raw_topics, list):
        raise CatalogueError(f"{where}: [[topics]] must be a list of tables")
    topics: list[CatalogueTopic] = []
    for number, raw in enumerate(raw_topics, 1):
        topic = _catalogue_topic(raw, f"{where}: topic #{number}", groups, lemmatizer)
        if any(known.slug == topic.slug for known in topics):
            raise CatalogueError(f"{where}: topic slug {topic.slug!r} appears twice")
        topics.append(topic)
    return Catalogue(groups, tuple(topics), path)


def _catalogue_topic(
    raw: Any, where: str, groups: Mapping[str, AliasGroup], lemmatizer: Lemmatizer | None
) -> CatalogueTopic:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: must be a table")
    slug = raw.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise CatalogueError(f"{where}: slug must be 1-40 of a-z, 0-9 and '-', got {slug!r}")
    where = f"{where} ({slug})"
    title = raw.get("title")
    if not isinstance(title, dict) or not all(
        isinstance(title.get(lang), str) and title[lang].strip() for lang in LANGUAGES
    ):
        raise CatalogueError(f"{where}: title needs ru, en and kk texts")
    query = raw.get("query")
    if not isinstance(query, str):
        raise CatalogueError(f"{where}: query must be a string")
    try:
        parse_query(query, groups, lemmatizer)
    except QueryError as exc:
        raise CatalogueError(f"{where}: query {query!r}: {exc.message()}") from None
    languages = raw.get("languages")
    if languages is not None and (
        not isinstance(languages, list) or not languages or not set(languages) <= set(LANGUAGES)
    ):
        raise CatalogueError(f"{where}: languages must be a non-empty list of ru, en, kk")
    focus = raw.get("focus", True)
    if not isinstance(focus, bool):
        raise CatalogueError(f"{where}: focus must be true or false")
    return CatalogueTopic(
        slug=slug,
        title_ru=title["ru"].strip(),
        title_en=title["en"].strip(),
        title_kk=title["kk"].strip(),
        query=query,
        languages=frozenset(languages) if languages else None,
        focus=focus,
    )


# -- the index -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    """How one topic matches: its query, focus or mention, and the languages it covers."""

    query: Query
    focus: bool
    languages: frozenset[str] | None

    def accepts(self, lemmas: ArticleLemmas, language: str) -> bool:
        if self.languages is not None and language not in self.languages:
            return False
        return self.query.matches(lemmas, focus=self.focus)


class TopicIndex:
    """Indexes stored articles by lemma and answers topic queries over them."""

    def __init__(
        self,
        db: Store,
        articles: ArticleRepository,
        subscriptions: SubscriptionRepository,
        catalogue: Catalogue | None = None,
        *,
        lemmatizer: Lemmatizer | None = None,
        executor: Executor | None = None,
    ) -> None:
        self._db = db
        self._articles = articles
        self._subscriptions = subscriptions
        self._catalogue = catalogue or Catalogue.empty()
        self._lemmatizer = lemmatizer or default_lemmatizer()
        self._executor = executor  # None: asyncio's default thread pool
        self._parse = lru_cache(maxsize=4096)(self._parse_uncached)
        self._cache: OrderedDict[int, ArticleLemmas] = OrderedDict()
        self._codes = LemmaCodes()

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    # -- queries ----------------------------------------------------------------------------

    def parse(self, text: str) -> Query:
        """Parse a query with the catalogue's alias groups; QueryError when it can't be run."""
        return self._parse(text)

    def _parse_uncached(self, text: str) -> Query:
        return parse_query(text, self._catalogue.groups, self._lemmatizer)

    async def search(
        self,
        query: Query | str,
        *,
        since: datetime,
        until: datetime | None = None,
        limit: int = 20,
        focus: bool = False,
        languages: Iterable[str] | None = None,
    ) -> list[SearchHit]:
        """Articles that arrived in [since, until) and match, best first (BM25 over lemmas)."""
        parsed = self.parse(query) if isinstance(query, str) else query
        limit = max(1, min(limit, _MAX_SEARCH_LIMIT))
        if not self._db.dialect.full_text:
            return await self._search_in_window(
                parsed, since, until, limit=limit, focus=focus, languages=languages
            )
        ranked = await self._ranked(parsed, since, until, languages, None if focus else limit)
        return await self._about(parsed, ranked, limit) if focus else ranked

    async def _ranked(
        self,
        query: Query,
        since: datetime,
        until: datetime | None,
        languages: Iterable[str] | None,
        limit: int | None,
    ) -> list[SearchHit]:
        """Every article of the window that mentions the query, by BM25 (best first)."""
        weights = ", ".join(str(weight) for weight in BM25_WEIGHTS)
        sql = [
            f"SELECT articles_fts.rowid AS id, bm25(articles_fts, {weights}) AS rank",
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid",
            "WHERE articles_fts MATCH :match",
            # Ids grow with arrival, so the window's id range lets FTS5 skip older rows;
            # the exact time test below keeps the answer right even if a clock stepped back.
            "AND articles_fts.rowid >= (SELECT MIN(id) FROM articles WHERE fetched_at >= :since)",
            "AND a.fetched_at >= :since",
        ]
        params: dict[str, Any] = {"match": query.fts(), "since": to_db_time(since)}
        if until is not None:
            sql.append(
                "AND articles_fts.rowid <= (SELECT MAX(id) FROM articles WHERE fetched_at < :until)"
            )
            sql.append("AND a.fetched_at < :until")
            params["until"] = to_db_time(until)
        if languages is not None:
            wanted = sorted(set(languages))
            if not wanted:
                return []
            names = [f":lang{index}" for index in range(len(wanted))]
            sql.append(f"AND a.language IN ({', '.join(names)})")
            params.update({name[1:]: lang for name, lang in zip(names, wanted, strict=True)})
        sql.append("ORDER BY rank, articles_fts.rowid DESC")
        if limit is not None:
            sql.append("LIMIT :limit")
            params["limit"] = limit
        rows = await self._db.fetchall("\n".join(sql), params)
        return [SearchHit(int(row["id"]), -float(row["rank"])) for row in rows]

    async def _search_in_window(
        self,
        query: Query,
        since: datetime,
        until: datetime | None,
        *,
        limit: int,
        focus: bool,
        languages: Iterable[str] | None,
    ) -> list[SearchHit]:
        """`search` on a store without FTS5 (PostgreSQL): the same articles from the window.

        The window holds the articles' lemma postings in memory (numbers already given
        stay between searches), ranks by BM25 with the same weights, and judges focus as
        `Query.matches` does, so the answers are the index's.
        """
        window = await self.window(since=since, until=until)
        wanted = None if languages is None else frozenset(languages)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor,
            functools.partial(window.search, query, limit=limit, focus=focus, languages=wanted),
        )

    async def _about(self, query: Query, ranked: list[SearchHit], limit: int) -> list[SearchHit]:
        """The ranked hits whose articles are about the query, judged in rank order."""
        loop = asyncio.get_running_loop()
        kept: list[SearchHit] = []
        for start in range(0, len(ranked), _FOCUS_BATCH):
            batch = ranked[start : start + _FOCUS_BATCH]
            lemmas = await self._stored_many([hit.article_id for hit in batch])
            kept += await loop.run_in_executor(self._executor, _judge, query, batch, lemmas)
            if len(kept) >= limit:
                break
        return kept[:limit]

    async def window(self, *, since: datetime, until: datetime | None = None) -> TopicWindow:
        """The indexed articles that arrived in [since, until), loaded to answer many queries.

        Articles already numbered (`LemmaCodes`: indexed by this process, or in an earlier
        window) need no text; building the postings runs in a worker thread.
        """
        where = "a.fetched_at >= ?"
        params: list[str | None] = [to_db_time(since)]
        if until is not None:
            where += " AND a.fetched_at < ?"
            params.append(to_db_time(until))
        joined = f"FROM articles a JOIN articles_fts f ON f.rowid = a.id WHERE {where}"
        rows = await self._db.fetchall(
            f"SELECT a.id, a.language, a.fetched_at {joined} ORDER BY a.id", params
        )
        articles = [(row["id"], row["language"], required_time(row["fetched_at"])) for row in rows]
        loop = asyncio.get_running_loop()
        missing = await loop.run_in_executor(
            self._executor, self._codes.missing, [article[0] for article in articles]
        )
        if len(missing) > _TEXT_BATCH:  # a fresh process: read the window's texts at once
            wanted = set(missing)
            text_rows = [
                row
                for row in await self._db.fetchall(
                    f"SELECT a.id, f.title, f.lead, f.body {joined}", params
                )
                if row["id"] in wanted
            ]
        elif missing:
            marks = ",".join("?" * len(missing))
            text_rows = list(
                await self._db.fetchall(
                    f"SELECT rowid AS id, title, lead, body FROM articles_fts"  # noqa: S608
                    f" WHERE rowid IN ({marks})",
                    missing,
                )
            )
        else:
            text_rows = []
        texts = {int(row["id"]): (row["title"], row["lead"], row["body"]) for row in text_rows}
        return await loop.run_in_executor(self._executor, self._codes.window, articles, texts)

    async def search_topics(
        self,
        topics: Sequence[Topic],
        *,
        since: datetime,
        until: datetime | None = None,
        limit: int = 20,
    ) -> dict[int, list[SearchHit]]:
        """`search_topic` for many topics at once, over one window (a digest pass): by topic id.

        Gives the same articles as `search_topic` topic by topic; ranks by BM25 over the
        window, so scores differ a little from the index's. `source:URL` topics are answered
        from the articles table (`from_source`).
        """
        by_source = [topic for topic in topics if source_url(topic.query) is not None]
        searched = [topic for topic in topics if source_url(topic.query) is None]
        found: dict[int, list[SearchHit]] = {}
        for topic in by_source:
            found[topic.id] = await self.from_source(
                source_url(topic.query) or "", since=since, until=until, limit=limit
            )
        if not searched:
            return found
        window = await self.window(since=since, until=until)
        loop = asyncio.get_running_loop()
        found.update(
            await loop.run_in_executor(self._executor, self._search_window, window, searched, limit)
        )
        return found

    async def from_source(
        self, url: str, *, since: datetime, until: datetime | None = None, limit: int = 20
    ) -> list[SearchHit]:
        """Everything that arrived from the source at `url` in [since, until), newest first
        (scores fall from 1 with arrival order): the articles of a `source:URL` topic."""
        sql = (
            "SELECT a.id FROM articles a JOIN sources s ON s.id = a.source_id"
            " WHERE s.url = ? AND a.fetched_at >= ?"
        )
        params: list[object] = [url, to_db_time(since)]
        if until is not None:
            sql += " AND a.fetched_at < ?"
            params.append(to_db_time(until))
        sql += " ORDER BY a.fetched_at DESC, a.id DESC LIMIT ?"
        params.append(max(1, min(limit, _MAX_SEARCH_LIMIT)))
        rows = await self._db.fetchall(sql, params)
        return [SearchHit(int(row[0]), 1.0 / (1 + place)) for place, row in enumerate(rows)]

    def _search_window(
        self, window: TopicWindow, topics: Sequence[Topic], limit: int
    ) -> dict[int, list[SearchHit]]:
        found: dict[int, list[SearchHit]] = {}
        for topic in topics:
            rules = self._rules(topic)
            found[topic.id] = (
                window.search(
                    rules.query, limit=limit, focus=rules.focus, languages=rules.languages
                )
                if rules is not None
                else []
            )
        return found

    async def search_topic(
        self, topic: Topic, *, since: datetime, until: datetime | None = None, limit: int = 20
    ) -> list[SearchHit]:
        """`search` for a stored topic: catalogue topics with their focus and languages."""
        url = source_url(topic.query)
        if url is not None:
            return await self.from_source(url, since=since, until=until, limit=limit)
        rules = self._rules(topic)
        if rules is None:
            return []
        return await self.search(
            rules.query,
            since=since,
            until=until,
            limit=limit,
            focus=rules.focus,
            languages=rules.languages,
        )

    def _rules(self, topic: Topic) -> _Rules | None:
        if source_url(topic.query) is not None:  # not a word search: see `from_source`
            return None
        entry = self._catalogue.by_slug(topic.slug) if topic.slug else None
        try:
            query = self.parse(entry.query if entry else topic.query)
        except QueryError as exc:  # e.g. a personal query naming a group since removed
            log.warning("topic query no longer parses topic_id=%s code=%s", topic.id, exc.code)
            return None
        if entry is None:
            return _Rules(query, focus=False, languages=None)
        return _Rules(query, focus=entry.focus, languages=entry.languages)

    # -- indexing ---------------------------------------------------------------------------

    async def lemmatize(self, article: Article) -> ArticleLemmas:
        """The article's title, lead and body lemmas, computed in a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._lemmatizer.article, article.title, article.text, article.language
        )

    async def index_article(self, article: Article) -> ArticleLemmas:
        """Lemmatise a stored article and (re)write its index row and its lemma text."""
        lemmas = await self.lemmatize(article)
        async with self._db.transaction() as conn:
            await self._articles.set_lemmas(article.id, lemmas.text())
            await conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article.id,))
            await conn.execute(
                "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
                (article.id, *(" ".join(field) for field in lemmas.fields())),
            )
        self._cache.pop(article.id, None)
        loop = asyncio.get_running_loop()
        title, lead, body = (" ".join(field) for field in lemmas.fields())
        await loop.run_in_executor(self._executor, self._codes.add, article.id, title, lead, body)
        return lemmas

    async def index_pending(self, batch: int = 200) -> int:
        """Index every stored article that has no index row yet; returns how many."""
        done = 0
        while True:
            rows = await self._db.fetchall(
                "SELECT id FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM articles_fts f WHERE f.rowid = a.id) ORDER BY id LIMIT ?",
                (batch,),
            )
            if not rows:
                if done:
                    log.info("topic index caught up articles=%d", done)
                return done
            for article in await self._articles.get_many([row["id"] for row in rows]):
                await self.index_article(article)
                done += 1

    async def stored_lemmas(self, article_id: int) -> ArticleLemmas | None:
        """The lemmas an article was indexed with, None when it is not indexed."""
        return (await self._stored_many([article_id])).get(article_id)

    async def _stored_many(self, article_ids: Sequence[int]) -> dict[int, ArticleLemmas]:
        found = {aid: self._cache[aid] for aid in article_ids if aid in self._cache}
        for aid in found:
            self._cache.move_to_end(aid)
        missing = [aid for aid in article_ids if aid not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            rows = await self._db.fetchall(
                f"SELECT rowid, title, lead, body FROM articles_fts WHERE rowid IN ({marks})",
                missing,
            )
            columns = [(int(row["rowid"]), row["title"], row["lead"], row["body"]) for row in rows]
            loop = asyncio.get_running_loop()
            parsed = await loop.run_in_executor(self._executor, _from_columns, columns)
            for aid, lemmas in parsed.items():
                self._remember(aid, lemmas)
            found.update(parsed)
        return found

    def _remember(self, article_id: int, lemmas: ArticleLemmas) -> None:
        self._cache[article_id] = lemmas
        self._cache.move_to_end(article_id)
        while len(self._cache) > _LEMMA_CACHE:
            self._cache.popitem(last=False)

    # -- matching ---------------------------------------------------------------------------

    async def match_article(
        self, article: Article, topics: Sequence[Topic] | None = None
    ) -> list[Topic]:
        """The topics (by default: every topic somebody follows) that `article` belongs to."""
        candidates = (
            list(topics) if topics is not None else await self._subscriptions.subscribed_topics()
        )
        if not candidates:
            return []
        lemmas = await self.stored_lemmas(article.id) or await self.lemmatize(article)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._matching, lemmas, article.language, candidates
        )

    def _matching(
        self, lemmas: ArticleLemmas, language: str, topics: Sequence[Topic]
    ) -> list[Topic]:
        matched = []
        for topic in topics:
            rules = self._rules(topic)
            if rules is not None and rules.accepts(lemmas, language):
                matched.append(topic)
        return matched

    # -- the catalogue in the database ------------------------------------------------------

    async def sync_catalogue(self, topics: TopicRepository) -> list[Topic]:
        """Write the catalogue into the topics table and drop catalogue topics it no longer has.

        Does nothing when no catalogue file was read. Returns the stored catalogue topics.
        """
        if self._catalogue.path is None:
            return await topics.catalogue()
        stored = [
            await topics.upsert_catalogue(
                entry.slug,
                query=entry.query,
                title_ru=entry.title_ru,
                title_en=entry.title_en,
                title_kk=entry.title_kk,
            )
            for entry in self._catalogue.topics
        ]
        removed = await topics.remove_catalogue_except(
            {entry.slug for entry in self._catalogue.topics}
        )
        log.info("topic catalogue loaded topics=%d removed=%d", len(stored), removed)
        return stored


def _from_columns(columns: Sequence[tuple[int, str, str, str]]) -> dict[int, ArticleLemmas]:
    return {
        aid: ArticleLemmas.from_columns(title, lead, body) for aid, title, lead, body in columns
    }


def _judge(
    query: Query, hits: Sequence[SearchHit], lemmas: Mapping[int, ArticleLemmas]
) -> list[SearchHit]:
    return [
        hit
        for hit in hits
        if hit.article_id in lemmas and query.matches(lemmas[hit.article_id], focus=True)
    ]
