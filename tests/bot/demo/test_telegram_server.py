"""The fake Bot API refuses what Telegram refuses and accepts what Telegram accepts.

The client is a real aiogram Bot over HTTP, so these tests also prove that the
fake understands requests exactly as aiogram sends them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiohttp import web

from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_server import FakeTelegramServer

CHAT = 42


class FakeTime:
    """A clock for the server's rate windows, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def api(fake_telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    fake_telegram.register_chat(CHAT)
    bot = bot_for(fake_telegram)
    try:
        yield bot
    finally:
        await close_session(bot.session)


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=f"b{i}", callback_data=d)] for i, d in enumerate(data)
        ]
    )


async def send_html(bot: Bot, text: str, chat_id: int = CHAT) -> Any:
    return await bot.send_message(chat_id, text, parse_mode="HTML")


# ---------------------------------------------------------------- HTML parse mode


@pytest.mark.parametrize(
    ("html", "entity_type"),
    [
        ("<b>x</b>", "bold"),
        ("<strong>x</strong>", "bold"),
        ("<i>x</i>", "italic"),
        ("<em>x</em>", "italic"),
        ("<u>x</u>", "underline"),
        ("<ins>x</ins>", "underline"),
        ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<a href="https://example.org/a?b=1&amp;c=2">x</a>', "text_link"),
    ],
)
async def test_each_whitelisted_tag_is_accepted_and_becomes_its_entity(
    api: Bot, html: str, entity_type: str
) -> None:
    message = await send_html(api, f"before {html} after")

    assert message.text == "before x after"
    assert message.entities is not None
    assert [(e.type, e.offset, e.length) for e in message.entities] == [(entity_type, 7, 1)]


