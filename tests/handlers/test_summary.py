"""/summary URL and links sent to the bot: a summary, or a clear reason why not."""

from __future__ import annotations

from datetime import timedelta

from aiogram.types import Message

from bot.demo.news_site import NewsSite
from handlers.callbacks import LinkAsSource
from handlers.summary import first_link, link_digest
from tests.handlers.conftest import Talk


def message(text: str, entities: list[dict[str, object]] | None = None) -> Message:
    return Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": text,
            "entities": entities,
        }
    )


def test_first_link_reads_entities_then_text() -> None:
    assert first_link(message("see https://a.kz/x, and more")) == "https://a.kz/x"
    assert first_link(message("see www.a.kz/x.")) == "http://www.a.kz/x"
    linked = message(
        "read this", [{"type": "text_link", "offset": 0, "length": 4, "url": "https://b.kz/y"}]
    )
    assert first_link(linked) == "https://b.kz/y"
    emoji_first = message("🔥 tengri.kz/n", [{"type": "url", "offset": 3, "length": 11}])
    assert first_link(emoji_first) == "http://tengri.kz/n"
    assert first_link(message("no link here")) is None


async def test_summary_of_an_article_link(talk: Talk, news_site: NewsSite) -> None:
    article = news_site.articles[0]

    reply = await talk.send(1201, f"/summary {news_site.url(article.path)}", language_code="en")

    assert reply.text.startswith(article.title)
    assert "127.0.0.1" in reply.text
    assert len(reply.text) > len(article.title) + 40
    assert any(e["type"] == "text_link" for e in reply.message.entities)


async def test_a_plain_link_in_a_private_chat_is_summarised(
    talk: Talk, news_site: NewsSite
) -> None:
    article = news_site.articles[1]

    reply = await talk.send(1202, f"что тут? {news_site.url(article.path)}", language_code="ru")

    assert reply.text.startswith(article.title)


async def test_a_forwarded_post_with_a_hidden_link_is_summarised(
    talk: Talk, news_site: NewsSite
) -> None:
    article = news_site.articles[2]
    update = talk.telegram.inject_message(1203, "Главная новость дня", language_code="ru")
    update["message"]["entities"] = [
        {"type": "text_link", "offset": 0, "length": 7, "url": news_site.url(article.path)}
    ]
    update["message"]["forward_origin"] = {
        "type": "hidden_user",
        "sender_user_name": "Канал",
        "date": 0,
    }

    reply = await talk.feed(update)

    assert reply.text.startswith(article.title)


async def test_summary_alone_explains_itself(talk: Talk) -> None:
    reply = await talk.send(1204, "/summary", language_code="en")

    assert "/summary https://example.com/news/1" in reply.text


async def test_summary_without_a_link_says_so(talk: Talk) -> None:
    reply = await talk.send(1205, "/summary <b>not a link</b> 🙃", language_code="en")

    assert reply.text.startswith("I found no link in “<b>not a link</b> 🙃”.")


async def test_a_missing_page_is_reported(talk: Talk, news_site: NewsSite) -> None:
    reply = await talk.send(
        1206, f"/summary {news_site.url(NewsSite.FAULT_404)}", language_code="en"
    )

    assert "There is no page at" in reply.text


async def test_a_page_without_an_article_is_reported(talk: Talk, news_site: NewsSite) -> None:
    reply = await talk.send(
        1207, f"/summary {news_site.url(NewsSite.FEED_ALL)}", language_code="kk"
    )

    assert "мақала таппадым" in reply.text


async def test_an_unreachable_site_is_reported(talk: Talk) -> None:
    reply = await talk.send(1208, "/summary http://127.0.0.1:9/news", language_code="en")

    assert "could not reach the site" in reply.text


async def test_summaries_have_a_tighter_throttle(talk: Talk) -> None:
    replies = [
        await talk.send(1209, "/summary http://127.0.0.1:9/x", language_code="en") for _ in range(4)
    ]

    assert all("could not reach" in reply.text for reply in replies[:3])
    assert "One link at a time" in replies[3].text
    assert "What I can do" in (await talk.send(1209, "/help", language_code="en")).text
    talk.clock.advance(timedelta(minutes=1))
    assert (
        "could not reach"
        in (await talk.send(1209, "/summary http://127.0.0.1:9/x", language_code="en")).text
    )


async def test_links_in_a_group_are_left_alone(talk: Talk, news_site: NewsSite) -> None:
    reply = await talk.send(-1210, news_site.url(news_site.articles[0].path), user_id=5)

    assert reply.messages == []


def test_a_link_digest_survives_how_telegram_may_spell_the_link() -> None:
    assert link_digest("HTTP://News.Example.KZ") == link_digest("http://news.example.kz/")
    assert link_digest("http://news.example.kz/a") != link_digest("http://news.example.kz/b")
    assert link_digest("http://news.example.kz/a?t=1") != link_digest("http://news.example.kz/a")
    button = LinkAsSource(digest=link_digest("https://x.kz/" + "я" * 500))
    assert len(button.pack().encode()) <= 64


async def test_a_summary_offers_to_add_its_link_as_a_source(
    talk: Talk, news_site: NewsSite
) -> None:
    url = news_site.url(news_site.articles[0].path)

    reply = await talk.send(1211, url, language_code="en")

    assert reply.message.callback_data() == [LinkAsSource(digest=link_digest(url)).pack()]
    assert [button["text"] for button in reply.message.buttons()] == ["Add as a source"]


async def test_no_add_button_when_the_link_already_is_one_of_the_chats_sources(
    talk: Talk, news_site: NewsSite
) -> None:
    url = news_site.url(news_site.articles[0].path)
    await talk.send(1212, "/sources", language_code="en")  # the chat is known from here on
    await talk.services.own_sources.repository.add(1212, url, name="Статья", language="ru")

    mine = await talk.send(1212, url, language_code="en")
    theirs = await talk.send(1213, url, language_code="en")

    assert mine.text.startswith(news_site.articles[0].title)
    assert mine.message.callback_data() == []
    assert theirs.message.callback_data() == [LinkAsSource(digest=link_digest(url)).pack()]
