"""bot/webhook.py: updates come in only with Telegram's secret token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message
from aiohttp.test_utils import TestClient, TestServer

from bot.config import ConfigError, load_settings
from bot.health import HEALTH_PATH, HealthProbe
from bot.scheduler import build_scheduler
from bot.webhook import build_webhook_app, webhook_path, webhook_secret
from services.clock.clocks import ManualClock
from services.storage import Database

SECRET = "s3cret_token-ABC"
PATH = "/telegram/update"


def update(update_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_774_000_000,
            "chat": {"id": 555, "type": "private"},
            "from": {"id": 555, "is_bot": False, "first_name": "Aigerim"},
            "text": text,
        },
    }


class Recorder:
    """A router that only remembers what reached it: the dispatcher side of the test."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.arrived = asyncio.Event()
        self.router = Router()
        self.router.message.register(self.on_message)

    async def on_message(self, message: Message) -> None:
        self.texts.append(message.text or "")
        self.arrived.set()


@pytest.fixture
async def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def client(recorder: Recorder, tmp_path: Path) -> AsyncIterator[TestClient[object, object]]:
    dispatcher = Dispatcher()
    dispatcher.include_router(recorder.router)
    bot = Bot(token="123456:TEST-token-never-used-on-the-network")
    db = await Database.open(tmp_path / "webhook.db")
    clock = ManualClock(datetime(2026, 3, 20, tzinfo=UTC))
    scheduler = build_scheduler(clock, ingest=None, deliver=None, ingest_interval_minutes=30)
    scheduler.start()

    async def never() -> datetime | None:
        return None

    probe = HealthProbe(db=db, scheduler=scheduler, last_ingest=never, clock=clock)
    app = build_webhook_app(dispatcher, bot, path=PATH, secret=SECRET, health=probe)
    async with TestClient(TestServer(app)) as client:
        yield client
    scheduler.shutdown(wait=False)
    await db.close()


async def test_an_update_with_the_right_secret_token_is_dispatched(
    client: TestClient[object, object], recorder: Recorder
) -> None:
    response = await client.post(
        PATH, json=update(1, "/start"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status == 200
    await asyncio.wait_for(recorder.arrived.wait(), timeout=5)
    assert recorder.texts == ["/start"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {"X-Telegram-Bot-Api-Secret-Token": ""}],
    ids=["missing", "wrong", "empty"],
)
async def test_a_request_without_the_right_secret_is_401_and_never_dispatched(
    client: TestClient[object, object], recorder: Recorder, headers: dict[str, str]
) -> None:
    response = await client.post(PATH, json=update(2, "/stats"), headers=headers)
    assert response.status == 401
    # A genuine update sent after the forged one is the first and only one to arrive.
    await client.post(
        PATH, json=update(3, "/help"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    await asyncio.wait_for(recorder.arrived.wait(), timeout=5)
    assert recorder.texts == ["/help"]


async def test_healthz_is_served_beside_the_webhook(client: TestClient[object, object]) -> None:
    response = await client.get(HEALTH_PATH)
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


def test_the_handler_listens_on_the_path_of_the_webhook_url() -> None:
    assert webhook_path("https://bot.example.kz/telegram/update") == "/telegram/update"
    assert webhook_path("https://bot.example.kz") == "/webhook"
    assert webhook_path("https://bot.example.kz/") == "/webhook"


def test_a_configured_secret_must_follow_telegrams_rules() -> None:
    good = load_settings(_env_file=None, webhook_secret="abc_DEF-123")
    assert webhook_secret(good) == "abc_DEF-123"
    bad = load_settings(_env_file=None, webhook_secret="has spaces and ünïcode")
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        webhook_secret(bad)


def test_without_a_configured_secret_each_start_makes_a_new_random_one() -> None:
    settings = load_settings(_env_file=None)
    first, second = webhook_secret(settings), webhook_secret(settings)
    assert first != second
    assert len(first) >= 32
