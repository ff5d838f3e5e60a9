"""Fixtures shared by the whole suite: real parts on tmp_path and 127.0.0.1.

- `fake_telegram`: a started FakeTelegramServer (bot/demo/telegram_server.py), no rate limits.
- `db`: a migrated SQLite database in tmp_path, closed afterwards. In the packages of
  BOTH_STORES every test that uses it runs twice: on SQLite and on a fresh PostgreSQL
  database of `postgres_server` (a real server the run starts on a loopback port, see
  tests/postgres_server.py; skipped when the server is not installed, a failure under CI).
- `postgres_server`: that server, started once per run and removed at the end.
- `clock`: a ManualClock at START (2026-03-20 06:00 UTC = 12:00 in Almaty).
- `make_settings(**overrides)`: Settings that read neither .env nor the developer's environment;
  DATABASE_PATH is in tmp_path and TELEGRAM_API_URL points nowhere unless given.
- `settings`: make_settings() pointed at `fake_telegram`, with TEST_TOKEN.
- `news_site`: a started local NewsSite (bot/demo/news_site.py) with 16 articles, the newest
  at START; its slow endpoint answers after 5 s unless released.
- `bot`: the aiogram Bot as the app builds it (bot.app.build_bot) for `settings`, i.e. talking to
  `fake_telegram`, paced without the per-chat gap; use it with `dp.feed_update(bot, update)`
  or to call the API.

Add fixtures here only when several test packages need them; keep the rest local.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot

from bot.app import build_bot
from bot.config import Settings
from bot.demo.news_site import NewsSite
from bot.demo.telegram_client import close_session
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from services.clock.clocks import ManualClock
from services.delivery.pacer import PacingPolicy
from services.storage import Database, PostgresDatabase, Store
from tests.postgres_server import PostgresServer, server_binaries

TEST_TOKEN = DEFAULT_TOKEN
START = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
UNREACHABLE_API = "http://127.0.0.1:9"  # the discard port: nothing answers there

MakeSettings = Callable[..., Settings]


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TEST_TOKEN) as server:
        yield server


@pytest.fixture
async def news_site() -> AsyncIterator[NewsSite]:
    async with NewsSite(articles=16, newest=START, slow_seconds=5.0) as site:
        yield site


BOTH_STORES = (
    "tests/services/storage/",
    "tests/services/delivery/",
    "tests/services/topics/test_index.py",
)
SQLITE_ONLY = ("tests/services/storage/test_database.py",)  # PRAGMAs, files, WAL


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of the packages in BOTH_STORES that use `db` run on SQLite and on PostgreSQL."""
    if "db" not in metafunc.fixturenames:
        return
    path = metafunc.definition.path.relative_to(Path(__file__).parent.parent).as_posix()
    if path.startswith(BOTH_STORES) and not path.startswith(SQLITE_ONLY):
        metafunc.parametrize("db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = server_binaries()
    if binaries is None:
        message = "the PostgreSQL server is not installed (scripts/test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(binaries).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def db(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    store = getattr(request, "param", "sqlite")
    if store == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = await server.fresh_database()
        database: Store = await PostgresDatabase.open(url)
    else:
        database = await Database.open(tmp_path / "newsdigest.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeSettings:
    """A factory of Settings isolated from .env and from the environment of whoever runs the tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_token": TEST_TOKEN,
            "telegram_api_url": UNREACHABLE_API,
            "database_path": tmp_path / "data" / "newsdigest.db",
            "sources_file": tmp_path / "sources.toml",
            "topics_file": tmp_path / "topics.toml",
            "allow_private_networks": True,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def settings(make_settings: MakeSettings, fake_telegram: FakeTelegramServer) -> Settings:
    return make_settings(telegram_api_url=fake_telegram.url)


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Bot]:
    # paced as in production but without the per-chat gap, which would only make
    # conversations slow here; tests/bot/test_pacing.py keeps the gap against a limited fake
    telegram_bot = build_bot(settings, PacingPolicy(private_interval=0, group_interval=0))
    try:
        yield telegram_bot
    finally:
        await close_session(telegram_bot.session)
