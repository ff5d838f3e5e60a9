"""bot/demo/news_corpus.py: the site's articles are the same in every run and read like news."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources

from bot.demo.news_corpus import WRITTEN_CORPUS, build_article, build_articles, written_articles

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_a_generated_article_is_the_same_in_every_run_and_unlike_its_neighbours() -> None:
    first = build_article(7, NOON)

    assert build_article(7, NOON) == first
    assert build_article(8, NOON).text != first.text
    assert first.published == NOON
    assert first.path == f"/news/{first.section}/20260302-00007.html"


def test_generated_articles_come_newest_first_seven_minutes_apart() -> None:
    articles = build_articles(5, newest=NOON)

    assert [a.published for a in articles] == [NOON - timedelta(minutes=7 * i) for i in range(5)]
    assert len({a.text for a in articles}) == 5


def test_the_written_articles_are_the_first_of_each_language_interleaved_newest_first() -> None:
    articles = written_articles({"ru": 3, "en": 2, "kk": 1}, newest=NOON)

    assert sorted(a.language for a in articles) == ["en", "en", "kk", "ru", "ru", "ru"]
    assert [a.published for a in articles] == sorted((a.published for a in articles), reverse=True)
    assert len({a.path for a in articles}) == 6
    for article in articles:
        assert article.title
        assert len(article.paragraphs) >= 2
        assert all(paragraph == paragraph.strip() and paragraph for paragraph in article.paragraphs)


def test_every_written_article_is_labelled_with_topics_of_the_shipped_catalogue() -> None:
    catalogue = tomllib.loads((resources.files("bot.demo") / "topics.toml").read_text("utf-8"))
    slugs = {topic["slug"] for topic in catalogue["topics"]}

    for language in ("ru", "en", "kk"):
        corpus = tomllib.loads((WRITTEN_CORPUS / f"{language}.toml").read_text(encoding="utf-8"))
        assert corpus["articles"], language
        for entry in corpus["articles"]:
            assert set(entry["topics"]) <= slugs, entry["id"]
