"""/topics toggles catalogue subscriptions, /unsubscribe drops topics, /mytopics sums it all up."""

from __future__ import annotations

from handlers.callbacks import TopicDrop, TopicToggle
from services.storage.models import Topic
from tests.handlers.conftest import Talk


async def add_catalogue(talk: Talk) -> tuple[Topic, Topic]:
    topics = talk.services.topics
    kz_ru = await topics.upsert_catalogue(
        "kz-ru",
        query="Казахстан Россия",
        title_ru="Казахстан–Россия",
        title_en="Kazakhstan–Russia",
        title_kk="Қазақстан–Ресей",
    )
    energy = await topics.upsert_catalogue(
        "energy",
        query="нефть OR уран",
        title_ru="Энергетика",
        title_en="Energy",
        title_kk="Энергетика",
    )
    return kz_ru, energy


async def test_topics_shows_the_catalogue_in_the_chats_language(talk: Talk) -> None:
    kz_ru, energy = await add_catalogue(talk)

    reply = await talk.send(701, "/topics", language_code="en")

    assert [b["text"] for b in reply.message.buttons()] == ["Kazakhstan–Russia", "Energy"]
    assert reply.message.callback_data() == [
        TopicToggle(topic_id=kz_ru.id).pack(),
        TopicToggle(topic_id=energy.id).pack(),
    ]


async def test_tapping_a_topic_follows_it_and_ticks_the_button(talk: Talk) -> None:
    kz_ru, _energy = await add_catalogue(talk)
    shown = await talk.send(702, "/topics", language_code="en")

    reply = await talk.press(702, TopicToggle(topic_id=kz_ru.id).pack(), language_code="en")

    assert await talk.services.subscriptions.is_subscribed(702, kz_ru.id)
    assert reply.answers[0].text == "You follow “Kazakhstan–Russia”."
    updated = talk.telegram.message(702, shown.message.message_id)
    assert [b["text"] for b in updated.buttons()] == ["✓ Kazakhstan–Russia", "Energy"]


async def test_tapping_a_followed_topic_again_stops_following_it(talk: Talk) -> None:
    kz_ru, _energy = await add_catalogue(talk)
    shown = await talk.send(703, "/topics", language_code="ru")
    await talk.press(703, TopicToggle(topic_id=kz_ru.id).pack())

    reply = await talk.press(703, TopicToggle(topic_id=kz_ru.id).pack())

    assert not await talk.services.subscriptions.is_subscribed(703, kz_ru.id)
    assert "отписались" in (reply.answers[0].text or "")
    updated = talk.telegram.message(703, shown.message.message_id)
    assert [b["text"] for b in updated.buttons()] == ["Казахстан–Россия", "Энергетика"]


async def test_a_button_for_a_topic_removed_from_the_catalogue_answers_politely(
    talk: Talk,
) -> None:
    kz_ru, energy = await add_catalogue(talk)
    shown = await talk.send(704, "/topics", language_code="en")
    await talk.services.topics.remove_catalogue_except({"kz-ru"})

    reply = await talk.press(704, TopicToggle(topic_id=energy.id).pack(), language_code="en")

    assert reply.answers[0].text == "Sorry, this topic is no longer in the catalogue."
    updated = talk.telegram.message(704, shown.message.message_id)
    assert updated.callback_data() == [TopicToggle(topic_id=kz_ru.id).pack()]


async def test_empty_catalogue_points_to_subscribe(talk: Talk) -> None:
    reply = await talk.send(705, "/topics", language_code="en")

    assert "/subscribe" in reply.text and reply.message.buttons() == []


async def test_unsubscribe_offers_the_chats_topics_and_a_tap_drops_one(talk: Talk) -> None:
    kz_ru, energy = await add_catalogue(talk)
    await talk.send(706, "/start", language_code="en")
    await talk.services.subscriptions.subscribe(706, kz_ru.id)
    await talk.services.subscriptions.subscribe(706, energy.id)
    shown = await talk.send(706, "/unsubscribe", language_code="en")
    assert [b["text"] for b in shown.message.buttons()] == ["✕ Kazakhstan–Russia", "✕ Energy"]

    reply = await talk.press(706, TopicDrop(topic_id=energy.id).pack())

    assert [t.id for t in await talk.services.subscriptions.topics_of(706)] == [kz_ru.id]
    assert reply.answers[0].text == "You no longer follow “Energy”."
    updated = talk.telegram.message(706, shown.message.message_id)
    assert [b["text"] for b in updated.buttons()] == ["✕ Kazakhstan–Russia"]


