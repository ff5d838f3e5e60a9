"""/search QUERY: the best stored stories for a query, with their summaries."""

from __future__ import annotations

from services.storage.models import NewArticle
from tests.handlers.conftest import Talk


async def store_indexed(talk: Talk, slug: str, title: str, text: str, summary: list[str]) -> None:
    article_id = await talk.services.articles.add(
        NewArticle(
            url=f"https://news.example/{slug}",
            canonical_url=f"https://news.example/{slug}",
            content_hash=slug,
            language="ru",
            title=title,
            text=text,
            summary=summary,
            published_at=talk.clock.now(),
        )
    )
    assert article_id is not None
    article = await talk.services.articles.get(article_id)
    assert article is not None
    await talk.services.topic_index.index_article(article)


async def test_search_finds_stored_stories_with_their_summaries(talk: Talk) -> None:
    await store_indexed(
        talk,
        "baikonur",
        "Запуск с Байконура перенесли",
        "Старт ракеты с космодрома Байконур перенесли на сутки из-за погоды.",
        ["Старт ракеты с космодрома Байконур перенесли на сутки."],
    )
    await store_indexed(
        talk, "oil", "Нефть подорожала", "Цены на нефть выросли на бирже.", ["Цены выросли."]
    )

    reply = await talk.send(1401, "/search байконур", language_code="ru")

    assert "Запуск с Байконура перенесли" in reply.text
    assert "перенесли на сутки" in reply.text
    assert "Нефть подорожала" not in reply.text
    assert (1401, "typing") in talk.telegram.chat_actions


async def test_search_alone_asks_what_to_look_for(talk: Talk) -> None:
    reply = await talk.send(1402, "/search", language_code="en")

    assert reply.text.startswith("What should I look for?")


async def test_a_bad_search_query_is_explained(talk: Talk) -> None:
    reply = await talk.send(1403, '/search "Токаев', language_code="kk")

    assert reply.text == "Тырнақша жабылмаған."


async def test_nothing_found_says_so(talk: Talk) -> None:
    reply = await talk.send(1404, "/search <b>уран</b>", language_code="en")

    assert reply.text == "Nothing found for “<b>уран</b>” in the last 30 days."
