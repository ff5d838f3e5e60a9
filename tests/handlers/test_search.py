"""/search QUERY: the best stored stories for a query, with their summaries."""

from __future__ import annotations

from tests.handlers.conftest import Talk


async def test_search_finds_stored_stories_with_their_summaries(talk: Talk) -> None:
    await talk.store_indexed(
        "baikonur",
        "Запуск с Байконура перенесли",
        "Старт ракеты с космодрома Байконур перенесли на сутки из-за погоды.",
        summary=["Старт ракеты с космодрома Байконур перенесли на сутки."],
        published_at=talk.clock.now(),
    )
    await talk.store_indexed(
        "oil",
        "Нефть подорожала",
        "Цены на нефть выросли на бирже.",
        summary=["Цены выросли."],
        published_at=talk.clock.now(),
    )

    reply = await talk.send(1401, "/search байконур", language_code="ru")

    assert "Запуск с Байконура перенесли" in reply.text
    assert "перенесли на сутки" in reply.text
    assert "Нефть подорожала" not in reply.text


async def test_search_alone_asks_what_to_look_for(talk: Talk) -> None:
    reply = await talk.send(1402, "/search", language_code="en")

    assert reply.text.startswith("What should I look for?")


async def test_a_bad_search_query_is_explained(talk: Talk) -> None:
    reply = await talk.send(1403, '/search "Токаев', language_code="kk")

    assert reply.text == "Тырнақша жабылмаған."


async def test_nothing_found_says_so(talk: Talk) -> None:
    reply = await talk.send(1404, "/search <b>уран</b>", language_code="en")

    assert reply.text == "Nothing found for “<b>уран</b>” in the last 30 days."
