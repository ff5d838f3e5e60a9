"""How often, as people set it: /frequency N realtime|daily|weekly, the buttons under
/mytopics, /quiet and /weekday; in the chat's language, bad input answered politely."""

from __future__ import annotations

from handlers.frequency import FrequencyPick
from tests.handlers.conftest import Talk


async def follow(talk: Talk, chat_id: int, *queries: str, language: str = "ru") -> None:
    for query in queries:
        await talk.send(chat_id, f"/subscribe {query}", language_code=language)


async def test_frequency_sets_how_often_a_topic_comes_by_its_number_in_mytopics(
    talk: Talk,
) -> None:
    await follow(talk, 801, "уран", "нефть", language="en")

    reply = await talk.send(801, "/frequency 2 realtime", language_code="en")

    assert reply.text == "нефть: now as it happens, one message per new story."
    chosen = await talk.services.frequencies.of_chat(801)
    assert sorted(chosen.values()) == ["daily", "realtime"]
    listing = await talk.send(801, "/mytopics", language_code="en")
    assert "2. нефть (your query) · as it happens" in listing.text


async def test_frequency_answers_bad_input_politely_in_the_chats_language(talk: Talk) -> None:
    await follow(talk, 802, "уран")

    no_topic = await talk.send(802, "/frequency 5 weekly")
    unknown = await talk.send(802, "/frequency 1 hourly")
    bare = await talk.send(802, "/frequency")

    assert no_topic.text.startswith("В /mytopics нет темы с номером 5.")
    assert unknown.text.startswith("«hourly» — такой частоты я не знаю.")
    assert "/frequency 1 realtime" in bare.text
    assert await talk.services.frequencies.of_chat(802) != {}
    assert set((await talk.services.frequencies.of_chat(802)).values()) == {"daily"}


async def test_a_button_under_mytopics_sets_the_frequency_and_ticks_it(talk: Talk) -> None:
    await follow(talk, 803, "Байконур", language="kk")
    shown = await talk.send(803, "/mytopics", language_code="kk")
    (topic,) = await talk.services.subscriptions.topics_of(803)

    reply = await talk.press(
        803, FrequencyPick(topic_id=topic.id, frequency="weekly").pack(), language_code="kk"
    )

    assert (await talk.services.frequencies.of_chat(803)) == {topic.id: "weekly"}
    assert reply.answers[0].text
    updated = talk.telegram.message(803, shown.message.message_id)
    assert [b["text"].startswith("1. ✓") for b in updated.buttons()] == [False, False, True]


async def test_quiet_hours_are_set_shown_and_switched_off(talk: Talk) -> None:
    shown = await talk.send(804, "/quiet", language_code="en")
    assert shown.text.startswith("Quiet hours: 23:00–07:00.")

    assert (await talk.send(804, "/quiet 22-6", language_code="en")).text.startswith(
        "Quiet hours: 22:00–06:00"
    )
    assert (await talk.services.preferences.get(804)).quiet_hours == "22-06"
    assert (await talk.send(804, "/quiet 7-7", language_code="en")).text.startswith("“7-7”")
    await talk.send(804, "/quiet off", language_code="en")
    assert (await talk.services.preferences.get(804)).quiet_hours == "off"


async def test_weekday_sets_the_day_of_the_weekly_digest(talk: Talk) -> None:
    reply = await talk.send(805, "/weekday пятница")

    assert (await talk.services.preferences.get(805)).weekday == 4
    assert "пятница" in reply.text
    assert "понедельник" in (await talk.send(806, "/weekday")).text
    assert (await talk.send(806, "/weekday someday")).text.startswith("«someday»")


async def test_weekday_names_the_day_in_the_readers_language(talk: Talk) -> None:
    english = await talk.send(807, "/weekday wed", language_code="en")
    kazakh = await talk.send(808, "/weekday sat", language_code="kk")

    assert english.text.startswith("Weekly digests now come on Wednesday at 09:00")
    assert "сенбі" in kazakh.text
    assert not any(code in kazakh.text for code in ("sat", "mon"))
