"""Webhook mode: Telegram POSTs updates to WEBHOOK_URL instead of the bot polling for them.

An aiohttp server on WEBHOOK_HOST:WEBHOOK_PORT runs aiogram's SimpleRequestHandler at
the path of WEBHOOK_URL (a reverse proxy in front terminates TLS), and /healthz beside
it. At start the bot calls setWebhook with a secret token; Telegram sends that token
in `X-Telegram-Bot-Api-Secret-Token` with every update, and a request without the
right one is answered 401 and never reaches the dispatcher — anyone who guesses the
URL still cannot make the bot act.

Without WEBHOOK_SECRET a random secret is made at every start: the webhook is
registered anew at every start, so the secret only has to live as long as the process.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import signal
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import ConfigError, Settings
from bot.health import HealthProbe, add_health_route, start_server

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PORT = 8080
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


def webhook_path(url: str) -> str:
    """The path Telegram will POST to: the path of WEBHOOK_URL, or /webhook when it has none."""
    path = urlsplit(url).path
    return path if path not in ("", "/") else "/webhook"


def webhook_port(settings: Settings) -> int:
    return settings.webhook_port or DEFAULT_WEBHOOK_PORT


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET when set (checked against Telegram's rules), otherwise a fresh random one."""
    if settings.webhook_secret is None:
        return secrets.token_urlsafe(32)
    secret = settings.webhook_secret.get_secret_value()
    if not _SECRET_RE.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET: expected 1-256 characters of A-Z, a-z, 0-9, _ and - "
            "(Telegram's rule for secret tokens)"
        )
    return secret


def build_webhook_app(
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    path: str,
    secret: str,
    health: HealthProbe | None = None,
    **data: Any,
) -> web.Application:
    """The aiohttp application: the update handler at `path` and, given a probe, /healthz."""
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret, **data).register(app, path=path)
    setup_application(app, dispatcher, bot=bot, **data)
    if health is not None:
        add_health_route(app, health)
    return app


async def register_webhook(bot: Bot, dispatcher: Dispatcher, *, url: str, secret: str) -> None:
    """setWebhook with the secret; pending updates are kept, not dropped."""
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    log.info("webhook registered", extra={"url": url})


async def wait_for_stop_signal() -> None:
    """Return on SIGINT or SIGTERM (what polling's handle_signals does, for webhook mode)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def serve_webhook(
    bot: Bot, dispatcher: Dispatcher, settings: Settings, health: HealthProbe
) -> None:
    """Listen, register the webhook with Telegram, and serve until SIGINT or SIGTERM."""
    url = settings.webhook_url
    if url is None:
        raise ConfigError("WEBHOOK_URL: not set, so the bot polls instead")
    secret = webhook_secret(settings)
    app = build_webhook_app(dispatcher, bot, path=webhook_path(url), secret=secret, health=health)
    runner = await start_server(app, settings.webhook_host, webhook_port(settings))
    try:
        await register_webhook(bot, dispatcher, url=url, secret=secret)
        await wait_for_stop_signal()
    finally:
        await runner.cleanup()
