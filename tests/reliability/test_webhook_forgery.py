"""A forged webhook request changes nothing: the real bot process, in webhook mode."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.demo.telegram_server import FakeTelegramServer
from tests.conftest import TEST_TOKEN
from tests.reliability.processes import BotProcess, child_env, free_port

pytestmark = pytest.mark.slow  # starts the bot as a child process
SECRET = "webhook_secret-for-tests_1"
FORGER, GENUINE = 777_001, 777_002


def start_update(chat_id: int) -> dict[str, Any]:
    return {
        "update_id": 900_000 + chat_id % 1000,
        "message": {
            "message_id": 1,
            "date": 1_774_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Forger"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Forger"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def subscribers(database: Path) -> set[int]:
    with sqlite3.connect(database) as conn:
        return {row[0] for row in conn.execute("SELECT chat_id FROM subscribers")}


async def test_requests_without_the_secret_token_are_refused_and_leave_no_trace(
    tmp_path: Path, fake_telegram: FakeTelegramServer
) -> None:
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/telegram/update"
    env = child_env(
        tmp_path,
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        webhook_url=webhook_url,
        webhook_secret=SECRET,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    bot = await BotProcess(["run"], env, tmp_path).start()
    try:
        await fake_telegram.wait_until(
            lambda: fake_telegram.webhook_url == webhook_url, 30, "setWebhook"
        )
        assert fake_telegram.webhook_secret == SECRET
        fake_telegram.register_chat(FORGER)
        forged_statuses = []
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
                async with client.post(
                    webhook_url, json=start_update(FORGER), headers=headers
                ) as response:
                    forged_statuses.append(response.status)
            async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200

        # A genuine update, delivered by "Telegram" with the secret, is handled; once its
        # reply is there, anything the forged ones could have caused would be there too.
        fake_telegram.inject_message(GENUINE, "/start")
        await fake_telegram.wait_for_messages(GENUINE, timeout=20)
    finally:
        code = await bot.stop(signal.SIGTERM)
    assert forged_statuses == [401, 401]
    assert fake_telegram.messages(FORGER) == []
    assert subscribers(tmp_path / "data" / "newsdigest.db") == {GENUINE}
    assert code == 0, bot.log()
