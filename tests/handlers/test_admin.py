"""handlers/admin.py: /stats, /sources, /addsource, /removesource for ADMIN_IDS only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.demo.news_site import NewsSite
from bot.demo.telegram_server import FakeTelegramServer
from tests.conftest import MakeSettings
from tests.handlers.conftest import Talk

ADMIN = 4_100
OUTSIDER = 4_200
ADMIN_COMMANDS = ["/stats"]


@pytest.fixture
def settings(make_settings: MakeSettings, fake_telegram: FakeTelegramServer) -> Settings:
    return make_settings(telegram_api_url=fake_telegram.url, admin_ids=str(ADMIN))


async def unknown_command_reply(talk: Talk, chat_id: int, command: str) -> str:
    """What the bot answers to a command that does not exist, with `command` in its place."""
    reply = await talk.send(chat_id, "/nosuchcommand", language_code="en")
    return reply.text.replace("/nosuchcommand", command)


@pytest.mark.parametrize("text", ADMIN_COMMANDS)
async def test_anyone_not_in_admin_ids_gets_the_ordinary_unknown_command_reply(
    talk: Talk, text: str
) -> None:
    expected = await unknown_command_reply(talk, OUTSIDER, text.split(maxsplit=1)[0])
    reply = await talk.send(OUTSIDER, text, language_code="en")
    assert reply.text == expected
    assert await talk.services.sources.list_all() == []


async def test_anyone_else_manages_only_their_own_sources_and_never_sees_the_shared_list(
    talk: Talk,
) -> None:
    await talk.services.sources.upsert("https://shared.example.kz/rss", name="Shared")
    listing = await talk.send(OUTSIDER, "/sources", language_code="en")
    removal = await talk.send(OUTSIDER, "/removesource https://shared.example.kz/rss")
    assert "shared.example.kz" not in listing.text
    assert "no sources of its own" in listing.text
    assert "shared.example.kz" in removal.text  # echoed: "no source with the address …"
    assert [s.url for s in await talk.services.sources.list_all()] == [
        "https://shared.example.kz/rss"
    ]


async def test_admins_see_chats_own_sources_only_as_a_count(talk: Talk) -> None:
    await talk.send(OUTSIDER, "/start")
    await talk.services.own_sources.repository.add(
        OUTSIDER, "https://private.example/rss?token=s3cret", name="Private", language="ru"
    )
    await talk.services.sources.upsert("https://shared.example.kz/rss", name="Shared")
    reply = await talk.send(ADMIN, "/sources", language_code="en")
    shown = "\n".join(m.text for m in reply.messages)
    assert "shared.example.kz" in shown
    assert "s3cret" not in shown and "private.example" not in shown
    assert "1 sources that only chats follow" in shown
    assert (
        await talk.services.source_admin.remove("https://private.example/rss?token=s3cret") is None
    )


async def test_an_admin_in_a_group_gets_no_admin_output_there(talk: Talk) -> None:
    talk.telegram.register_chat(-4_300, creator=ADMIN)
    reply = await talk.send(-4_300, "/stats@newsdigest_test_bot", user_id=ADMIN)
    assert "/stats" in reply.text
    assert "Subscribers" not in reply.text and "Подписчики" not in reply.text


async def test_stats_show_subscribers_topics_articles_sources_and_deliveries(talk: Talk) -> None:
    services = talk.services
    await talk.send(ADMIN, "/start", language_code="en")
    for chat_id in (5_001, 5_002, 5_003):
        await talk.send(chat_id, "/start")
    await services.subscribers.update(5_002, paused=True)
    await services.subscribers.update(5_003, blocked=True)
    healthy = await services.sources.upsert("https://ok.example.kz/rss", name="OK")
    failing = await services.sources.upsert("https://bad.example.kz/rss", name="Bad")
    await services.sources.record_success(healthy.id, etag=None, last_modified=None)
    await services.sources.record_failure(
        failing.id, "HTTP 500", retry_at=talk.clock.now() + timedelta(hours=1)
    )
    topics = await services.topics.count()

    text = (await talk.send(ADMIN, "/stats")).text

    assert "Subscribers: 2 active, 1 paused, 1 blocked the bot" in text
    assert f"Topics: {topics}" in text
    assert "Articles today: 0" in text
    assert "Sources: 1 healthy, 1 failing, 0 off" in text
    assert "Digests sent today: 0" in text
    assert "Times in Asia/Almaty" in text


async def test_stats_speak_the_admins_language(talk: Talk) -> None:
    await talk.send(ADMIN, "/start", language_code="kk")
    assert "Жазылушылар" in (await talk.send(ADMIN, "/stats")).text


async def test_sources_list_those_in_trouble_first_with_their_error_escaped(talk: Talk) -> None:
    services = talk.services
    await talk.send(ADMIN, "/start", language_code="en")
    ok = await services.sources.upsert("https://ok.example.kz/rss", name="Fine <b>outlet</b>")
    bad = await services.sources.upsert("https://bad.example.kz/rss", name="Broken & Co")
    await services.sources.record_success(ok.id, etag=None, last_modified=None)
    await services.sources.record_failure(
        bad.id, "the server said <html> 503", retry_at=talk.clock.now()
    )
    reply = await talk.send(ADMIN, "/sources")
    text = reply.text
    assert text.index("Broken & Co") < text.index("Fine <b>outlet</b>")
    assert "1 failed fetches: the server said <html> 503" in text
    assert "last success" in text


async def test_many_sources_are_split_into_messages_within_telegrams_limit(talk: Talk) -> None:
    await talk.send(ADMIN, "/start", language_code="en")
    for number in range(80):
        source = await talk.services.sources.upsert(
            f"https://outlet-{number}.example.kz/{'very-long-path/' * 12}rss.xml",
            name=f"Outlet number {number} " + "with a long name " * 5,
        )
        await talk.services.sources.record_failure(
            source.id, "connection refused " * 20, retry_at=talk.clock.now()
        )
    reply = await talk.send(ADMIN, "/sources")
    assert len(reply.messages) > 1
    assert talk.telegram.errors == []
    shown = "\n".join(message.text for message in reply.messages)
    assert all(f"Outlet number {number} " in shown for number in range(80))


async def test_addsource_resolves_a_site_page_to_its_feed_and_stores_the_feed(
    talk: Talk, news_site: NewsSite
) -> None:
    await talk.send(ADMIN, "/start", language_code="en")
    reply = await talk.send(ADMIN, f"/addsource {news_site.url('/')}")
    feed_url = news_site.url("/rss/all.xml")
    assert reply.text.startswith("Added:")
    assert feed_url in reply.text
    assert [s.url for s in await talk.services.sources.list_all()] == [feed_url]

    again = await talk.send(ADMIN, f"/addsource {feed_url}")
    assert again.text.startswith("Already a source")
    assert len(await talk.services.sources.list_all()) == 1


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (NewsSite.FAULT_404, "There is no page at"),
        (NewsSite.FAULT_MALFORMED, "is broken"),
    ],
)
async def test_addsource_refuses_what_is_not_a_readable_feed_and_stores_nothing(
    talk: Talk, news_site: NewsSite, path: str, expected: str
) -> None:
    await talk.send(ADMIN, "/start", language_code="en")
    reply = await talk.send(ADMIN, f"/addsource {news_site.url(path)}")
    assert expected in reply.text
    assert await talk.services.sources.list_all() == []


async def test_addsource_refuses_a_web_page_that_announces_no_feed(talk: Talk) -> None:
    async def page(_: web.Request) -> web.Response:
        return web.Response(
            text="<html><body><p>Just a page.</p></body></html>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_get("/about", page)
    async with TestServer(app, host="127.0.0.1") as server:
        await talk.send(ADMIN, "/start", language_code="en")
        reply = await talk.send(ADMIN, f"/addsource {server.make_url('/about')}")
    assert "is neither an RSS or Atom feed nor a page that links to one" in reply.text
    assert await talk.services.sources.list_all() == []


async def test_addsource_and_removesource_without_an_address_explain_themselves(
    talk: Talk,
) -> None:
    await talk.send(ADMIN, "/start", language_code="en")
    assert "<code>/addsource" in (await talk.send(ADMIN, "/addsource")).message.raw_text
    assert "/removesource URL" in (await talk.send(ADMIN, "/removesource")).text
    assert "does not look like a web address" in (await talk.send(ADMIN, "/addsource ftp://x")).text


async def test_removesource_removes_exactly_that_url(talk: Talk) -> None:
    await talk.send(ADMIN, "/start", language_code="en")
    await talk.services.sources.upsert("https://a.example.kz/rss", name="A")
    await talk.services.sources.upsert("https://b.example.kz/rss", name="B")
    missing = await talk.send(ADMIN, "/removesource https://c.example.kz/rss")
    assert "No source has the address" in missing.text
    removed = await talk.send(ADMIN, "/removesource https://a.example.kz/rss")
    assert removed.text.startswith("Removed: A")
    assert [s.name for s in await talk.services.sources.list_all()] == ["B"]