async def test_unsubscribe_with_a_query_removes_that_personal_topic(talk: Talk) -> None:
    await talk.send(707, "/start", language_code="en")
    personal = await talk.services.topics.add_personal(707, "уран экспорт", "уран экспорт")
    await talk.services.subscriptions.subscribe(707, personal.id)

    reply = await talk.send(707, "/unsubscribe  Уран   экспорт ", language_code="en")

    assert await talk.services.subscriptions.topics_of(707) == []
    assert await talk.services.topics.get(personal.id) is None
    assert reply.text == "You no longer follow “уран экспорт”."


async def test_unsubscribe_from_something_not_followed_shows_the_keyboard(talk: Talk) -> None:
    kz_ru, _energy = await add_catalogue(talk)
    await talk.send(708, "/start", language_code="en")
    await talk.services.subscriptions.subscribe(708, kz_ru.id)

    reply = await talk.send(708, "/unsubscribe <b>football</b>", language_code="en")

    assert "You do not follow “<b>football</b>”" in reply.text
    assert reply.message.callback_data() == [TopicDrop(topic_id=kz_ru.id).pack()]


async def test_unsubscribe_without_topics_says_so(talk: Talk) -> None:
    reply = await talk.send(709, "/unsubscribe", language_code="en")

    assert "do not follow any topics" in reply.text


async def test_mytopics_lists_topics_settings_and_the_next_digest(talk: Talk) -> None:
    kz_ru, _energy = await add_catalogue(talk)
    await talk.send(710, "/start", language_code="en")
    await talk.services.subscriptions.subscribe(710, kz_ru.id)
    personal = await talk.services.topics.add_personal(710, "Байконур <космос>", "Байконур")
    await talk.services.subscriptions.subscribe(710, personal.id)

    reply = await talk.send(710, "/mytopics", language_code="en")

    assert "1. Kazakhstan–Russia" in reply.text
    assert "2. Байконур <космос> (your query)" in reply.text
    assert "every day at 09:00 (Asia/Almaty)" in reply.text
    assert "3 sentences per story" in reply.text
    # 12:00 in Almaty now, so the 09:00 digest is tomorrow's.
    assert "Next digest: tomorrow at 09:00" in reply.text


async def test_mytopics_when_paused_says_so(talk: Talk) -> None:
    await talk.send(711, "/pause", language_code="en")

    reply = await talk.send(711, "/mytopics", language_code="en")

    assert "You do not follow any topics yet" in reply.text
    assert "Next digest: paused" in reply.text


async def test_mytopics_with_hundreds_of_long_topics_stays_within_one_message(
    talk: Talk,
) -> None:
    await talk.send(712, "/start", language_code="en")
    for number in range(300):
        topic = await talk.services.topics.add_personal(
            712, f"{number} " + "длинный запрос " * 20, "x"
        )
        await talk.services.subscriptions.subscribe(712, topic.id)

    reply = await talk.send(712, "/mytopics", language_code="en")

    assert "/unsubscribe lists them all" in reply.text
    assert "Next digest" in reply.text


async def test_in_a_group_a_member_cannot_toggle_topics(talk: Talk) -> None:
    kz_ru, _energy = await add_catalogue(talk)
    talk.telegram.register_chat(-9001, admins=[41], members=[42])
    await talk.send(-9001, "/topics", user_id=42, language_code="en")

    reply = await talk.press(-9001, TopicToggle(topic_id=kz_ru.id).pack(), user_id=42)
    assert reply.answers[0].show_alert
    assert not await talk.services.subscriptions.is_subscribed(-9001, kz_ru.id)

    await talk.press(-9001, TopicToggle(topic_id=kz_ru.id).pack(), user_id=41)
    assert await talk.services.subscriptions.is_subscribed(-9001, kz_ru.id)


async def test_mytopics_answers_for_a_chat_whose_stored_zone_is_bogus(talk: Talk) -> None:
    await talk.send(713, "/start", language_code="en")
    await talk.services.subscribers.update(713, timezone="Mars/Olympus")

    reply = await talk.send(713, "/mytopics", language_code="en")

    # The row is kept as it is; the schedule reads it as UTC (06:00 now), so 09:00 is today.
    assert "every day at 09:00 (Mars/Olympus)" in reply.text
    assert "Next digest: today at 09:00" in reply.text
