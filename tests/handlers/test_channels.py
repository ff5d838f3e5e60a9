"""Channels and forum threads, as people use them: /channel @name or a forwarded post links
a channel both the person and the bot administer (Telegram says so through getChatMember),
the private chat's commands then act on the channel, digests are posted in it; the link
goes, with one message, when the bot or the person is no longer an administrator. /here in
a forum topic sends the group's digests to that topic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.telegram import TelegramSender
from handlers.channels import ChannelPick, channel_reference
from tests.handlers.conftest import Talk

CHANNEL = -1001234
OWNER, HELPER, STRANGER = 701, 702, 703


def make_channel(talk: Talk, *, bot_status: str = "administrator") -> None:
    talk.telegram.register_chat(
        CHANNEL,
        chat_type="channel",
        title="Новости КЗ",
        username="news_kz",
        admins=[OWNER, HELPER],
        members=[STRANGER],
    )
    talk.telegram.set_bot_status(CHANNEL, bot_status)


async def link(talk: Talk, user_id: int = OWNER) -> None:
    reply = await talk.send(user_id, "/channel @news_kz", language_code="en")
    assert reply.text.startswith("@news_kz is linked"), reply.text


async def store_uranium_story(talk: Talk) -> None:
    await talk.store_indexed(
        "uranium",
        "Казатомпром увеличил добычу урана",
        "Казатомпром сообщил, что добыча урана выросла на десять процентов.",
        summary=["Казатомпром сообщил, что добыча урана выросла на десять процентов."],
        published_at=talk.clock.now() - timedelta(hours=1),
    )
    talk.clock.advance(timedelta(minutes=1))  # a pass comes after the article was fetched


async def test_an_admin_links_a_channel_and_its_digest_is_posted_in_the_channel(
    talk: Talk,
) -> None:
    make_channel(talk)

    await link(talk)
    acting = await talk.send(OWNER, "/subscribe уран", language_code="en")

    channel = await talk.services.subscribers.get(CHANNEL)
    assert channel is not None and channel.chat_type == "channel"
    assert [m.text for m in acting.messages][0] == "Channel @news_kz:"
    assert len(acting.messages) == 2  # the note, then the command's own reply
    assert [t.query for t in await talk.services.subscriptions.topics_of(CHANNEL)] == ["уран"]
    assert await talk.services.subscriptions.topics_of(OWNER) == []

    await store_uranium_story(talk)
    report = await talk.services.delivery.run_pass(TelegramSender(talk.bot), everyone=True)

    posted = talk.telegram.messages(CHANNEL)
    assert report.completed >= 1
    assert len(posted) == 1 and "Казатомпром увеличил добычу урана" in posted[0].text
    assert all("Казатомпром" not in m.text for m in talk.telegram.messages(OWNER))


async def test_a_post_forwarded_from_the_channel_links_it_too(talk: Talk) -> None:
    make_channel(talk)

    reply = await talk.send(OWNER, "look", language_code="ru", forwarded_from=CHANNEL)

    assert reply.text.startswith("@news_kz")
    assert [c.chat_id for c in await talk.services.channels.managed_by(OWNER)] == [CHANNEL]


async def test_nobody_links_a_channel_they_do_not_administer_or_where_the_bot_cannot_post(
    talk: Talk,
) -> None:
    make_channel(talk, bot_status="member")
    bot_cannot_post = await talk.send(OWNER, "/channel @news_kz", language_code="en")
    talk.telegram.set_bot_status(CHANNEL, "administrator")
    not_an_admin = await talk.send(STRANGER, "/channel @news_kz", language_code="en")
    unknown = await talk.send(OWNER, "/channel @nowhere", language_code="en")

    assert bot_cannot_post.text.startswith("Make me an administrator of @news_kz")
    assert not_an_admin.text == "Only the administrators of @news_kz can link it."
    assert unknown.text.startswith("I cannot see that channel.")
    assert await talk.services.channels.managed_by(OWNER) == []
    assert await talk.services.channels.managed_by(STRANGER) == []
    assert talk.telegram.requests["getChatMember"] >= 2  # Telegram was asked, not guessed


async def test_channel_lists_the_chats_and_a_button_switches_back_to_the_private_chat(
    talk: Talk,
) -> None:
    make_channel(talk)
    await link(talk)

    listing = await talk.send(OWNER, "/channel", language_code="en")
    assert [b["text"] for b in listing.message.buttons()] == ["This chat", "✓ @news_kz"]

    pressed = await talk.press(OWNER, ChannelPick(chat_id=0).pack(), language_code="en")
    own = await talk.send(OWNER, "/time 07:30", language_code="en")

    assert pressed.answers[0].text == "Commands now apply to this chat."
    assert len(own.messages) == 1  # no channel note: the private chat acts on itself
    owner = await talk.services.subscribers.get(OWNER)
    channel = await talk.services.subscribers.get(CHANNEL)
    assert owner is not None and channel is not None
    assert (owner.digest_time, channel.digest_time) == ("07:30", "09:00")
    updated = talk.telegram.message(OWNER, listing.message.message_id)
    assert [b["text"] for b in updated.buttons()] == ["✓ This chat", "@news_kz"]


async def test_the_bot_removed_from_the_channel_drops_the_link_and_says_so_once(
    talk: Talk,
) -> None:
    make_channel(talk)
    await link(talk, OWNER)
    await link(talk, HELPER)

    removed = talk.telegram.set_bot_status(CHANNEL, "left", notify=True, by=OWNER)
    assert removed is not None
    told = await talk.feed(removed)
    again = await talk.feed(removed)

    assert sorted(m.chat_id for m in told.messages) == [OWNER, HELPER]
    assert all("can no longer post in @news_kz" in m.text for m in told.messages)
    assert again.messages == []
    assert await talk.services.channels.managed_by(OWNER) == []
    channel = await talk.services.subscribers.get(CHANNEL)
    assert channel is not None and channel.blocked
    after = await talk.send(OWNER, "/time 08:00", language_code="en")
    assert len(after.messages) == 1  # acts on the private chat again


async def test_a_person_no_longer_admin_loses_the_link_and_is_told_once(talk: Talk) -> None:
    make_channel(talk)
    await link(talk, OWNER)
    await link(talk, HELPER)

    demoted = talk.telegram.set_member_status(CHANNEL, HELPER, "member", notify=True)
    assert demoted is not None
    told = await talk.feed(demoted)
    again = await talk.feed(demoted)

    assert [m.chat_id for m in told.messages] == [HELPER]
    assert "no longer an administrator of @news_kz" in told.messages[0].text
    assert again.messages == []
    assert await talk.services.channels.admins_of(CHANNEL) == [OWNER]


async def test_a_demotion_telegram_did_not_report_is_found_when_the_person_acts(
    talk: Talk,
) -> None:
    make_channel(talk)
    await link(talk)
    talk.telegram.set_member_status(CHANNEL, OWNER, "member")  # no update reached the bot

    reply = await talk.send(OWNER, "/time 06:00", language_code="en")

    texts = [m.text for m in reply.messages]
    assert "no longer an administrator of @news_kz" in texts[0]
    owner = await talk.services.subscribers.get(OWNER)
    channel = await talk.services.subscribers.get(CHANNEL)
    assert owner is not None and channel is not None
    assert (owner.digest_time, channel.digest_time) == ("06:00", "09:00")


async def test_channel_in_a_group_points_to_the_private_chat(talk: Talk) -> None:
    reply = await talk.send(-500, "/channel", user_id=OWNER, language_code="en")

    assert reply.text.startswith("Send /channel to me in a private chat")


async def test_here_in_a_forum_topic_sends_the_groups_digest_to_that_topic(talk: Talk) -> None:
    group = -1009000
    talk.telegram.register_chat(group, chat_type="supergroup", is_forum=True, admins=[OWNER])

    chosen = await talk.send(
        group, "/here", user_id=OWNER, message_thread_id=17, language_code="en"
    )
    await talk.send(group, "/subscribe уран", user_id=OWNER, message_thread_id=17)
    await store_uranium_story(talk)
    await talk.services.delivery.run_pass(TelegramSender(talk.bot), everyone=True)

    assert chosen.text == "The group's digests and alerts now come to this topic."
    assert chosen.message.message_thread_id == 17
    assert await talk.services.threads.all() == {group: 17}
    (digest,) = [m for m in talk.telegram.messages(group) if "Казатомпром" in m.text]
    assert digest.message_thread_id == 17


async def test_a_deleted_topic_sends_the_digest_to_the_groups_main_thread(talk: Talk) -> None:
    group = -1009001
    talk.telegram.register_chat(group, chat_type="supergroup", is_forum=True, admins=[OWNER])
    await talk.send(group, "/here", user_id=OWNER, message_thread_id=18)
    await talk.send(group, "/subscribe уран", user_id=OWNER, message_thread_id=18)
    talk.telegram.close_thread(group, 18)
    await store_uranium_story(talk)

    await talk.services.delivery.run_pass(TelegramSender(talk.bot), everyone=True)

    (digest,) = [m for m in talk.telegram.messages(group) if "Казатомпром" in m.text]
    assert digest.message_thread_id is None


async def test_here_outside_a_forum_says_what_it_is_for(talk: Talk) -> None:
    talk.telegram.register_chat(-501, chat_type="supergroup", admins=[OWNER])
    reply = await talk.send(-501, "/here", user_id=OWNER, language_code="en")

    assert reply.text.startswith("/here is for groups with topics")


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("@news_kz", "@news_kz"),
        ("news_kz", "@news_kz"),
        ("https://t.me/news_kz", "@news_kz"),
        ("t.me/news_kz now", "@news_kz"),
        ("-1001234567890", -1001234567890),
        ("0", None),
        ("@", None),
        ("новости", None),
        ("-42", None),
    ],
)
def test_a_channel_is_named_by_its_public_name_link_or_id(
    typed: str, reference: int | str | None
) -> None:
    assert channel_reference(typed) == reference


async def test_something_that_cannot_name_a_channel_is_answered_without_asking_telegram(
    talk: Talk,
) -> None:
    reply = await talk.send(OWNER, "/channel 0", language_code="en")

    assert reply.text.startswith("Send the channel's public name")
    assert talk.telegram.requests["getChat"] == 0


async def test_a_channel_nobody_can_find_is_answered_and_nothing_else_is_refused(
    talk: Talk,
) -> None:
    reply = await talk.send(OWNER, "/channel @no_such_channel", language_code="en")

    assert reply.text
    assert talk.telegram.errors
    assert all(error.found_nothing for error in talk.telegram.errors)
