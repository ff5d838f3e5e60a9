"""Each update handled once across replicas: the claim middleware (polling and the webhook)
and the takeover of updates a dead replica left unfinished, with the real Dispatcher over
the fake Telegram."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.types import Message, Update
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Services, build_dispatcher
from bot.demo.telegram_server import FakeTelegramServer
from bot.health import HealthProbe
from bot.scheduler import build_scheduler
from bot.update_claims import TAKE_AT_ONCE, OrphanRecovery, UpdateClaimMiddleware, update_json
from bot.webhook import build_webhook_app
from services.clock.clocks import ManualClock
from services.storage.replicas import STALE_AFTER, ReplicaRegistry
from services.storage.update_claims import UpdateClaims
from tests.handlers.conftest import services

__all__ = ["services"]


async def replica_claims(services: Services, clock: ManualClock, name: str) -> UpdateClaims:
    """The claims of a replica called `name`, which has just said it is alive."""
    await ReplicaRegistry(services.db, clock, replica_id=name).beat()
    return UpdateClaims(services.db, clock, owner=name)


def as_update(bot: Bot, raw: dict[str, Any]) -> Update:
    return Update.model_validate(raw, context={"bot": bot})


async def test_an_update_that_comes_twice_is_answered_once(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    claims = UpdateClaimMiddleware(await replica_claims(services, clock, "a"))
    dispatcher = build_dispatcher(services, update_claims=claims)
    update = fake_telegram.inject_message(1, "/start")

    await dispatcher.feed_update(bot, as_update(bot, update))
    await dispatcher.feed_update(bot, as_update(bot, update))  # a webhook retry, say

    assert len(fake_telegram.messages(1)) == 1
    await claims.close()


async def test_an_update_another_replica_took_is_left_to_it(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    other = await replica_claims(services, clock, "leader")
    mine = await replica_claims(services, clock, "standby")
    update = fake_telegram.inject_message(1, "/start")
    assert await other.claim(update["update_id"], update_json(as_update(bot, update)))

    standby = UpdateClaimMiddleware(mine)
    await build_dispatcher(services, update_claims=standby).feed_update(bot, as_update(bot, update))

    assert fake_telegram.messages(1) == []
    assert await OrphanRecovery(standby, build_dispatcher(services), bot).recover() == 0  # alive


async def test_a_dead_replicas_unfinished_update_is_answered_by_a_live_one_once(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    dead = await replica_claims(services, clock, "dead")
    update = fake_telegram.inject_message(1, "/start")
    assert await dead.claim(update["update_id"], update_json(as_update(bot, update)))
    clock.advance(STALE_AFTER + timedelta(seconds=1))  # it stopped beating mid-handler

    heir = UpdateClaimMiddleware(await replica_claims(services, clock, "heir"))
    dispatcher = build_dispatcher(services, update_claims=heir)
    recovery = OrphanRecovery(heir, dispatcher, bot)
    assert await recovery.recover() == 1
    await recovery.wait_handled()
    assert [message.text for message in fake_telegram.messages(1)] != []

    await dispatcher.feed_update(bot, as_update(bot, update))  # Telegram sends it again
    assert await recovery.recover() == 0
    await recovery.close()
    assert len(fake_telegram.messages(1)) == 1

    clock.advance(STALE_AFTER + timedelta(seconds=1))  # the heir is gone too, its work done
    assert await (await replica_claims(services, clock, "third")).take_over_orphans() == []


async def test_a_handler_cut_short_leaves_its_update_to_be_finished_by_another_replica(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    started, answered = asyncio.Event(), []

    def slow_command() -> Router:
        router = Router()

        @router.message(Command("slow"))
        async def slow(message: Message) -> None:
            if not started.is_set():
                started.set()
                await asyncio.Event().wait()  # the replica dies here
            answered.append(message.chat.id)

        return router

    doomed_claims = UpdateClaimMiddleware(await replica_claims(services, clock, "doomed"))
    doomed = build_dispatcher(services, routers=[slow_command()], update_claims=doomed_claims)
    update = fake_telegram.inject_message(1, "/slow")
    handling = asyncio.create_task(doomed.feed_update(bot, as_update(bot, update)))
    await started.wait()
    handling.cancel()
    await asyncio.gather(handling, return_exceptions=True)

    clock.advance(STALE_AFTER + timedelta(seconds=1))
    await doomed_claims.close()  # nothing finished to record
    heir = UpdateClaimMiddleware(await replica_claims(services, clock, "heir"))
    recovery = OrphanRecovery(
        heir, build_dispatcher(services, routers=[slow_command()], update_claims=heir), bot
    )
    assert await recovery.recover() == 1
    await recovery.wait_handled()
    assert answered == [1]


async def test_a_handler_that_fails_finishes_its_update_all_the_same(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    router = Router()

    @router.message(Command("broken"))
    async def broken(message: Message) -> None:
        raise RuntimeError("a bug")

    claims = UpdateClaimMiddleware(await replica_claims(services, clock, "a"))
    dispatcher = build_dispatcher(services, routers=[router], update_claims=claims)
    update = fake_telegram.inject_message(1, "/broken")
    with pytest.raises(RuntimeError):
        await dispatcher.feed_update(bot, as_update(bot, update))
    await claims.close()

    clock.advance(STALE_AFTER + timedelta(seconds=1))  # its replica gone, nothing open
    assert await (await replica_claims(services, clock, "b")).take_over_orphans() == []


async def test_finished_updates_are_recorded_together_a_moment_after_their_replies(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    claims = await replica_claims(services, clock, "a")
    middleware = UpdateClaimMiddleware(claims, finish_every=1.0)
    dispatcher = build_dispatcher(services, update_claims=middleware)
    updates = [fake_telegram.inject_message(chat, "/start") for chat in (1, 2, 3)]
    await asyncio.gather(*(dispatcher.feed_update(bot, as_update(bot, u)) for u in updates))

    open_now = await services.db.fetchall(
        "SELECT update_id FROM update_claims WHERE finished_at IS NULL"
    )
    assert len(open_now) == 3  # replied to, not yet recorded
    for _ in range(300):  # recorded in the background, without a stop
        await asyncio.sleep(0.01)
        if not await services.db.fetchall(
            "SELECT update_id FROM update_claims WHERE finished_at IS NULL"
        ):
            break
    else:
        raise AssertionError("finished updates were never recorded")
    await middleware.close()


async def test_every_orphan_is_taken_over_in_one_look_however_many_there_are(
    services: Services, bot: Bot, fake_telegram: FakeTelegramServer, clock: ManualClock
) -> None:
    dead = await replica_claims(services, clock, "dead")
    for chat in range(1, TAKE_AT_ONCE + 11):
        update = fake_telegram.inject_message(chat, "hello")
        await dead.claim(update["update_id"], update_json(as_update(bot, update)))
    clock.advance(STALE_AFTER + timedelta(seconds=1))

    heir = UpdateClaimMiddleware(await replica_claims(services, clock, "heir"))
    recovery = OrphanRecovery(
        heir, build_dispatcher(services, routers=[Router()], update_claims=heir), bot
    )

    assert await recovery.recover() == TAKE_AT_ONCE + 10
    await recovery.wait_handled()
    await recovery.close()


async def test_a_webhook_update_retried_to_another_replica_is_handled_by_one(
    services: Services, bot: Bot, clock: ManualClock
) -> None:
    handled: list[str] = []

    def replica_app(claims: UpdateClaims) -> web.Application:
        router = Router()

        @router.message()
        async def record(message: Message) -> None:
            handled.append(message.text or "")

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        dispatcher.update.outer_middleware(UpdateClaimMiddleware(claims))
        scheduler = build_scheduler(clock, ingest=None, deliver=None, ingest_interval_minutes=30)

        async def never() -> datetime | None:
            return None

        probe = HealthProbe(db=services.db, scheduler=scheduler, last_ingest=never, clock=clock)
        return build_webhook_app(dispatcher, bot, path="/hook", secret="s3cret", health=probe)

    update = {
        "update_id": 42,
        "message": {
            "message_id": 1,
            "date": 1_774_000_000,
            "chat": {"id": 555, "type": "private"},
            "from": {"id": 555, "is_bot": False, "first_name": "Aigerim"},
            "text": "/start",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    first = replica_app(await replica_claims(services, clock, "a"))
    second = replica_app(await replica_claims(services, clock, "b"))
    async with TestClient(TestServer(first)) as one, TestClient(TestServer(second)) as two:
        assert (await one.post("/hook", json=update, headers=headers)).status == 200
        # Telegram saw no answer in time and sends it again, this time to the other replica.
        assert (await two.post("/hook", json=update, headers=headers)).status == 200
        for _ in range(200):
            await asyncio.sleep(0.01)
            if handled:
                break
        await asyncio.sleep(0.2)  # time enough for a second, wrong, handling

    assert handled == ["/start"]
