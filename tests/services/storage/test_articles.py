"""Articles: stored once (by canonical URL or by text), with summary, lemmas and story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.clock.clocks import ManualClock
from services.storage import ArticleRepository, Database, SourceRepository
from services.storage.models import NewArticle


@pytest.fixture
def articles(db: Database, clock: ManualClock) -> ArticleRepository:
    return ArticleRepository(db, clock)


def article(n: int, **changes: object) -> NewArticle:
    values: dict[str, object] = {
        "url": f"https://kapital.kz/economic/{n}?utm_source=tg",
        "canonical_url": f"https://kapital.kz/economic/{n}",
        "content_hash": f"hash-{n}",
        "language": "ru",
        "title": f"Нацбанк сохранил ставку ({n})",
        "text": "Национальный банк Казахстана сохранил базовую ставку на уровне 16,5%.",
    }
    values.update(changes)
    return NewArticle(**values)  # type: ignore[arg-type]


async def test_an_article_is_stored_with_every_field_and_its_source_name(
    db: Database, articles: ArticleRepository, clock: ManualClock
) -> None:
    source = await SourceRepository(db, clock).upsert("https://kapital.kz/rss", name="Kapital.kz")
    published = datetime.fromisoformat("2026-03-20T10:15:00+05:00")

    article_id = await articles.add(
        article(
            1,
            source_id=source.id,
            author="А. Иванова",
            published_at=published,
            summary=["Ставка 16,5%.", "Решение ожидали."],
            lemmas="нацбанк сохранить ставка",
        )
    )

    assert article_id is not None
    stored = await articles.get(article_id)
    assert stored is not None
    assert (stored.url, stored.canonical_url) == (
        "https://kapital.kz/economic/1?utm_source=tg",
        "https://kapital.kz/economic/1",
    )
    assert (stored.title, stored.author, stored.language) == (
        "Нацбанк сохранил ставку (1)",
        "А. Иванова",
        "ru",
    )
    assert stored.summary == ["Ставка 16,5%.", "Решение ожидали."]
    assert stored.lemmas == "нацбанк сохранить ставка"
    assert stored.published_at == published
    assert stored.fetched_at == clock.now()
    assert stored.time == published
    assert (stored.source_id, stored.source_name) == (source.id, "Kapital.kz")
    assert stored.story_id is None


async def test_without_a_publication_time_the_article_dates_from_its_fetch(
    articles: ArticleRepository, clock: ManualClock
) -> None:
    article_id = await articles.add(article(1))
    assert article_id is not None

    stored = await articles.get(article_id)

    assert stored is not None
    assert (stored.published_at, stored.summary, stored.lemmas) == (None, None, None)
    assert stored.time == clock.now()


async def test_the_same_canonical_url_or_the_same_text_is_stored_once(
    articles: ArticleRepository,
) -> None:
    assert await articles.add(article(1)) is not None

    same_url = await articles.add(article(2, canonical_url="https://kapital.kz/economic/1"))
    same_text = await articles.add(article(3, content_hash="hash-1"))

    assert same_url is None
    assert same_text is None
    assert await articles.count_since(datetime(2000, 1, 1, tzinfo=UTC)) == 1


async def test_exists_answers_for_canonical_url_original_url_or_text_hash(
    articles: ArticleRepository,
) -> None:
    await articles.add(article(1))

    assert await articles.exists(canonical_url="https://kapital.kz/economic/1")
    assert await articles.exists(url="https://kapital.kz/economic/1?utm_source=tg")
    assert await articles.exists(content_hash="hash-1")
    assert not await articles.exists(
        canonical_url="https://kapital.kz/economic/2", content_hash="hash-2"
    )
    assert not await articles.exists()


async def test_many_articles_are_fetched_by_id_and_unknown_ids_are_skipped(
    articles: ArticleRepository,
) -> None:
    ids = [await articles.add(article(n)) for n in range(3)]
    assert None not in ids
    first, _, third = ids

    found = await articles.get_many([third, first, 9999])  # type: ignore[list-item]

    assert sorted(a.id for a in found) == sorted([first, third])  # type: ignore[type-var]
    assert await articles.get_many([]) == []
    assert await articles.get(9999) is None


async def test_cards_carry_what_a_digest_shows_and_the_texts_length_not_the_text(
    articles: ArticleRepository,
) -> None:
    first = await articles.add(article(0, text="Астана и Москва подписали соглашение."))
    second = await articles.add(article(1))
    assert first is not None and second is not None
    await articles.set_summary(first, ["Подписали соглашение."])

    cards = {card.id: card for card in await articles.cards([second, first, 9999])}
    stored = {a.id: a for a in await articles.get_many([first, second])}

    assert set(cards) == {first, second}
    for article_id, card in cards.items():
        full = stored[article_id]
        assert (card.url, card.canonical_url, card.language, card.title) == (
            full.url,
            full.canonical_url,
            full.language,
            full.title,
        )
        assert (card.summary, card.time, card.story_id, card.source_name) == (
            full.summary,
            full.time,
            full.story_id,
            full.source_name,
        )
        assert card.text_length == len(full.text)
    assert cards[first].text_length == len("Астана и Москва подписали соглашение.")
    assert await articles.cards([]) == []


async def test_articles_fetched_since_a_moment_come_oldest_first_boundary_included(
    articles: ArticleRepository, clock: ManualClock
) -> None:
    await articles.add(article(0))
    clock.advance(timedelta(hours=1))
    boundary = clock.now()
    second = await articles.add(article(1))
    clock.advance(timedelta(hours=1))
    third = await articles.add(article(2))

    recent = await articles.fetched_since(boundary)

    assert [a.id for a in recent] == [second, third]
    assert await articles.count_since(boundary) == 2
    assert await articles.count_since(clock.now() + timedelta(seconds=1)) == 0


async def test_summary_and_lemmas_are_set_later(articles: ArticleRepository) -> None:
    article_id = await articles.add(article(1))
    assert article_id is not None

    await articles.set_summary(article_id, ["Первое «предложение».", "Второе & третье."])
    await articles.set_lemmas(article_id, "нацбанк ставка")

    stored = await articles.get(article_id)
    assert stored is not None
    assert stored.summary == ["Первое «предложение».", "Второе & третье."]
    assert stored.lemmas == "нацбанк ставка"


async def test_a_naive_publication_time_is_refused(articles: ArticleRepository) -> None:
    with pytest.raises(ValueError, match="naive"):
        await articles.add(article(1, published_at=datetime(2026, 3, 20, 10, 0)))  # noqa: DTZ001

    assert not await articles.exists(content_hash="hash-1")
