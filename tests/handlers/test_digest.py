"""/digest: the digest now, from what came in since the last scheduled one."""

from __future__ import annotations

from tests.handlers.conftest import Talk


async def test_digest_without_topics_points_to_topics(talk: Talk) -> None:
    reply = await talk.send(1501, "/digest", language_code="en")

    assert "/topics" in reply.text and "/subscribe" in reply.text


async def test_digest_shows_new_stories_of_the_chats_topics(talk: Talk) -> None:
    await talk.send(1502, "/subscribe Байконур", language_code="ru")
    await talk.store_indexed(
        "baikonur",
        "Запуск с Байконура перенесли",
        "Старт ракеты с космодрома Байконур перенесли на сутки из-за погоды.",
        summary=["Старт ракеты с космодрома Байконур перенесли на сутки."],
        published_at=talk.clock.now(),
    )

    reply = await talk.send(1502, "/digest", language_code="ru")

    assert "Запуск с Байконура перенесли" in reply.text


async def test_digest_with_nothing_new_says_since_when(talk: Talk) -> None:
    await talk.send(1503, "/subscribe уран", language_code="en")

    reply = await talk.send(1503, "/digest", language_code="en")

    assert "since" in reply.text.lower()
