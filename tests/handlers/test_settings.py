"""/time, /timezone, /length, /language, /pause and /resume change the chat's settings."""

from __future__ import annotations

import pytest

from handlers.callbacks import LanguagePick, LengthPick, ZonePick
from tests.handlers.conftest import Talk

# The suite's clock starts at 2026-03-20 06:00 UTC = 12:00 in Almaty (UTC+5).


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9", "09:00"),
        ("09:00", "09:00"),
        ("9:30", "09:30"),
        ("21.15", "21:15"),
        (" 7:05 ", "07:05"),
    ],
)
async def test_time_accepts_the_usual_ways_of_writing_a_time(
    talk: Talk, typed: str, stored: str
) -> None:
    reply = await talk.send(601, f"/time {typed}", language_code="en")

    subscriber = await talk.services.subscribers.get(601)
    assert subscriber is not None and subscriber.digest_time == stored
    assert stored in reply.text


async def test_time_reports_the_next_digest_in_local_time(talk: Talk) -> None:
    later = await talk.send(602, "/time 18:30", language_code="en")
    earlier = await talk.send(602, "/time 8", language_code="en")

    assert "Next digest: today at 18:30" in later.text
    assert "Next digest: tomorrow at 08:00" in earlier.text


@pytest.mark.parametrize("typed", ["25:00", "9:75", "noon", "🕘", "<b>9</b>", "9" * 4000])
async def test_time_rejects_what_is_not_a_time_and_keeps_the_old_one(
    talk: Talk, typed: str
) -> None:
    await talk.send(603, "/start", language_code="en")

    reply = await talk.send(603, f"/time {typed}", language_code="en")

    subscriber = await talk.services.subscribers.get(603)
    assert subscriber is not None and subscriber.digest_time == "09:00"
    assert "could not read" in reply.text and "/time 9" in reply.text


async def test_time_alone_shows_the_current_time_and_examples(talk: Talk) -> None:
    reply = await talk.send(604, "/time", language_code="ru")

    assert "09:00" in reply.text and "/time 21.15" in reply.text


async def test_timezone_alone_offers_the_common_zones_with_the_current_one_ticked(
    talk: Talk,
) -> None:
    reply = await talk.send(605, "/timezone", language_code="en")

    buttons = [b["text"] for b in reply.message.buttons()]
    assert "✓ Asia/Almaty" in buttons
    assert {
        "Asia/Aqtobe",
        "Europe/Moscow",
        "Asia/Tashkent",
        "Asia/Bishkek",
        "Europe/Samara",
        "UTC",
    } <= set(buttons)


async def test_tapping_a_zone_sets_it_and_ticks_it(talk: Talk) -> None:
    await talk.send(606, "/timezone", language_code="en")

    reply = await talk.press(606, ZonePick(zone="Europe/Moscow").pack())

    subscriber = await talk.services.subscribers.get(606)
    assert subscriber is not None and subscriber.timezone == "Europe/Moscow"
    assert reply.answers and "Europe/Moscow" in (reply.answers[0].text or "")
    [edit] = reply.edits
    assert "Europe/Moscow" in (edit.text or "")
    assert talk.telegram.message(606, edit.message_id).buttons()[2]["text"] == "✓ Europe/Moscow"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("asia/tokyo", "Asia/Tokyo"),
        ("Almaty", "Asia/Almaty"),
        ("utc", "UTC"),
    ],
)
async def test_timezone_accepts_any_iana_name_typed(talk: Talk, typed: str, zone: str) -> None:
    reply = await talk.send(607, f"/timezone {typed}", language_code="en")

    subscriber = await talk.services.subscribers.get(607)
    assert subscriber is not None and subscriber.timezone == zone
    assert f"Time zone set: {zone}" in reply.text


@pytest.mark.parametrize(
    "typed", ["Mars/Olympus", "../../etc/passwd", "<i>UTC</i>", "+5", "x" * 4000]
)
async def test_timezone_rejects_unknown_names_and_offers_the_keyboard(
    talk: Talk, typed: str
) -> None:
    reply = await talk.send(608, f"/timezone {typed}", language_code="en")

    subscriber = await talk.services.subscribers.get(608)
    assert subscriber is not None and subscriber.timezone == "Asia/Almaty"
    assert "do not know the time zone" in reply.text
    assert reply.message.buttons()


async def test_length_takes_one_to_five(talk: Talk) -> None:
    reply = await talk.send(609, "/length 5", language_code="en")

    subscriber = await talk.services.subscribers.get(609)
    assert subscriber is not None and subscriber.digest_length == 5
    assert "5 sentences" in reply.text


