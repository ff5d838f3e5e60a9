"""`GET /healthz`: is the process fit to serve? For Docker, Kubernetes or an uptime monitor.

It answers 200 when the database answers a query and the scheduler is running, 503
otherwise, with a small JSON body that also tells how long ago an ingest last
succeeded. A stale ingest does not make the answer 503: the news sites being down
is not cured by restarting the bot, so it is reported for humans and alerts, and
left out of the liveness decision.

Served on the webhook server in webhook mode, and on a server of its own in polling
mode when WEBHOOK_PORT is set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aiohttp import web

from services.clock.clocks import Clock
from services.storage import Store

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
DATABASE_TIMEOUT_SECONDS = 2.0


class Running(Protocol):
    """What /healthz needs of the scheduler (APScheduler's schedulers have it)."""

    @property
    def running(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Health:
    database_ok: bool
    scheduler_running: bool
    last_ingest_at: datetime | None  # the latest successful fetch of any source
    checked_at: datetime

    @property
    def ok(self) -> bool:
        return self.database_ok and self.scheduler_running

    @property
    def last_ingest_age_seconds(self) -> int | None:
        if self.last_ingest_at is None:
            return None
        return max(0, int((self.checked_at - self.last_ingest_at).total_seconds()))

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.database_ok else "unreachable",
            "scheduler": "running" if self.scheduler_running else "stopped",
            "last_ingest_at": self.last_ingest_at.isoformat() if self.last_ingest_at else None,
            "last_ingest_age_seconds": self.last_ingest_age_seconds,
        }


class HealthProbe:
    """Checks the parts /healthz reports on; each check is bounded in time."""

    def __init__(
        self,
        *,
        db: Store,
        scheduler: Running,
        last_ingest: Callable[[], Awaitable[datetime | None]],
        clock: Clock,
    ) -> None:
        self._db = db
        self._scheduler = scheduler
        self._last_ingest = last_ingest
        self._clock = clock

    async def check(self) -> Health:
        last_ingest: datetime | None = None
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                await self._db.user_version()
                last_ingest = await self._last_ingest()
            database_ok = True
        except Exception as exc:  # any failure to answer means "unreachable"
            log.warning("health check: database unreachable", extra={"error": repr(exc)})
            database_ok = False
        return Health(
            database_ok=database_ok,
            scheduler_running=bool(self._scheduler.running),
            last_ingest_at=last_ingest,
            checked_at=self._clock.now(),
        )


def add_health_route(app: web.Application, probe: HealthProbe) -> None:
    async def healthz(_: web.Request) -> web.Response:
        health = await probe.check()
        return web.json_response(health.as_json(), status=200 if health.ok else 503)

    app.router.add_get(HEALTH_PATH, healthz)


def build_health_app(probe: HealthProbe) -> web.Application:
    """An aiohttp application serving only /healthz (polling mode)."""
    app = web.Application()
    add_health_route(app, probe)
    return app


async def start_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Listen on host:port; the caller stops it with `await runner.cleanup()`."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("http server listening", extra={"host": host, "port": port})
    return runner
