"""The admins' source alerts in their own language, worded from the bot's catalogues.

services/sources/alerts.py decides when to alert and knows no wording; this module
gives it the words (the same gettext catalogues as every reply) and a Sender.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n

from bot.i18n import N_, build_i18n
from services.clock.clocks import Clock
from services.delivery.sender import Sender
from services.sources.alerts import AlertKind, ComposeAlert, SourceAlert, SourceAlerts
from services.sources.own_alerts import (
    ComposeNotice,
    NoticeKind,
    OwnSourceNotice,
    OwnSourceNotices,
)
from services.storage import SourceRepository, SubscriberRepository
from services.storage.own_sources import OwnSourceRepository

ERROR_SHOWN = 300

DOWN = N_(
    "❌ <b>Source down</b>: {name}\n{url}\n"
    "No successful fetch since {since} ({failures} failed attempts).\n"
    "Last error: {error}"
)
RECOVERED = N_("✅ <b>Source back</b>: {name}\n{url}\nFetched successfully again at {at}.")
OWN_DOWN = N_(
    "❌ Your source <b>{name}</b> has not answered since {since}:\n{url}\n"
    "Last error: {error}\nI keep trying and will tell you when it is back."
)
OWN_RECOVERED = N_("✅ Your source <b>{name}</b> works again:\n{url}")
OWN_PAUSED = N_(
    "⏸ Your source <b>{name}</b> has failed for a week, so I stopped fetching it:\n{url}\n"
    "To try it again, send <code>/addsource {url}</code>; to drop it, /removesource."
)


def source_alert_composer(timezone: str, i18n: I18n | None = None) -> ComposeAlert:
    """A `compose` for SourceAlerts: times in the operator's zone, user-facing text escaped."""
    catalogue = i18n or build_i18n()
    zone = ZoneInfo(timezone)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")

    def compose(alert: SourceAlert, language: str) -> str:
        source = alert.source
        name, url = html.escape(source.name), html.escape(source.url)
        if alert.kind is AlertKind.DOWN:
            error = (source.last_error or "?")[:ERROR_SHOWN]
            return catalogue.gettext(DOWN, locale=language).format(
                name=name,
                url=url,
                since=local(alert.since),
                failures=source.consecutive_failures,
                error=html.escape(error),
            )
        return catalogue.gettext(RECOVERED, locale=language).format(
            name=name, url=url, at=local(alert.at)
        )

    return compose


def own_source_notice_composer(timezone: str, i18n: I18n | None = None) -> ComposeNotice:
    """A `compose` for a chat's own-source notices: its URL is its own, shown in full."""
    catalogue = i18n or build_i18n()
    zone = ZoneInfo(timezone)

    def compose(notice: OwnSourceNotice, language: str) -> str:
        source = notice.link.source
        name, url = html.escape(source.name), html.escape(source.url)
        if notice.kind is NoticeKind.RECOVERED:
            return catalogue.gettext(OWN_RECOVERED, locale=language).format(name=name, url=url)
        if notice.kind is NoticeKind.PAUSED:
            return catalogue.gettext(OWN_PAUSED, locale=language).format(name=name, url=url)
        since = notice.since.astimezone(zone).strftime("%d.%m.%Y %H:%M") if notice.since else "?"
        return catalogue.gettext(OWN_DOWN, locale=language).format(
            name=name,
            url=url,
            since=since,
            error=html.escape((source.last_error or "?")[:ERROR_SHOWN]),
        )

    return compose


def build_source_alerts(
    *,
    sources: SourceRepository,
    subscribers: SubscriberRepository,
    sender: Sender,
    admin_ids: frozenset[int],
    clock: Clock,
    timezone: str,
    own: OwnSourceRepository | None = None,
) -> SourceAlerts:
    """The admins' alerts for the shared sources and, with `own`, each chat's notices about
    its own sources, in one check after every ingest pass."""
    owners = (
        OwnSourceNotices(
            own=own,
            subscribers=subscribers,
            sender=sender,
            clock=clock,
            compose=own_source_notice_composer(timezone),
        )
        if own is not None
        else None
    )
    return SourceAlerts(
        sources=sources,
        subscribers=subscribers,
        sender=sender,
        admin_ids=admin_ids,
        clock=clock,
        compose=source_alert_composer(timezone),
        owners=owners,
        private_sources=own.private_source_ids if own is not None else None,
    )


def then_alert(
    ingest: Callable[[], Awaitable[object]], alerts: SourceAlerts
) -> Callable[[], Awaitable[None]]:
    """The ingest job followed by the alert check, which sees the sources as the pass left them."""

    async def job() -> None:
        await ingest()
        await alerts.check()

    return job
