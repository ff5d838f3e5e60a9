"""The real `python -m bot run` in its own process, against the fake Telegram on 127.0.0.1.

What an operator does: configure through the environment, start the bot, talk
to it, stop it with SIGTERM. Checks that the replies come in each user's
language, that the command menu is published, and that the process exits 0
leaving an intact database.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.commands import COMMANDS
from bot.config import Settings
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from bot.i18n import build_i18n

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0  # a cold start imports the NLP libraries
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


@dataclass
class RunningBot:
    process: asyncio.subprocess.Process
    database: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
async def running_bot(
    fake_telegram: FakeTelegramServer, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    database = tmp_path / "data" / "newsdigest.db"
    (tmp_path / "sources.toml").write_text("", encoding="utf-8")  # nothing to fetch: no network
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_URL=fake_telegram.url,
        DATABASE_PATH=str(database),
        SOURCES_FILE=str(tmp_path / "sources.toml"),
        TOPICS_FILE=str(ROOT / "config" / "topics.toml"),
        DEFAULT_TIMEZONE="Asia/Aqtobe",
        DEFAULT_DIGEST_TIME="07:45",
        LOG_LEVEL="INFO",
    )
    log = tmp_path / "bot.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,  # no .env of the project is read
            env=env,
            stdout=sink,
            stderr=sink,
        )
    bot = RunningBot(process, database, log)
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def visible(html: str) -> str:
    return TAG.sub("", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def test_the_bot_answers_start_and_help_in_each_language_and_stops_cleanly_on_sigterm(
    running_bot: RunningBot, fake_telegram: FakeTelegramServer
) -> None:
    i18n = build_i18n()
    fake_telegram.inject_message(101, "/start", language_code="ru", first_name="Айгерим")
    fake_telegram.inject_message(102, "/start", language_code="en", first_name="Ann")
    fake_telegram.inject_message(103, "/help", language_code="kk", first_name="Асқар")

    try:
        [ru_start] = await fake_telegram.wait_for_messages(101, 1, timeout=START_TIMEOUT)
        [en_start] = await fake_telegram.wait_for_messages(102, 1, timeout=10)
        [kk_help] = await fake_telegram.wait_for_messages(103, 1, timeout=10)
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n--- bot output ---\n{running_bot.output()}") from None

    # /start greets in the user's language and shows the configured defaults
    assert CYRILLIC.search(ru_start.text)
    assert not KAZAKH_LETTERS.search(ru_start.text)
    assert not CYRILLIC.search(en_start.text)
    for reply in (ru_start, en_start):
        assert reply.parse_mode == "HTML"
        assert "07:45" in reply.text
        assert "Asia/Aqtobe" in reply.text
        assert "/help" in reply.text

    # /help lists every command under its Kazakh heading
    heading = visible(i18n.gettext("<b>What I can do</b>", locale="kk"))
    assert KAZAKH_LETTERS.search(heading)
    assert kk_help.text.splitlines()[0] == heading
    for info in COMMANDS:
        assert f"/{info.name}" in kk_help.text

    # the command menu is published for every language
    for language in ("ru", "en", "kk"):
        assert "start" in fake_telegram.commands_for(language)
        assert "help" in fake_telegram.commands_for(language)

    # a second /start keeps the chat's settings and says so
    fake_telegram.inject_message(101, "/start", language_code="ru")
    [_, ru_again] = await fake_telegram.wait_for_messages(101, 2, timeout=10)
    assert ru_again.text != ru_start.text
    assert CYRILLIC.search(ru_again.text)

    await fake_telegram.wait_for_updates_consumed(timeout=10)
    running_bot.process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(running_bot.process.wait(), timeout=30)
    except TimeoutError:
        raise AssertionError(f"no exit after SIGTERM\n{running_bot.output()}") from None

    output = running_bot.output()
    assert code == 0, output
    assert "Traceback" not in output
    assert DEFAULT_TOKEN.partition(":")[2] not in output
    with sqlite3.connect(running_bot.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT chat_id, language, timezone, digest_time FROM subscribers ORDER BY chat_id"
        ).fetchall()
    assert rows == [
        (101, "ru", "Asia/Aqtobe", "07:45"),
        (102, "en", "Asia/Aqtobe", "07:45"),
    ]
    assert not running_bot.database.with_name("newsdigest.db-wal").exists() or (
        running_bot.database.with_name("newsdigest.db-wal").stat().st_size == 0
    )