@pytest.mark.parametrize("typed", ["0", "6", "-1", "three", "2.5", "³", "99999999999999999999"])
async def test_length_outside_one_to_five_is_refused_with_a_keyboard(
    talk: Talk, typed: str
) -> None:
    reply = await talk.send(610, f"/length {typed}", language_code="en")

    subscriber = await talk.services.subscribers.get(610)
    assert subscriber is not None and subscriber.digest_length == 3
    assert "not a length" in reply.text
    assert [b["text"] for b in reply.message.buttons()] == ["1", "2", "✓ 3", "4", "5"]


async def test_tapping_a_length_sets_it(talk: Talk) -> None:
    await talk.send(611, "/length", language_code="ru")

    reply = await talk.press(611, LengthPick(length=1).pack())

    subscriber = await talk.services.subscribers.get(611)
    assert subscriber is not None and subscriber.digest_length == 1
    assert "1 предложении" in (reply.answers[0].text or "")


async def test_language_keyboard_switches_and_replies_in_the_new_language(talk: Talk) -> None:
    await talk.send(612, "/language", language_code="ru")

    reply = await talk.press(612, LanguagePick(language="kk").pack())

    subscriber = await talk.services.subscribers.get(612)
    assert subscriber is not None and subscriber.language == "kk"
    assert "Қазақша" in (reply.answers[0].text or "")
    help_reply = await talk.send(612, "/help", language_code="ru")
    assert help_reply.text.startswith("Мен не істей аламын")


@pytest.mark.parametrize(
    ("typed", "language"), [("en", "en"), ("English", "en"), ("қазақша", "kk"), ("Русский", "ru")]
)
async def test_language_accepts_a_name_typed(talk: Talk, typed: str, language: str) -> None:
    await talk.send(613, "/start", language_code="de")

    await talk.send(613, f"/language {typed}")

    subscriber = await talk.services.subscribers.get(613)
    assert subscriber is not None and subscriber.language == language


async def test_unknown_language_offers_the_three(talk: Talk) -> None:
    reply = await talk.send(614, "/language klingon", language_code="en")

    assert "do not know the language" in reply.text
    assert [b["text"] for b in reply.message.buttons()] == ["Русский", "✓ English", "Қазақша"]


async def test_pause_and_resume(talk: Talk) -> None:
    paused = await talk.send(615, "/pause", language_code="en")
    again = await talk.send(615, "/pause", language_code="en")
    subscriber = await talk.services.subscribers.get(615)
    assert subscriber is not None and subscriber.paused
    assert "paused" in paused.text and "already paused" in again.text

    resumed = await talk.send(615, "/resume", language_code="en")

    subscriber = await talk.services.subscribers.get(615)
    assert subscriber is not None and not subscriber.paused
    assert "on again" in resumed.text and "Next digest: tomorrow at 09:00" in resumed.text


async def test_in_a_group_only_administrators_change_settings(talk: Talk) -> None:
    talk.telegram.register_chat(-8001, admins=[21], members=[22])
    await talk.send(-8001, "/start", user_id=21, language_code="en")

    refused = await talk.send(-8001, "/time 7", user_id=22, language_code="en")
    allowed = await talk.send(-8001, "/time@newsdigest_test_bot 7", user_id=21, language_code="en")

    subscriber = await talk.services.subscribers.get(-8001)
    assert subscriber is not None and subscriber.digest_time == "07:00"
    assert "Only the group's administrators" in refused.text
    assert "07:00" in allowed.text


async def test_in_a_group_a_member_tapping_a_settings_button_gets_an_alert(talk: Talk) -> None:
    talk.telegram.register_chat(-8002, admins=[31], members=[32])
    await talk.send(-8002, "/length", user_id=31, language_code="en")

    reply = await talk.press(-8002, LengthPick(length=5).pack(), user_id=32)

    subscriber = await talk.services.subscribers.get(-8002)
    assert subscriber is not None and subscriber.digest_length == 3
    assert reply.answers[0].show_alert


async def test_time_answers_for_a_chat_whose_stored_zone_is_bogus(talk: Talk) -> None:
    await talk.send(618, "/start", language_code="en")
    await talk.services.subscribers.update(618, timezone="Mars/Olympus")

    reply = await talk.send(618, "/time 5", language_code="en")

    # Read as UTC, where it is 06:00 now: 05:00 has passed today.
    assert "every day at 05:00 (Mars/Olympus)" in reply.text
    assert "Next digest: tomorrow at 05:00" in reply.text
