"""The long-running bot: services, Telegram session, dispatcher and scheduler, in order.

Start: database → services → bot session → command menu → scheduler → polling.
Stop (SIGINT/SIGTERM, handled by aiogram's polling loop): polling ends → the
scheduler stops taking jobs and waits for running ones → the bot session closes
→ the database closes. Delivery records progress per part, so a job cut short
is resumed by the next pass.
"""

from __future__ import annotations

import logging

from bot.app import build_bot, build_dispatcher, open_services
from bot.commands import set_bot_commands
from bot.config import Settings
from bot.scheduler import build_scheduler

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    async with open_services(settings) as services:
        bot = build_bot(settings)
        dispatcher = build_dispatcher(services)
        scheduler = build_scheduler(
            services.clock,
            ingest=None,
            deliver=None,
            ingest_interval_minutes=settings.ingest_interval_minutes,
        )
        try:
            me = await bot.get_me()
            await set_bot_commands(bot)
            log.info("bot started username=%s mode=polling", me.username)
            scheduler.start()
            await bot.delete_webhook(drop_pending_updates=False)
            await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)
            await bot.session.close()
            log.info("bot stopped")
