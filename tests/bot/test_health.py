"""bot/health.py: /healthz says whether the database answers and the scheduler runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.demo.telegram_server import FakeTelegramServer
from bot.health import HEALTH_PATH, HealthProbe, build_health_app
from bot.scheduler import build_scheduler
from services.clock.clocks import ManualClock
from services.sources.stats import last_success
from services.storage import Database, SourceRepository
from tests.conftest import TEST_TOKEN
from tests.reliability.processes import BotProcess, child_env, free_port

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


class Parts:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.db_closed = False
        self.clock = ManualClock(NOW)
        self.sources = SourceRepository(db, self.clock)
        self.scheduler = build_scheduler(
            self.clock, ingest=None, deliver=None, ingest_interval_minutes=30
        )

    async def last_ingest(self) -> datetime | None:
        return last_success(await self.sources.list_all())

    def probe(self) -> HealthProbe:
        return HealthProbe(
            db=self.db, scheduler=self.scheduler, last_ingest=self.last_ingest, clock=self.clock
        )


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[Parts]:
    db = await Database.open(tmp_path / "health.db")
    parts = Parts(db)
    parts.scheduler.start()
    yield parts
    if parts.scheduler.running:
        parts.scheduler.shutdown(wait=False)
    if not parts.db_closed:
        await db.close()


@pytest.fixture
async def client(parts: Parts) -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(build_health_app(parts.probe()))) as client:
        yield client


async def test_a_running_bot_answers_200_with_the_age_of_the_last_successful_ingest(
    parts: Parts, client: TestClient[object, object]
) -> None:
    source = await parts.sources.upsert("https://example.kz/rss", name="Example")
    parts.clock.set(NOW - timedelta(minutes=7))
    await parts.sources.record_success(source.id, etag=None, last_modified=None)
    parts.clock.set(NOW)
    response = await client.get(HEALTH_PATH)
    assert response.status == 200
    body = await response.json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "scheduler": "running",
        "last_ingest_at": (NOW - timedelta(minutes=7)).isoformat(),
        "last_ingest_age_seconds": 420,
    }


async def test_before_the_first_ingest_the_age_is_null_and_the_bot_is_still_healthy(
    client: TestClient[object, object],
) -> None:
    response = await client.get(HEALTH_PATH)
    assert response.status == 200
    assert (await response.json())["last_ingest_age_seconds"] is None


async def test_a_stopped_scheduler_makes_the_answer_503(
    parts: Parts, client: TestClient[object, object]
) -> None:
    parts.scheduler.shutdown(wait=False)
    response = await client.get(HEALTH_PATH)
    assert response.status == 503
    body = await response.json()
    assert (body["status"], body["scheduler"], body["database"]) == ("unavailable", "stopped", "ok")


async def test_a_database_that_does_not_answer_makes_the_answer_503(
    parts: Parts, client: TestClient[object, object]
) -> None:
    await parts.db.close()
    parts.db_closed = True
    response = await client.get(HEALTH_PATH)
    assert response.status == 503
    assert (await response.json())["database"] == "unreachable"


@pytest.mark.slow
async def test_the_running_bot_serves_healthz_while_polling_when_a_port_is_set(
    tmp_path: Path, fake_telegram: FakeTelegramServer
) -> None:
    port = free_port()
    env = child_env(
        tmp_path,
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    bot = await BotProcess(["run"], env, tmp_path).start()
    try:
        await fake_telegram.wait_until(
            lambda: fake_telegram.requests["getUpdates"] > 0, 60, "polling"
        )
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{port}{HEALTH_PATH}") as response,
        ):
            status, body = response.status, await response.json()
    finally:
        code = await bot.stop()
    assert (status, body["database"], body["scheduler"]) == (200, "ok", "running")
    assert code == 0, bot.log()
