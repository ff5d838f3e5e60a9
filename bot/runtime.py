"""The long-running bot: services, Telegram session, dispatcher and scheduler, in order.

Start: database → services → bot session → command menu → scheduler → polling, or
the webhook server when WEBHOOK_URL is set (bot/webhook.py). /healthz is served on the
webhook server, and in polling mode on a server of its own when WEBHOOK_PORT is set.
Stop (SIGINT/SIGTERM, handled by aiogram's polling loop or by the webhook server):
updates stop coming → the scheduler stops taking jobs and waits for running ones →
the bot session closes → the database closes. Delivery records progress per part, so a
job cut short is resumed by the next pass. After each ingest pass the admins are told
about sources that went down or came back (bot/alerts.py).
"""

from __future__ import annotations

import logging
from functools import partial

from aiogram import Bot, Dispatcher

from bot.alerts import build_source_alerts, then_alert
from bot.app import build_bot, build_dispatcher, open_services
from bot.commands import set_bot_commands
from bot.config import Settings
from bot.health import HealthProbe, build_health_app, start_server
from bot.heap import settle_after_start
from bot.scheduler import build_scheduler
from bot.telegram import TelegramSender
from bot.webhook import serve_webhook

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    async with open_services(settings) as services:
        bot = build_bot(settings)
        dispatcher = build_dispatcher(services)
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
            scheduler.start()
            settle_after_start()
            if settings.webhook_url:
                await serve_webhook(bot, dispatcher, settings, health)
            else:
                await poll(bot, dispatcher, settings, health)
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)
            await bot.session.close()
            log.info("bot stopped")


async def poll(bot: Bot, dispatcher: Dispatcher, settings: Settings, health: HealthProbe) -> None:
    """Long polling until SIGINT/SIGTERM, with /healthz on WEBHOOK_PORT when one is set."""
    runner = None
    if settings.webhook_port is not None:
        runner = await start_server(
            build_health_app(health), settings.webhook_host, settings.webhook_port
        )
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
    finally:
        if runner is not None:
            await runner.cleanup()
