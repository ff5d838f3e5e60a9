"""What claiming each update costs a replica on PostgreSQL, against the same bot without it.

Replicas claim every Telegram update before handling it and mark it finished after
(bot/update_claims.py: one INSERT … ON CONFLICT DO NOTHING before the handler, and one
UPDATE after it for all the updates finished within 50 ms). This feeds the
same commands through the real Dispatcher twice in one run, on one scratch PostgreSQL
database and the fake Bot API: without claims (the baseline) and with them, in
alternating rounds so that both see the same machine. Printed: the time per update of
each, their ratio, and the claim statement timed on its own.

    .venv/bin/python benchmarks/update_claims.py [--updates 400] [--rounds 3]
        [--concurrency 20] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Without --database-url a throwaway server is started on a free loopback port, as the
tests do (tests/postgres_server.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher  # noqa: E402
from aiogram.types import Update  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.app import Services, build_bot, build_dispatcher, open_services  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer  # noqa: E402
from bot.update_claims import UpdateClaimMiddleware, update_json  # noqa: E402
from services.delivery.pacer import PacingPolicy  # noqa: E402
from services.storage.replicas import ReplicaRegistry  # noqa: E402
from services.storage.update_claims import UpdateClaims  # noqa: E402
from tests.postgres_server import create_database, drop_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("/help", "/mytopics", "/start", "/topics")
users = itertools.count(1_000_000)


async def feed_all(
    dispatcher: Dispatcher, bot: Bot, telegram: FakeTelegramServer, count: int, concurrency: int
) -> float:
    """Seconds to handle `count` commands, each from a user of its own, `concurrency` at once."""
    updates = [
        Update.model_validate(
            telegram.inject_message(next(users), COMMANDS[n % len(COMMANDS)]), context={"bot": bot}
        )
        for n in range(count)
    ]
    queue: asyncio.Queue[Update] = asyncio.Queue()
    for update in updates:
        queue.put_nowait(update)

    async def worker() -> None:
        while not queue.empty():
            await dispatcher.feed_update(bot, queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def statements_alone(claims: UpdateClaims, count: int) -> float:
    """Seconds for `count` claims one at a time, with nothing else around them."""
    payload = '{"update_id": 1, "message": {"text": "/help"}}'
    first = 10_000_000
    started = time.perf_counter()
    for update_id in range(first, first + count):
        await claims.claim(update_id, payload)
    return time.perf_counter() - started


async def measure(server_url: str, updates: int, rounds: int, concurrency: int) -> None:
    url = await create_database(server_url, f"bench_claims_{int(time.time())}")
    try:
        async with FakeTelegramServer(token=DEFAULT_TOKEN) as telegram:
            with tempfile.TemporaryDirectory() as folder:
                settings = Settings(
                    _env_file=None,  # type: ignore[call-arg]
                    bot_token=SecretStr(DEFAULT_TOKEN),
                    telegram_api_url=telegram.url,
                    database_url=SecretStr(url),
                    sources_file=Path(folder) / "none.toml",
                    topics_file=ROOT / "config" / "topics.toml",
                    send_rate=1000,
                )
                async with open_services(settings) as services:
                    await run_rounds(
                        services,
                        settings,
                        telegram,
                        updates=updates,
                        rounds=rounds,
                        concurrency=concurrency,
                    )
    finally:
        await drop_database(server_url, url)


async def run_rounds(
    services: Services,
    settings: Settings,
    telegram: FakeTelegramServer,
    *,
    updates: int,
    rounds: int,
    concurrency: int,
) -> None:
    bot = build_bot(settings, PacingPolicy(send_rate=1000, private_interval=0, group_interval=0))
    owner = services.deliveries.owner
    await ReplicaRegistry(services.db, services.clock, replica_id=owner).beat()
    claims = UpdateClaims(services.db, services.clock, owner=owner)
    plain = build_dispatcher(services)
    middleware = UpdateClaimMiddleware(claims)
    claiming = build_dispatcher(services, update_claims=middleware)
    try:
        await feed_all(plain, bot, telegram, updates // 4, concurrency)  # warm-up
        await feed_all(claiming, bot, telegram, updates // 4, concurrency)
        without, with_claims = [], []
        for _ in range(rounds):
            without.append(await feed_all(plain, bot, telegram, updates, concurrency))
            with_claims.append(await feed_all(claiming, bot, telegram, updates, concurrency))
        await middleware.close()
        alone = await statements_alone(claims, updates)
    finally:
        await bot.session.close()
    base = statistics.median(without) / updates * 1000
    claimed = statistics.median(with_claims) / updates * 1000
    print(f"{updates} commands x {rounds} rounds, {concurrency} at once, PostgreSQL")
    print(f"without claims (baseline): {base:.2f} ms per update")
    print(f"with claims:               {claimed:.2f} ms per update")
    print(f"ratio with/without: {claimed / base:.3f}")
    print(f"a claim alone, one at a time: {alone / updates * 1000:.2f} ms per update")
    sample = update_json(Update.model_validate(telegram.inject_message(1, "/help")))
    print(f"stored update size: {len(sample)} bytes")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own on a free loopback port, removed afterwards."""
    from tests.postgres_server import PostgresServer, server_binaries

    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("no PostgreSQL server binaries here (set PG_BIN or --database-url)")
    server = PostgresServer(binaries).start()
    try:
        yield server.url()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        server_url = args.database_url or stack.enter_context(throwaway_postgres())
        asyncio.run(measure(server_url, args.updates, args.rounds, args.concurrency))


if __name__ == "__main__":
    main()
