"""Property: whatever follows whatever command, the bot answers with valid Telegram HTML.

Random text (emoji, markup-looking text, right-to-left and control characters, up to
4,000 characters) goes after every command and on its own, through the real
Dispatcher to the strict fake Telegram. Each update must get at least one reply,
every reply must parse as Telegram HTML within 4096 UTF-16 units, and nothing may
raise. In a group the same holds for commands addressed to the bot.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_dispatcher, open_services
from bot.commands import COMMANDS
from bot.config import Settings
from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_html import parse_html, utf16_length
from bot.demo.telegram_server import FakeTelegramServer
from services.clock.clocks import ManualClock
from tests.conftest import START, TEST_TOKEN
from tests.handlers.conftest import Talk

# Text that holds a web address is left out here, so that /summary and plain messages
# never reach for the network (tests/handlers/test_summary.py covers links).
COMMAND_NAMES = [info.name for info in COMMANDS]
LINK_LIKE = re.compile(r"(?i)https?:|www\.")
MARKUP = st.sampled_from(
    [
        "<b>bold</b>",
        "<script>alert(1)</script>",
        "</i>",
        "a & b",
        "&amp; &lt; &#x41; &bogus;",
        '<a href="javascript:alert(1)">x</a>',
        "1 < 2 > 0",
        "{time} {0} %s {{}}",
        "\u202eRTL\u202c",
        "\x00\x07\u200b",
    ]
)
ARGUMENT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=200),
    MARKUP,
    st.lists(
        st.sampled_from(["🔥", "🇰🇿", "👨‍👩‍👧", "Ә", "ё", "9:30", "Asia/Almaty", "@", "/"]),
        max_size=30,
    ).map("".join),
    st.integers(min_value=3_500, max_value=4_000).map(lambda n: ("Ұ🙂<" * n)[:n]),
)


def run_examples(
    make_settings: Callable[..., Settings], check: Callable[[Talk, str, str], Any]
) -> None:
    """Run a hypothesis property on one event loop, one fake Telegram and one database."""

    async def setup() -> tuple[Talk, Callable[[], Any]]:
        telegram = await FakeTelegramServer(token=TEST_TOKEN).start()
        config = make_settings(telegram_api_url=telegram.url)
        clock = ManualClock(START)
        services_cm = open_services(config, clock)
        services = await services_cm.__aenter__()
        bot = bot_for(telegram, parse_mode="HTML")
        talk = Talk(telegram, build_dispatcher(services), bot, clock, services)
        talk.step = timedelta(seconds=30)  # never faster than the /summary throttle allows

        async def teardown() -> None:
            await close_session(bot.session)
            await services_cm.__aexit__(None, None, None)
            await telegram.close()

        return talk, teardown

    with asyncio.Runner() as runner:
        talk, teardown = runner.run(setup())
        try:

            @settings(
                max_examples=60,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(
                command=st.sampled_from([*COMMAND_NAMES, "nonsense", ""]),
                argument=ARGUMENT.filter(lambda text: not LINK_LIKE.search(text)),
            )
            def property_(command: str, argument: str) -> None:
                runner.run(check(talk, command, argument))

            property_()
        finally:
            runner.run(teardown())


def assert_valid_replies(talk: Talk, texts: list[str]) -> None:
    refused = [error for error in talk.telegram.errors if not error.found_nothing]
    assert refused == []
    for raw in texts:
        parsed = parse_html(raw)
        assert 0 < utf16_length(parsed.text) <= 4096


def message_text(command: str, argument: str, mention: str = "") -> str:
    text = (f"/{command}{mention} {argument}" if command else argument).strip()
    return text[:4096] or "?"


def test_any_text_after_any_command_gets_a_valid_reply_in_a_private_chat(
    make_settings: Callable[..., Settings],
) -> None:
    async def check(talk: Talk, command: str, argument: str) -> None:
        reply = await talk.send(4242, message_text(command, argument), language_code="kk")
        assert reply.messages, "no reply"
        assert_valid_replies(
            talk,
            [m.raw_text for m in reply.messages]
            + [e.raw_text or "" for e in reply.edits if e.raw_text],
        )

    run_examples(make_settings, check)


def test_any_text_after_any_command_addressed_to_the_bot_in_a_group(
    make_settings: Callable[..., Settings],
) -> None:
    async def check(talk: Talk, command: str, argument: str) -> None:
        talk.telegram.register_chat(-4242, creator=5, members=[6])
        mention = "@newsdigest_test_bot" if command else ""
        reply = await talk.send(
            -4242, message_text(command, argument, mention), user_id=5, language_code="en"
        )
        if command:
            assert reply.messages, "no reply"
        assert_valid_replies(talk, [m.raw_text for m in reply.messages])

    run_examples(make_settings, check)
