"""aiogram routers: thin handlers that parse a command, call a service and reply."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    """A fresh set of routers (built in a factory so a Dispatcher can be built more than once).

    The fallback router comes last: it answers whatever no other router took.
    """
    from handlers import (
        admin,
        channels,
        digest,
        fallback,
        frequency,
        search,
        settings,
        sources,
        start,
        subscribe,
        summary,
        topics,
    )

    return [
        start.build_router(),
        channels.build_router(),  # /channel, /here, forwarded channel posts, channel membership
        topics.build_router(),
        admin.build_router(),  # the shared sources for admins; everyone else falls through
        sources.build_router(),  # a chat's own sources; `/subscribe source:URL` before subscribe
        subscribe.build_router(),
        settings.build_router(),
        frequency.build_router(),
        digest.build_router(),
        search.build_router(),
        summary.build_router(),
        fallback.build_router(),
    ]