async def test_a_link_keeps_its_url_with_entities_decoded(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await send_html(api, '<a href="https://example.org/a?b=1&amp;c=2">read</a>')

    [entity] = fake_telegram.last_message(CHAT).entities
    assert entity["url"] == "https://example.org/a?b=1&c=2"


async def test_properly_nested_tags_are_accepted_and_the_user_sees_only_the_text(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    html = (
        "<b>Главное: <i>Казахстан &amp; Россия</i></b>\n<blockquote>«цитата» &lt;1&gt;</blockquote>"
    )

    await send_html(api, html)

    sent = fake_telegram.last_message(CHAT)
    assert sent.text == "Главное: Казахстан & Россия\n«цитата» <1>"
    assert sent.raw_text == html
    assert sent.parse_mode == "HTML"
    assert {e["type"] for e in sent.entities} == {"bold", "italic", "blockquote"}


async def test_numeric_character_references_and_quot_are_decoded(api: Bot) -> None:
    message = await send_html(api, "&quot;A&#39;s&quot; &#x41;&#1050;")
    assert message.text == '"A\'s" AК'


async def test_pre_with_a_code_language_gives_a_pre_entity_with_that_language(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await send_html(api, '<pre><code class="language-python">print(1)</code></pre>')

    assert fake_telegram.last_message(CHAT).entities == [
        {"type": "pre", "offset": 0, "length": 8, "language": "python"}
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<p>paragraph</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<h1>title</h1>", 'Unsupported start tag "h1"'),
        ("<img src='x'>", 'Unsupported start tag "img"'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>crossed</b></i>", 'expected "</i>", found "</b>"'),
        ("stray</b>", "Unexpected end tag at byte offset 5"),
        ("1 < 2", "Unsupported start tag"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag"),
        (
            "Ф<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 2',
        ),
        ("AT&T", 'Unescaped "&"'),
        ("a -> b", 'Unescaped ">"'),
        ("&amp without semicolon", 'Unescaped "&"'),
    ],
)
async def test_markup_telegram_cannot_parse_is_refused_with_cant_parse_entities(
    api: Bot, fake_telegram: FakeTelegramServer, html: str, reason: str
) -> None:
    with pytest.raises(TelegramBadRequest) as refused:
        await send_html(api, html)

    assert "Bad Request: can't parse entities: " in refused.value.message
    assert reason in refused.value.message
    assert fake_telegram.messages(CHAT) == []


async def test_without_strict_escaping_bare_ampersands_and_gt_pass_as_telegram_lets_them() -> None:
    async with FakeTelegramServer(strict_escaping=False) as server:
        server.register_chat(CHAT)
        bot = bot_for(server)
        try:
            message = await send_html(bot, "AT&T -> 5 &amp 6")
            with pytest.raises(TelegramBadRequest, match="can't parse entities"):
                await send_html(bot, "1 <2")
        finally:
            await close_session(bot.session)
    assert message.text == "AT&T -> 5 & 6"


async def test_plain_text_is_taken_literally_tags_and_all(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    message = await api.send_message(CHAT, "<p>1 < 2 & 3</p>")

    assert message.text == "<p>1 < 2 & 3</p>"
    assert fake_telegram.last_message(CHAT).parse_mode is None


async def test_a_link_telegram_cannot_use_is_dropped_and_its_text_kept(api: Bot) -> None:
    message = await send_html(api, '<a href="javascript:alert(1)">click</a>')

    assert message.text == "click"
    assert message.entities is None


async def test_markdown_is_refused_loudly_because_the_fake_speaks_only_html(api: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="HTML only"):
        await api.send_message(CHAT, "*bold*", parse_mode="MarkdownV2")


# ---------------------------------------------------------------- length and emptiness


async def test_4096_visible_characters_are_accepted_however_much_markup_surrounds_them(
    api: Bot,
) -> None:
    text = "<b>" + "ж" * 2000 + "</b><i>" + "x" * 2000 + "</i>" + "&amp;" * 96

    message = await send_html(api, text)

    assert len(text) > 4096
    assert message.text is not None
    assert len(message.text) == 4096


async def test_4097_visible_characters_are_too_long(api: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await send_html(api, "<b>" + "ж" * 4097 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await api.send_message(CHAT, "x" * 4097)


async def test_the_limit_counts_characters_not_bytes(api: Bot) -> None:
    message = await api.send_message(CHAT, "😀" * 4096)
    assert message.text is not None
    assert len(message.text) == 4096


async def test_surrounding_whitespace_is_trimmed_before_counting(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await send_html(api, "\n\n  <b>x</b>" + "y" * 4095 + "   \n")

    sent = fake_telegram.last_message(CHAT)
    assert len(sent.text) == 4096
    assert sent.entities == [{"type": "bold", "offset": 0, "length": 1}]


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>", "<b> </b>\n"])
async def test_empty_text_is_refused(api: Bot, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await send_html(api, text)


# ---------------------------------------------------------------- inline keyboards


async def test_callback_data_of_64_bytes_is_accepted(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await api.send_message(CHAT, "pick", reply_markup=keyboard("x" * 64, "ж" * 32))

    assert fake_telegram.last_message(CHAT).callback_data() == ["x" * 64, "ж" * 32]


@pytest.mark.parametrize(
    "data", ["x" * 65, "ж" * 33, ""], ids=["65-ascii", "66-bytes-cyrillic", "empty"]
)
async def test_callback_data_outside_1_to_64_bytes_is_button_data_invalid(
    api: Bot, fake_telegram: FakeTelegramServer, data: str
) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await api.send_message(CHAT, "pick", reply_markup=keyboard("ok", data))
    assert fake_telegram.messages(CHAT) == []


async def test_a_button_with_no_action_or_a_bad_url_is_refused(api: Bot) -> None:
    no_action = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x")]])
    bad_url = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", url="not a url")]]
    )
    good_url = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", url="https://example.org/news")]]
    )

    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await api.send_message(CHAT, "a", reply_markup=no_action)
    with pytest.raises(TelegramBadRequest, match="URL 'not a url' is invalid"):
        await api.send_message(CHAT, "b", reply_markup=bad_url)
    assert await api.send_message(CHAT, "c", reply_markup=good_url)


# ---------------------------------------------------------------- chats: unknown and blocked


async def test_a_chat_never_seen_is_not_found_until_its_user_writes(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await api.send_message(777, "hello")

    fake_telegram.inject_message(777, "/start")

    assert (await api.send_message(777, "hello")).chat.id == 777


async def test_a_blocked_private_chat_answers_403_blocked_by_the_user(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.block_chat(CHAT)

    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await api.send_message(CHAT, "still there?")
    with pytest.raises(TelegramForbiddenError):
        await api.send_chat_action(CHAT, "typing")

    fake_telegram.unblock_chat(CHAT)
    assert await api.send_message(CHAT, "welcome back")


async def test_a_group_that_removed_the_bot_answers_403_kicked(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.register_chat(-100500, title="Newsroom")
    fake_telegram.block_chat(-100500)

    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the group chat"):
        await api.send_message(-100500, "hi")


async def test_blocking_with_notify_sends_the_my_chat_member_update(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.block_chat(CHAT, notify=True)

    [update] = await api.get_updates(timeout=0)

    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.chat.id == CHAT


# ---------------------------------------------------------------- flood limits


async def test_over_the_global_rate_telegram_answers_429_with_retry_after() -> None:
    time = FakeTime()
    async with FakeTelegramServer(global_rate=2, clock=time) as server:
        for chat in (1, 2, 3):
            server.register_chat(chat)
        bot = bot_for(server)
        try:
            await bot.send_message(1, "a")
            await bot.send_message(2, "b")
            with pytest.raises(TelegramRetryAfter) as limited:
                await bot.send_message(3, "c")
            time.now += 1.0
            await bot.send_message(3, "c")
        finally:
            await close_session(bot.session)

    assert limited.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in limited.value.message
    assert server.rate_limited == 1
    assert [m.text for m in server.sent] == ["a", "b", "c"]


async def test_over_the_per_chat_rate_only_that_chat_is_limited() -> None:
    time = FakeTime()
    async with FakeTelegramServer(chat_rate=1, clock=time) as server:
        server.register_chat(1)
        server.register_chat(2)
        bot = bot_for(server)
        try:
            await bot.send_message(1, "first")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(1, "second too soon")
            await bot.send_message(2, "another chat is fine")
            time.now += 0.5
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(1, "still too soon")
            time.now += 0.5
            await bot.send_message(1, "second")
        finally:
            await close_session(bot.session)

    assert server.rate_limited == 2
    assert [m.text for m in server.messages(1)] == ["first", "second"]


async def test_a_group_gets_at_most_its_messages_per_minute() -> None:
    time = FakeTime()
    async with FakeTelegramServer(group_rate_per_minute=3, clock=time) as server:
        server.register_chat(-5, title="Team")
        bot = bot_for(server)
        try:
            for n in range(3):
                await bot.send_message(-5, f"news {n}")
                time.now += 1
            with pytest.raises(TelegramRetryAfter) as limited:
                await bot.send_message(-5, "one too many")
        finally:
            await close_session(bot.session)

    assert limited.value.retry_after == 57


async def test_rate_limits_are_off_by_default(api: Bot, fake_telegram: FakeTelegramServer) -> None:
    await asyncio.gather(*(api.send_message(CHAT, f"m{n}") for n in range(40)))

    assert len(fake_telegram.messages(CHAT)) == 40
    assert fake_telegram.rate_limited == 0
    assert fake_telegram.requests["sendMessage"] == 40


# ---------------------------------------------------------------- getUpdates


async def test_updates_stay_until_a_later_offset_confirms_them(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    first = fake_telegram.inject_message(CHAT, "/start")
    second = fake_telegram.inject_message(CHAT, "/help")

    again = [u.update_id for u in await api.get_updates(timeout=0)]
    assert again == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in await api.get_updates(timeout=0)] == again

    rest = await api.get_updates(offset=first["update_id"] + 1, timeout=0)
    assert [u.update_id for u in rest] == [second["update_id"]]
    assert await api.get_updates(offset=second["update_id"] + 1, timeout=0) == []
    assert fake_telegram.pending_updates == 0


async def test_limit_and_negative_offset_follow_telegram(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    ids = [fake_telegram.inject_message(CHAT, f"m{n}")["update_id"] for n in range(5)]

    assert [u.update_id for u in await api.get_updates(limit=2, timeout=0)] == ids[:2]
    assert [u.update_id for u in await api.get_updates(offset=-1, timeout=0)] == ids[-1:]
    assert fake_telegram.pending_updates == 1


async def test_a_long_poll_returns_as_soon_as_an_update_arrives(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    poll = asyncio.create_task(api.get_updates(timeout=30))
    await fake_telegram.wait_until(lambda: fake_telegram.requests["getUpdates"] == 1)
    assert not poll.done()

    fake_telegram.inject_message(CHAT, "hello")

    [update] = await asyncio.wait_for(poll, 5)
    assert update.message is not None
    assert update.message.text == "hello"


async def test_a_long_poll_with_nothing_to_say_answers_an_empty_list_after_its_timeout(
    api: Bot,
) -> None:
    assert await api.get_updates(timeout=1) == []


async def test_a_second_poller_terminates_the_first_with_409(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    first = asyncio.create_task(api.get_updates(timeout=30))
    await fake_telegram.wait_until(lambda: fake_telegram.requests["getUpdates"] == 1)

    second = asyncio.create_task(api.get_updates(timeout=0))

    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    assert await second == []


async def test_allowed_updates_filters_and_is_remembered(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await api.send_message(CHAT, "menu", reply_markup=keyboard("topic:1"))
    fake_telegram.inject_message(CHAT, "text")
    fake_telegram.inject_callback(CHAT, "topic:1")

    [only] = await api.get_updates(allowed_updates=["callback_query"], timeout=0)
    fake_telegram.inject_message(CHAT, "more text")

    assert only.callback_query is not None
    assert await api.get_updates(offset=only.update_id + 1, timeout=0) == []


async def test_closing_the_server_ends_a_waiting_long_poll_at_once() -> None:
    server = await FakeTelegramServer().start()
    bot = bot_for(server)
    try:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await server.wait_until(lambda: server.requests["getUpdates"] == 1)
        await asyncio.wait_for(server.close(), 5)
        assert await asyncio.wait_for(poll, 5) == []
    finally:
        await close_session(bot.session)


# ---------------------------------------------------------------- webhooks


async def test_while_a_webhook_is_set_get_updates_is_a_conflict(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.inject_message(CHAT, "queued")
    assert await api.set_webhook("https://bot.example.org/telegram")

    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await api.get_updates(timeout=0)
    assert (await api.get_webhook_info()).url == "https://bot.example.org/telegram"

    assert await api.delete_webhook(drop_pending_updates=True)
    assert await api.get_updates(timeout=0) == []


async def test_a_set_webhook_receives_updates_with_the_secret_token_header(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def endpoint(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await api.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_token-1")
        update = fake_telegram.inject_message(CHAT, "/start")
        await fake_telegram.wait_until(lambda: fake_telegram.pending_updates == 0)
    finally:
        await runner.cleanup()

    assert received == [(update, "s3cret_token-1")]


async def test_a_webhook_secret_with_unallowed_characters_is_refused(api: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await api.set_webhook("https://bot.example.org/hook", secret_token="no spaces!")


# ---------------------------------------------------------------- callbacks, edits, deletes


async def test_a_pressed_button_arrives_with_its_message_and_is_answered_once(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    menu = await api.send_message(CHAT, "Topics", reply_markup=keyboard("sub:1", "sub:2"))
    injected = fake_telegram.inject_callback(CHAT, "sub:2", language_code="kk")

    [update] = await api.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None
    assert query.id == injected["callback_query"]["id"]
    assert query.data == "sub:2"
    assert query.from_user.language_code == "kk"
    assert query.message is not None
    assert query.message.message_id == menu.message_id

    assert await api.answer_callback_query(query.id, text="Subscribed")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await api.answer_callback_query(query.id)
    assert [(a.callback_query_id, a.text) for a in fake_telegram.callback_answers] == [
        (query.id, "Subscribed")
    ]


async def test_pressing_a_button_the_bot_never_showed_is_a_test_error(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await api.send_message(CHAT, "Topics", reply_markup=keyboard("sub:1"))

    with pytest.raises(AssertionError, match="no button with callback_data 'sub:9'"):
        fake_telegram.inject_callback(CHAT, "sub:9")


async def test_edits_change_the_message_and_are_logged(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    sent = await api.send_message(CHAT, "Topics", reply_markup=keyboard("sub:1"))

    await api.edit_message_text(
        "<b>Topics</b> ✓",
        chat_id=CHAT,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard("unsub:1"),
    )
    await api.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)

    message = fake_telegram.message(CHAT, sent.message_id)
    assert (message.text, message.reply_markup, message.edited) == ("Topics ✓", None, True)
    assert [(e.method, e.text) for e in fake_telegram.edits] == [
        ("editMessageText", "Topics ✓"),
        ("editMessageReplyMarkup", None),
    ]


async def test_an_edit_that_changes_nothing_is_refused_as_not_modified(api: Bot) -> None:
    sent = await api.send_message(CHAT, "same", reply_markup=keyboard("a"))

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await api.edit_message_text(
            "same", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await api.edit_message_reply_markup(
            chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a")
        )


async def test_edits_obey_the_same_text_rules_and_need_an_existing_bot_message(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    sent = await api.send_message(CHAT, "ok")
    users = fake_telegram.inject_message(CHAT, "mine")["message"]["message_id"]

    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await api.edit_message_text(
            "<p>x</p>", chat_id=CHAT, message_id=sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await api.edit_message_text("x", chat_id=CHAT, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await api.edit_message_text("x", chat_id=CHAT, message_id=users)


async def test_a_deleted_message_is_gone_for_later_calls(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    sent = await api.send_message(CHAT, "temporary")

    assert await api.delete_message(CHAT, sent.message_id)

    assert fake_telegram.messages(CHAT) == []
    assert fake_telegram.messages(CHAT, include_deleted=True)[0].deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await api.delete_message(CHAT, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await api.edit_message_text("x", chat_id=CHAT, message_id=sent.message_id)


async def test_replying_needs_the_replied_message_unless_allowed_without(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    asked = fake_telegram.inject_message(CHAT, "question")["message"]["message_id"]

    answer = await api.send_message(CHAT, "answer", reply_to_message_id=asked)
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "question"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await api.send_message(CHAT, "answer", reply_to_message_id=999)


async def test_chat_actions_are_recorded_and_unknown_ones_refused(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    assert await api.send_chat_action(CHAT, "typing")
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await api.send_chat_action(CHAT, "dancing")

    assert fake_telegram.chat_actions == [(CHAT, "typing")]


# ---------------------------------------------------------------- commands and members


async def test_commands_are_kept_per_language_and_scope(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await api.set_my_commands(
        [BotCommand(command="start", description="Начать")], language_code="ru"
    )
    await api.set_my_commands([BotCommand(command="help", description="Help")], language_code="en")
    await api.set_my_commands(
        [BotCommand(command="stats", description="Stats")], scope=BotCommandScopeAllGroupChats()
    )

    assert [c.command for c in await api.get_my_commands(language_code="ru")] == ["start"]
    assert await api.get_my_commands(language_code="kk") == []
    assert fake_telegram.commands_for("en") == ["help"]
    assert fake_telegram.commands_for(scope="all_group_chats") == ["stats"]


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("Start", "ok", "BOT_COMMAND_INVALID"),
        ("with-dash", "ok", "BOT_COMMAND_INVALID"),
        ("x" * 33, "ok", "BOT_COMMAND_INVALID"),
        ("ok", "", "BOT_COMMAND_DESCRIPTION_INVALID"),
        ("ok", "d" * 257, "BOT_COMMAND_DESCRIPTION_INVALID"),
    ],
)
async def test_a_malformed_command_is_refused(
    api: Bot, command: str, description: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await api.set_my_commands([BotCommand(command=command, description=description)])


async def test_group_admins_are_reported_by_get_chat_member_and_administrators(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.register_chat(-7, title="Team", admins=[501], creator=500, members=[502])

    owner = await api.get_chat_member(-7, 500)
    admin = await api.get_chat_member(-7, 501)
    member = await api.get_chat_member(-7, 502)
    admins = await api.get_chat_administrators(-7)

    assert isinstance(owner, ChatMemberOwner)
    assert isinstance(admin, ChatMemberAdministrator)
    assert member.status == "member"
    assert sorted(m.user.id for m in admins) == [500, 501]
    with pytest.raises(TelegramBadRequest, match="no administrators in the private chat"):
        await api.get_chat_administrators(CHAT)
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await api.get_chat_member(-7, 999)


# ---------------------------------------------------------------- HTTP: tokens, bodies, failures


async def test_a_wrong_token_is_unauthorized(fake_telegram: FakeTelegramServer) -> None:
    bot = bot_for(fake_telegram, "654321:WRONG-TOKEN")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await close_session(bot.session)


async def test_an_unknown_method_is_not_found(api: Bot, fake_telegram: FakeTelegramServer) -> None:
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{fake_telegram.url}/bot{api.token}/sendTelepathy")
        body = await response.json()
    assert (response.status, body["ok"], body["description"]) == (404, False, "Not Found")


@pytest.mark.parametrize("encoding", ["json", "form", "query"])
async def test_json_form_and_query_string_parameters_are_all_understood(
    fake_telegram: FakeTelegramServer, encoding: str
) -> None:
    fake_telegram.register_chat(CHAT)
    params = {
        "chat_id": CHAT,
        "text": "<b>hi</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]},
    }
    url = f"{fake_telegram.url}/bot{fake_telegram.token}/sendMessage"
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with aiohttp.ClientSession() as http:
        if encoding == "json":
            response = await http.post(url, json=params)
        elif encoding == "form":
            response = await http.post(url, data=flat)
        else:
            response = await http.get(url, params=flat)
        body = await response.json()

    assert body["ok"], body
    assert body["result"]["text"] == "hi"
    assert fake_telegram.last_message(CHAT).callback_data() == ["x"]


async def test_fail_next_makes_telegram_answer_a_server_error_once(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.fail_next("sendMessage", status=502, description="Bad Gateway")

    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await api.send_message(CHAT, "first try")
    assert await api.send_message(CHAT, "second try")


async def test_waiting_for_messages_that_never_come_says_what_was_sent_instead(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    await api.send_message(CHAT, "only one")

    with pytest.raises(TimeoutError, match=r"2 message\(s\) to chat 42.*only one"):
        await fake_telegram.wait_for_messages(CHAT, 2, timeout=0.2)


async def test_wait_for_messages_wakes_when_the_message_is_sent(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    waiting = asyncio.create_task(fake_telegram.wait_for_messages(CHAT, 2))
    await api.send_message(CHAT, "one")
    await api.send_message(CHAT, "two")

    assert [m.text for m in await asyncio.wait_for(waiting, 5)] == ["one", "two"]
