"""`deliver [--now]`: a pass through Telegram (the fake), exactly once even across a SIGKILL."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from services.clock.clocks import ManualClock, SystemClock
from services.storage import Database
from tests.services.digest_world import World

MakeSettings = Callable[..., Settings]
ROOT = Path(__file__).resolve().parents[3]
STORIES = [
    (
        "Казатомпром снизил прогноз добычи урана",
        "Национальная атомная компания пересмотрела план производства урана на год из-за"
        " нехватки серной кислоты на рудниках Туркестанской области и задержек строительства.",
    ),
    (
        "Цены на уран на спотовом рынке обновили максимум",
        "Котировки закиси-окиси урана на спотовом рынке подскочили до максимума за шестнадцать"
        " лет после новостей о дефиците сырья и росте спроса энергетиков Китая и Индии.",
    ),
    (
        "Росатом построит завод по обогащению урана в Сибири",
        "Госкорпорация объявила о строительстве нового центрифужного производства под Томском,"
        " инвестиции превысят сто миллиардов рублей, запуск намечен на конец десятилетия.",
    ),
]


async def run(settings: Settings, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    return int(await args.handler(args, settings))


async def newsroom(
    settings: Settings, fake: FakeTelegramServer, chats: int, *, stories: int = 2
) -> None:
    """Subscribers (registered with the fake) and stories that came in an hour ago, real time.

    Each story has a long summary, so `stories` of them make a digest of several messages.
    """
    clock = ManualClock(SystemClock().now() - timedelta(days=1))
    db = await Database.open(settings.database_path)
    try:
        world = World(db, clock)
        topic = await world.topic("уран", "Уран")
        for chat_id in range(1, chats + 1):
            fake.register_chat(chat_id)
            await world.subscriber(chat_id, topic, digest_time="09:00", length=5)
        clock.set(SystemClock().now() - timedelta(hours=1))
        for title, sentence in STORIES[:stories]:
            sentences = [f"{sentence} Подробность {line}: {sentence.lower()}" for line in range(5)]
            await world.publish(title, " ".join(sentences), summary=sentences)
    finally:
        await db.close()


async def test_deliver_now_sends_every_active_subscriber_their_digest_and_says_what_it_did(
    make_settings: MakeSettings,
    fake_telegram: FakeTelegramServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(telegram_api_url=fake_telegram.url, send_rate=100)
    await newsroom(settings, fake_telegram, chats=3, stories=1)

    code = await run(settings, "deliver", "--now")

    assert code == 0
    assert all(len(fake_telegram.messages(chat)) == 1 for chat in (1, 2, 3))
    out = capsys.readouterr().out
    assert "due 3, built 3 (0 empty), resumed 0; delivered 3, messages sent 3" in out


async def test_deliver_without_now_sends_nothing_before_anyones_digest_time(
    make_settings: MakeSettings,
    fake_telegram: FakeTelegramServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(telegram_api_url=fake_telegram.url, default_timezone="UTC")
    await newsroom(settings, fake_telegram, chats=1, stories=1)
    db = await Database.open(settings.database_path)
    try:  # the digest is an hour from now, whatever the time of the run
        later = (SystemClock().now() + timedelta(hours=1)).strftime("%H:%M")
        await db.execute("UPDATE subscribers SET timezone = 'UTC', digest_time = ?", (later,))
    finally:
        await db.close()

    assert await run(settings, "deliver") == 0

    assert fake_telegram.messages(1) == []
    assert "due 0," in capsys.readouterr().out


async def test_deliver_without_a_token_explains_how_to_get_one(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(bot_token=None), "deliver", "--now")

    assert code == 2
    assert "@BotFather" in capsys.readouterr().err


@pytest.mark.slow
async def test_a_pass_killed_mid_way_and_run_again_delivers_every_digest_exactly_once(
    tmp_path: Path, make_settings: MakeSettings
) -> None:
    rate = 30
    async with FakeTelegramServer(
        token=DEFAULT_TOKEN, global_rate=rate, chat_rate=1, group_rate_per_minute=20
    ) as fake:
        settings = make_settings(telegram_api_url=fake.url)
        await newsroom(settings, fake, chats=30, stories=3)
        env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
        env.update(
            PYTHONPATH=str(ROOT),
            BOT_TOKEN=DEFAULT_TOKEN,
            TELEGRAM_API_URL=fake.url,
            DATABASE_PATH=str(settings.database_path),
            SOURCES_FILE=str(tmp_path / "none.toml"),
            TOPICS_FILE=str(tmp_path / "none.toml"),
            SEND_RATE=str(rate),
            LOG_LEVEL="WARNING",
        )
        command = [sys.executable, "-m", "bot", "deliver", "--now"]

        first = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True)
        try:
            await fake.wait_until(lambda: len(fake.sent) >= 25, 60, "the pass to be under way")
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        sent_before_kill = len(fake.sent)
        second = await asyncio.create_subprocess_exec(*command, cwd=tmp_path, env=env)
        assert await asyncio.wait_for(second.wait(), 120) == 0

    db = await Database.open(settings.database_path)
    try:
        rows = await db.fetchall("SELECT chat_id, status, parts FROM deliveries ORDER BY chat_id")
    finally:
        await db.close()
    assert first.returncode == -signal.SIGKILL
    assert 25 <= sent_before_kill < len(fake.sent)  # killed mid-pass, finished by the second
    assert [(row["chat_id"], row["status"]) for row in rows] == [(c, "sent") for c in range(1, 31)]
    for row in rows:  # each chat: its digest's parts in order, at most one of them twice
        parts = json.loads(row["parts"])
        assert len(parts) >= 2
        received = [message.raw_text for message in fake.messages(row["chat_id"])]
        repeats = Counter(received)
        assert sum(count - 1 for count in repeats.values()) <= 1
        assert list(dict.fromkeys(received)) == parts
