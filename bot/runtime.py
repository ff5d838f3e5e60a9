"""The long-running bot: services, Telegram session, dispatcher and scheduler, in order.

Start: database → services → bot session → command menu → scheduler → polling, or
the webhook server when WEBHOOK_URL is set (bot/webhook.py). /healthz is served on the
webhook server, and in polling mode on a server of its own when WEBHOOK_PORT is set.
Stop (SIGINT/SIGTERM, handled by aiogram's polling loop or by the webhook server):
updates stop coming → the scheduler stops taking jobs and waits for running ones →
the bot session closes → the database closes. Delivery records progress per part, so a
job cut short is resumed by the next pass. After each ingest pass the admins are told
about sources that went down or came back (bot/alerts.py).

Replicas (several `run` processes on one PostgreSQL database): each serves the webhook;
when polling, one leads (Telegram admits one getUpdates consumer per token) and the
others wait to take over the moment its lock is gone. Every update is claimed before it
is handled, so one Telegram sends again (to a new leader, or a webhook retry) is handled
once, and one a dead replica left unfinished is handled by a live one
(bot/update_claims.py). One replica at a time ingests, delivery passes are shared by
claims, and the live replicas split SEND_RATE (bot/send_budget.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from functools import partial

from aiogram import Bot, Dispatcher

from bot.alerts import build_source_alerts, then_alert
from bot.app import build_bot, build_dispatcher, open_services
from bot.commands import set_bot_commands
from bot.config import Settings
from bot.health import HealthProbe, build_health_app, start_server
from bot.heap import settle_after_start
from bot.scheduler import build_scheduler
from bot.send_budget import sending_share
from bot.telegram import TelegramSender
from bot.update_claims import OrphanRecovery, UpdateClaimMiddleware, recovering
from bot.webhook import serve_webhook
from services.storage.replicas import RoleLock, role_lock
from services.storage.update_claims import UpdateClaims
from services.stories.same_event import warm_up as warm_up_same_event_check
from services.workers.background import running_beside

log = logging.getLogger(__name__)

LEADER_RETRY_SECONDS = 1.0  # how often a standby replica tries to take over polling
LEADER_CHECK_SECONDS = 2.0  # how often the leader checks that its lock still stands


async def run_bot(settings: Settings) -> None:
    async with open_services(settings) as services:
        bot = build_bot(settings)
        claims = (
            UpdateClaimMiddleware(
                UpdateClaims(services.db, services.clock, owner=services.deliveries.owner)
            )
            if services.db.dialect.replicas
            else None
        )
        dispatcher = build_dispatcher(services, update_claims=claims)
        recovery = OrphanRecovery(claims, dispatcher, bot) if claims is not None else None
        sender = TelegramSender(bot)
        alerts = build_source_alerts(
            sources=services.sources,
            subscribers=services.subscribers,
            sender=sender,
            admin_ids=settings.admin_ids,
            clock=services.clock,
            timezone=settings.default_timezone,
            own=services.own_sources.repository,
        )
        scheduler = build_scheduler(
            services.clock,
            ingest=then_alert(services.ingestor.scheduled_pass, alerts),
            deliver=partial(services.delivery.run_pass, sender),
            ingest_interval_minutes=settings.ingest_interval_minutes,
            after_ingest=partial(services.realtime.run, sender),
            ingest_lock=role_lock(services.db, "ingest") if services.db.dialect.replicas else None,
        )
        health = HealthProbe(
            db=services.db,
            scheduler=scheduler,
            last_ingest=services.admin_stats.last_successful_ingest,
            clock=services.clock,
        )
        try:
            me = await bot.get_me()
            await set_bot_commands(bot)
            mode = "webhook" if settings.webhook_url else "polling"
            log.info("bot started", extra={"username": me.username, "mode": mode})
            async with sending_share(services, bot) as budget, recovering(recovery):
                await asyncio.to_thread(warm_up_same_event_check)  # not on the loop later
                scheduler.start()
                settle_after_start()
                try:
                    if settings.webhook_url:
                        await serve_webhook(bot, dispatcher, settings, health)
                    else:
                        leader = role_lock(services.db, "polling") if budget is not None else None
                        await poll(bot, dispatcher, settings, health, leader=leader)
                finally:
                    if scheduler.running:
                        scheduler.shutdown(wait=True)
        finally:
            await bot.session.close()
            log.info("bot stopped")


async def poll(
    bot: Bot,
    dispatcher: Dispatcher,
    settings: Settings,
    health: HealthProbe,
    *,
    leader: RoleLock | None = None,
) -> None:
    """Long polling until SIGINT/SIGTERM, with /healthz on WEBHOOK_PORT when one is set.

    With `leader` (replicas) only the replica holding it polls; the others wait.
    """
    runner = None
    if settings.webhook_port is not None:
        runner = await start_server(
            build_health_app(health), settings.webhook_host, settings.webhook_port
        )
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        if leader is None:
            await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        else:
            await poll_when_leading(bot, dispatcher, leader)
    finally:
        if runner is not None:
            await runner.cleanup()


async def poll_when_leading(bot: Bot, dispatcher: Dispatcher, leader: RoleLock) -> None:
    """Wait for the polling role, poll while it holds, and wait again if it is lost.

    The role is an advisory lock that dies with its holder's connection: when the
    leading replica dies, a standby one polls within about LEADER_RETRY_SECONDS.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    while not stopping.is_set():
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        try:
            while not stopping.is_set() and not await leader.try_acquire():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), LEADER_RETRY_SECONDS)
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
        if stopping.is_set():
            await leader.release()
            return
        log.info("polling: this replica leads")
        lost = asyncio.Event()
        try:
            async with running_beside(_watch_role(leader, dispatcher, lost)):
                await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        finally:
            await leader.release()
        if not lost.is_set():
            return  # stopped by a signal
        log.warning("polling: the role was lost; waiting to lead again")


async def _watch_role(leader: RoleLock, dispatcher: Dispatcher, lost: asyncio.Event) -> None:
    while True:
        await asyncio.sleep(LEADER_CHECK_SECONDS)
        if not await leader.still_held():
            lost.set()
            await dispatcher.stop_polling()
            return
