"""/subscribe QUERY: a personal topic, echoed as understood, with a sample of recent matches."""

from __future__ import annotations

import pytest

from tests.handlers.conftest import Talk


async def test_subscribe_adds_a_personal_topic_and_shows_recent_matches(talk: Talk) -> None:
    await talk.store_indexed(
        "baikonur",
        "Запуск с Байконура перенесли",
        "Старт ракеты с космодрома Байконур перенесли на сутки.",
    )
    await talk.store_indexed("oil", "Нефть подорожала", "Цены на нефть выросли на бирже.")

    reply = await talk.send(1301, "/subscribe Байконур -туризм", language_code="ru")

    [topic] = await talk.services.subscriptions.topics_of(1301)
    assert topic.query == "Байконур -туризм" and not topic.is_catalogue
    assert "Вы подписались на «Байконур -туризм»." in reply.text
    assert "Понял так:" in reply.text
    assert "Запуск с Байконура перенесли" in reply.text
    assert "Нефть подорожала" not in reply.text
    assert any(e.get("url") == "https://news.example/baikonur" for e in reply.message.entities)


async def test_subscribing_twice_keeps_one_topic(talk: Talk) -> None:
    await talk.send(1302, "/subscribe уран", language_code="en")

    reply = await talk.send(1302, "/subscribe   уран ", language_code="en")

    assert len(await talk.services.subscriptions.topics_of(1302)) == 1
    assert "You already follow “уран”." in reply.text
    assert "Nothing matched in the last week" in reply.text


async def test_subscribe_alone_explains_the_syntax(talk: Talk) -> None:
    reply = await talk.send(1303, "/subscribe", language_code="kk")

    assert "/subscribe СҰРАУ" in reply.text and "OR" in reply.text
    assert await talk.services.subscriptions.topics_of(1303) == []


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"Токаев', "A quotation mark is not closed."),
        ("-спорт", "only excludes words"),
        ("слово " * 25, "more than 20 words"),
        ("<b>" * 100, "longer than 200 characters"),
        ("*** ::: ,,,", "no words to look for"),
    ],
)
async def test_a_bad_query_is_explained_and_nothing_is_added(
    talk: Talk, query: str, reason: str
) -> None:
    reply = await talk.send(1304, f"/subscribe {query}", language_code="en")

    assert reason in reply.text
    assert "/subscribe QUERY" in reply.text
    assert await talk.services.subscriptions.topics_of(1304) == []


async def test_in_a_group_only_administrators_subscribe(talk: Talk) -> None:
    talk.telegram.register_chat(-1305, admins=[81], members=[82])

    refused = await talk.send(
        -1305, "/subscribe@newsdigest_test_bot уран", user_id=82, language_code="en"
    )
    await talk.send(-1305, "/subscribe@newsdigest_test_bot уран", user_id=81, language_code="en")

    assert "Only the group's administrators" in refused.text
    assert [t.query for t in await talk.services.subscriptions.topics_of(-1305)] == ["уран"]
