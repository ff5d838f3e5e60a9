"""A window of articles in memory answers topic queries exactly as the in-memory matcher does."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.text.lemmas import ArticleLemmas, default_lemmatizer
from services.topics.query import AliasGroup, Query, QueryError, build_groups, parse_query
from services.topics.window import LemmaCodes, TopicWindow, WindowArticle

CORPUS = Path(__file__).resolve().parents[3] / "bot" / "demo" / "corpus"
START = datetime(2026, 3, 20, tzinfo=UTC)
GROUPS = build_groups(
    {
        "Kazakhstan": ["Казахстан", "Токаев", "Астана", "Қазақстан", "Kazakhstan", "Tokayev"],
        "Russia": ["Россия", "Москва", "Путин", "Ресей", "Russia", "Moscow", "Kremlin"],
        "Energy": ["нефть", "газ", "уран", "АЭС", "мұнай", "oil", "uranium", "nuclear plant"],
    }
)


def article(number: int, title: str, text: str, language: str = "ru") -> WindowArticle:
    lemmas = default_lemmatizer().article(title, text, language)
    title_text, lead, body = (" ".join(field) for field in lemmas.fields())
    return WindowArticle(
        number, language, START + timedelta(minutes=number), title_text, lead, body
    )


@pytest.fixture(scope="module")
def corpus() -> list[WindowArticle]:
    """The labelled topic corpus (ru, en, kk), one article a minute."""
    found = []
    for path in sorted(CORPUS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data["articles"]:
            found.append(article(len(found) + 1, raw["title"], raw["text"], data["language"]))
    return found


@pytest.fixture(scope="module")
def window(corpus: list[WindowArticle]) -> TopicWindow:
    return TopicWindow.of(corpus)


def lemmas_of(item: WindowArticle) -> ArticleLemmas:
    return ArticleLemmas.from_columns(item.title, item.lead, item.body)


def matching(corpus: list[WindowArticle], query: Query, *, focus: bool) -> set[int]:
    return {item.article_id for item in corpus if query.matches(lemmas_of(item), focus=focus)}


def found(
    window: TopicWindow,
    query: Query,
    *,
    focus: bool = False,
    languages: list[str] | None = None,
    since: datetime | None = None,
) -> set[int]:
    hits = window.search(query, limit=10_000, focus=focus, languages=languages, since=since)
    return {hit.article_id for hit in hits}


def test_a_window_finds_what_the_matcher_finds(
    window: TopicWindow, corpus: list[WindowArticle]
) -> None:
    for text in ["Казахстан", "@Kazakhstan @Russia", '"Касым-Жомарт Токаев"', "Нур-Султан"]:
        query = parse_query(text, GROUPS)
        assert found(window, query) == matching(corpus, query, focus=False)
        assert found(window, query, focus=True) == matching(corpus, query, focus=True)


def test_the_headline_ranks_above_a_passing_mention() -> None:
    passing = article(1, "Новости дня", "Погода и спорт.\nВ конце дня вспомнили о Казахстане.")
    headline = article(2, "Казахстан вводит новые правила", "Правительство приняло решение.")
    hits = TopicWindow.of([passing, headline]).search(parse_query("Казахстан"))
    assert [hit.article_id for hit in hits] == [2, 1]
    assert hits[0].score > hits[1].score > 0


def test_equal_scores_put_the_newer_article_first() -> None:
    older, newer = article(1, "Нефть", "Цены."), article(2, "Нефть", "Цены.")
    hits = TopicWindow.of([older, newer]).search(parse_query("нефть"))
    assert [hit.article_id for hit in hits] == [2, 1]


def test_languages_and_a_later_start_narrow_the_window(
    window: TopicWindow, corpus: list[WindowArticle]
) -> None:
    query = parse_query("@Kazakhstan", GROUPS)
    english = {item.article_id for item in corpus if item.language == "en"}
    assert found(window, query, languages=["en"]) == matching(corpus, query, focus=False) & english
    later = START + timedelta(minutes=40)
    recent = {item.article_id for item in corpus if item.fetched_at >= later}
    assert found(window, query, since=later) == matching(corpus, query, focus=False) & recent
    assert found(window, query, languages=["de"]) == set()


def test_the_limit_keeps_the_best(window: TopicWindow) -> None:
    query = parse_query("@Kazakhstan", GROUPS)
    everything = window.search(query, limit=10_000)
    assert window.search(query, limit=3) == everything[:3]


def test_an_empty_window_finds_nothing() -> None:
    assert TopicWindow.of([]).search(parse_query("нефть")) == []


def test_numbered_articles_need_no_text_in_the_next_window(corpus: list[WindowArticle]) -> None:
    codes = LemmaCodes()
    heads = [(item.article_id, item.language, item.fetched_at) for item in corpus]
    texts = {item.article_id: (item.title, item.lead, item.body) for item in corpus}
    assert codes.missing(texts) == list(texts)
    first = codes.window(heads, texts)
    assert codes.missing(texts) == []
    again = codes.window(heads, {})
    query = parse_query("@Energy", GROUPS)
    assert found(again, query) == found(first, query) == matching(corpus, query, focus=False)


def test_an_article_neither_numbered_nor_given_is_left_out(corpus: list[WindowArticle]) -> None:
    codes = LemmaCodes()
    item = corpus[0]
    codes.add(item.article_id, item.title, item.lead, item.body)
    window = codes.window([(item.article_id, "ru", START), (999, "ru", START)], {})
    assert window.size == 1


def test_an_overgrown_vocabulary_starts_afresh(corpus: list[WindowArticle]) -> None:
    codes = LemmaCodes(max_vocabulary=10)
    for item in corpus[:2]:
        codes.add(item.article_id, item.title, item.lead, item.body)
    assert codes.missing([corpus[0].article_id]) == [corpus[0].article_id]


def test_capacity_bounds_the_numbered_articles(corpus: list[WindowArticle]) -> None:
    codes = LemmaCodes(capacity=2)
    for item in corpus[:3]:
        codes.add(item.article_id, item.title, item.lead, item.body)
    assert codes.missing([item.article_id for item in corpus[:3]]) == [corpus[0].article_id]


VOCABULARY = [
    "Казахстан",
    "России",
    "Токаев",
    "Тоқаев",
    "нефть",
    "газ",
    "уран",
    "Москва",
    "переговоры",
    "Kazakhstan",
    "oil",
    "Астана",
    "Нур-Султан",
    "казахстанско-российский",
    "инфляция",
    "@Kazakhstan",
    "@Russia",
    "@Energy",
    "ЕАЭС",
    "Байконур",
    "тенге",
    "и",
    "в",
]
SYNTAX = ["OR", "|", "-", "NOT", "(", ")", '"', "«", "»"]
queries = st.lists(st.sampled_from(VOCABULARY + SYNTAX), min_size=1, max_size=10).map(" ".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=queries)
def test_any_query_finds_in_a_window_what_the_matcher_finds(
    text: str, window: TopicWindow, corpus: list[WindowArticle]
) -> None:
    groups: dict[str, AliasGroup] = GROUPS
    try:
        query = parse_query(text, groups)
    except QueryError:
        return
    assert found(window, query) == matching(corpus, query, focus=False)
    assert found(window, query, focus=True) == matching(corpus, query, focus=True)
