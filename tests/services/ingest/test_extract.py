"""Extraction: main text and metadata from pages, the feed as fallback, and dedup keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st

from services.ingest.extract import (
    MIN_PAGE_CHARS,
    FeedText,
    canonical_url,
    content_hash,
    extract_article,
    extract_page,
)

PAGES = Path(__file__).parents[2] / "data" / "pages"
FEED = FeedText(
    title="Казахстан и Россия обсудили поставки газа",
    text=(
        "Президенты Казахстана и России обсудили по телефону поставки российского газа в "
        "северные и восточные регионы республики.\nСтороны договорились ускорить "
        "согласование маршрута газопровода и подготовить дорожную карту до конца весны."
    ),
    author="Редакция",
    published_at=datetime(2026, 3, 20, 8, 0, tzinfo=UTC),
)


@pytest.mark.parametrize("name", sorted(path.stem for path in PAGES.glob("*.html")))
def test_realistic_pages_yield_text_title_date_language_and_canonical_url(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))

    article = extract_article(
        (PAGES / f"{name}.html").read_bytes(), url=expected["url"], content_type="text/html"
    )

    assert article is not None
    assert article.text.splitlines() == expected["paragraphs"]
    assert article.title == expected["title"]
    assert article.canonical_url == expected["canonical_url"]
    assert article.language == expected["language"]
    assert article.published_at == datetime.fromisoformat(expected["published_at"])
    assert not article.from_feed


@pytest.mark.parametrize("name", sorted(path.stem for path in PAGES.glob("*.html")))
def test_no_page_trafilatura_reads_on_its_own_comes_back_empty(name: str) -> None:
    content = (PAGES / f"{name}.html").read_bytes()
    url = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))["url"]
    alone = trafilatura.bare_extraction(content, url=url, with_metadata=True)
    assert alone is not None and alone.text

    page = extract_page(content, url=url)

    assert page is not None
    assert len(page.text) >= 0.8 * len(alone.text)


def test_a_page_with_an_xml_declaration_is_read_from_text_as_from_bytes() -> None:
    content = (PAGES / "xml_declaration.html").read_bytes()
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    url = "https://pavlodar-news.example/news/2026/03/kotelnaya-usolka.html"

    from_text = extract_page(content.decode("utf-8"), url=url)
    from_bytes = extract_page(content, url=url)

    assert from_text is not None and from_bytes is not None
    assert from_text.text == from_bytes.text != ""


def test_control_characters_and_comments_do_not_cut_the_text() -> None:
    sentence = "Начало фразы и конец фразы о событии, важном для всех жителей города."
    filler = "".join(
        f"<p>Абзац {i}: правительство обсудило бюджет региона и строительство дорог.</p>"
        for i in range(5)
    )
    html = (
        "<html><head><title>T</title></head><body><article>"
        "<p>Начало фразы <!-- banner -->и конец фразы о событии,\x1f важном для всех жителей "
        f"города.</p>{filler}</article></body></html>"
    )
    page = extract_page(html.encode(), url="https://news.example/a")
    assert page is not None
    assert page.text.splitlines()[0] == sentence


def test_the_author_comes_from_the_page_when_the_feed_has_none() -> None:
    expected = json.loads((PAGES / "tengri_style.json").read_text(encoding="utf-8"))
    article = extract_article((PAGES / "tengri_style.html").read_bytes(), url=expected["url"])
    assert article is not None
    assert article.author == "Данияр Сериков"


def test_without_a_page_the_feed_text_is_used() -> None:
    article = extract_article(None, url="https://news.example/a?utm_source=rss#top", feed=FEED)

    assert article is not None
    assert article.from_feed
    assert article.text == FEED.text
    assert article.title == FEED.title
    assert article.published_at == FEED.published_at
    assert article.canonical_url == "https://news.example/a"


def test_a_page_that_yields_too_little_falls_back_to_the_feed() -> None:
    page = b"<html><head><title>Video</title></head><body><p>Watch the video.</p></body></html>"
    article = extract_article(page, url="https://news.example/video/1", feed=FEED)

    assert article is not None
    assert article.from_feed
    assert article.text == FEED.text


def test_a_full_page_wins_over_a_short_feed_description() -> None:
    expected = json.loads((PAGES / "ria_style.json").read_text(encoding="utf-8"))
    feed = FeedText(title=expected["title"], text="Коротко: президенты поговорили.")

    article = extract_article(
        (PAGES / "ria_style.html").read_bytes(), url=expected["url"], feed=feed
    )

    assert article is not None
    assert not article.from_feed
    assert len(article.text) >= MIN_PAGE_CHARS


def test_nothing_worth_keeping_gives_none() -> None:
    assert (
        extract_article(None, url="https://news.example/a", feed=FeedText(title="Заголовок"))
        is None
    )
    assert extract_article(b"", url="https://news.example/a") is None


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_page_never_raise(content: bytes) -> None:
    extract_article(content, url="https://news.example/a", feed=FEED)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://ria.example/a.html?utm_source=rss&utm_medium=feed&utm_campaign=x#comments",
            "https://ria.example/a.html",
        ),
        ("https://x.kz/n?id=5&fbclid=IwAR0&gclid=1&yclid=2&ysclid=3", "https://x.kz/n?id=5"),
        ("https://x.kz/n?page=2&_openstat=abc&mc_cid=1&sort=new", "https://x.kz/n?page=2&sort=new"),
        ("HTTPS://News.Example.KZ:443/Path/A", "https://news.example.kz/Path/A"),
        ("http://news.example:80", "http://news.example/"),
    ],
)
def test_canonical_url_drops_tracking_and_fragment_but_keeps_meaning(
    url: str, expected: str
) -> None:
    assert canonical_url(url) == expected


def test_the_same_text_hashes_the_same_whatever_its_spacing_case_and_yo() -> None:
    text = "Ещё один абзац текста про переговоры президентов в Астане. " * 5
    variant = "  " + text.upper().replace("Ё", "Е").replace(". ", ".\n") + "  "
    assert content_hash(text, "Заголовок А") == content_hash(variant, "Другой заголовок")


def test_short_texts_hash_with_their_title() -> None:
    text = "Подробности позже."
    assert content_hash(text, "Пожар в Алматы") != content_hash(text, "Паводок в Уральске")
    assert content_hash("Один текст про одно. " * 20) != content_hash(
        "Другой текст про другое. " * 20
    )
