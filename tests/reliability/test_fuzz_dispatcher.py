"""Fuzzing every command and every button payload through the real Dispatcher.

Hypothesis sends each command — the users' and the admins', and one that does not
exist — with random unicode, 4,000-character strings, HTML, SQL and FTS syntax after
it, from a user, from an admin and in a group; and presses buttons with random
callback data, with each of the bot's callback prefixes followed by garbage. Nothing
may raise, and every message, edit and button answer must be one Telegram accepts:
the fake Bot API server refuses bad HTML, texts over 4096 characters and bad
markup, and records each refusal.

The database holds real ingested news (so /search, /digest and /subscribe find
things) and the real topic catalogue; fetches are refused by a resolver that knows
no names, so /summary and /addsource exercise their error paths without a network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_dispatcher, open_services
from bot.commands import COMMANDS
from bot.demo.news_site import NewsSite
from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_html import parse_html, utf16_length
from bot.demo.telegram_server import FakeTelegramServer
from services.clock.clocks import ManualClock
from services.ingest.fetch import ConnectionFailed, Fetcher, IPAddress
from tests.conftest import START, TEST_TOKEN, MakeSettings
from tests.handlers.conftest import Reply, Talk
from tests.reliability.guarded import with_fetcher

ROOT = Path(__file__).resolve().parents[2]
ADMIN, USER, GROUP = 6_100, 6_200, -6_300
MENTION = "@newsdigest_test_bot"
COMMAND_NAMES = [info.name for info in COMMANDS] + [
    "stats",
    "sources",
    "addsource",
    "removesource",
    "nosuchcommand",
]
CALLBACK_PREFIXES = ["tt", "td", "tz", "ln", "lg"]
NASTY = st.sampled_from(
    [
        '"; DROP TABLE subscribers; --',
        "' OR 1=1 --",
        "Robert'); DELETE FROM articles;--",
        "NEAR(казахстан россия, 2)",
        "title:нефть",
        "нефть*",
        '"unbalanced',
        "a AND OR NOT b",
        "^начало",
        "-",
        "-нефть",
        "OR",
        '""',
        "()",
        "(((",
        "@Kazakhstan @Nope",
        "{0} {time} %s %(x)s",
        "<b>unclosed",
        "</code>",
        "&amp; &bogus; &#0;",
        '<a href="javascript:alert(1)">x</a>',
        "http://127.0.0.1/admin",
        "https://no-such-host.example/rss",
        "file:///etc/passwd",
        "\x00\x1b[31m",
        "\u202eRTL\u202c",
        "🇰🇿" * 40,
        "9:30",
        "25:99",
        "Asia/Almaty",
        "../../etc/passwd",
        "0",
        "-1",
        "99999999999999999999999",
    ]
)
ARGUMENT = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=300),
    NASTY,
    st.lists(NASTY, min_size=2, max_size=8).map(" ".join),
    st.integers(min_value=3_900, max_value=4_000).map(lambda n: ("Ә<&>'\"" * n)[:n]),
)
CALLBACK_DATA = st.one_of(
    st.text(min_size=1, max_size=64),
    st.tuples(st.sampled_from(CALLBACK_PREFIXES), st.text(max_size=40)).map(":".join),
    st.tuples(st.sampled_from(CALLBACK_PREFIXES), NASTY).map(":".join),
    st.tuples(
        st.sampled_from(CALLBACK_PREFIXES), st.integers(min_value=-(2**70), max_value=2**70)
    ).map(lambda pair: f"{pair[0]}:{pair[1]}"),
).filter(lambda data: 1 <= len(data.encode("utf-8")) <= 64)


async def refuse_every_name(host: str, port: int) -> list[IPAddress]:
    raise ConnectionFailed(f"the host name {host} could not be resolved")


def run_property(
    make_settings: MakeSettings,
    strategy: st.SearchStrategy[Any],
    check: Callable[[Talk, Any], Awaitable[None]],
    examples: int,
) -> None:
    """Run `check` for each example on one loop, one fake Telegram, one seeded database."""

    async def setup() -> tuple[Talk, Callable[[], Awaitable[None]]]:
        telegram = await FakeTelegramServer(token=TEST_TOKEN).start()
        site = await NewsSite(articles=16, newest=START).start()
        config = make_settings(
            telegram_api_url=telegram.url,
            admin_ids=str(ADMIN),
            topics_file=ROOT / "config" / "topics.toml",
            allow_private_networks=True,  # only for seeding the database from the local site
        )
        clock = ManualClock(START)
        opened = open_services(config, clock)
        services = await opened.__aenter__()
        for feed in site.sources():
            await services.sources.upsert(feed.url, name=feed.name, language=feed.language)
        await services.ingestor.run_pass(force=True)
        fetcher = Fetcher(allow_private_networks=False, clock=clock, resolver=refuse_every_name)
        guarded = with_fetcher(services, fetcher)
        bot = bot_for(telegram, parse_mode="HTML")
        talk = Talk(telegram, build_dispatcher(guarded), bot, clock, guarded)
        telegram.register_chat(GROUP, creator=ADMIN, members=[USER])
        for chat_id, user_id in ((ADMIN, ADMIN), (USER, USER), (GROUP, ADMIN)):
            await talk.send(chat_id, "/start", user_id=user_id)
            await talk.send(chat_id, f"/topics{MENTION if chat_id < 0 else ''}", user_id=user_id)

        async def teardown() -> None:
            await fetcher.aclose()
            await close_session(bot.session)
            await opened.__aexit__(None, None, None)
            await site.close()
            await telegram.close()

        return talk, teardown

    with asyncio.Runner() as runner:
        talk, teardown = runner.run(setup())
        try:

            @settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(example=strategy)
            def property_(example: Any) -> None:
                runner.run(check(talk, example))

            property_()
        finally:
            runner.run(teardown())


def assert_all_valid_for_telegram(talk: Talk, reply: Reply, errors_before: int) -> None:
    """Telegram refused nothing the bot sent. Redrawing a keyboard the same as before is
    answered "message is not modified": a wasted call, not an invalid message; a channel
    someone named that does not exist is a lookup that found nothing."""
    refused = [
        error
        for error in talk.telegram.errors[errors_before:]
        if "message is not modified" not in error.description and not error.found_nothing
    ]
    assert refused == []
    shown = [m.raw_text for m in reply.messages] + [e.raw_text for e in reply.edits if e.raw_text]
    for raw in shown:
        assert 0 < utf16_length(parse_html(raw).text) <= 4096
    for answer in reply.answers:
        assert len(answer.text or "") <= 200


SENDERS = st.sampled_from([(ADMIN, ADMIN), (USER, USER), (GROUP, ADMIN), (GROUP, USER)])


def test_every_command_with_any_argument_from_anyone_gets_only_valid_replies(
    make_settings: MakeSettings,
) -> None:
    async def check(talk: Talk, example: tuple[str, str, tuple[int, int]]) -> None:
        command, argument, (chat_id, user_id) = example
        mention = MENTION if chat_id < 0 else ""
        text = f"/{command}{mention} {argument}".strip()[:4096]
        errors = len(talk.telegram.errors)
        reply = await talk.send(chat_id, text, user_id=user_id, language_code="kk")
        assert_all_valid_for_telegram(talk, reply, errors)

    strategy = st.tuples(st.sampled_from(COMMAND_NAMES), ARGUMENT, SENDERS)
    run_property(make_settings, strategy, check, examples=150)


def test_any_button_payload_is_answered_and_changes_nothing_it_should_not(
    make_settings: MakeSettings,
) -> None:
    async def check(talk: Talk, example: tuple[str, tuple[int, int]]) -> None:
        data, (chat_id, user_id) = example
        subscribers_before = await talk.services.subscribers.counts()
        errors = len(talk.telegram.errors)
        reply = await talk.press(chat_id, data, user_id=user_id, check_button=False)
        assert_all_valid_for_telegram(talk, reply, errors)
        assert reply.answers, "a button press must always be answered"
        assert await talk.services.subscribers.counts() == subscribers_before
        assert await talk.services.db.integrity_check() == "ok"

    strategy = st.tuples(CALLBACK_DATA, SENDERS)
    run_property(make_settings, strategy, check, examples=120)
