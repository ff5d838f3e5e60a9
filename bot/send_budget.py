"""The token's one send budget for a process of this database: its share, or all of it.

On a store several processes share (PostgreSQL), every process that sends for the token,
a `run` replica or a one-off `deliver`, joins the replicas' heartbeat for as long as it
sends and paces at its share of SEND_RATE (services/delivery/shared_budget.py). On a
SQLite file one process sends, at the whole SEND_RATE.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiogram import Bot

from bot.app import Services
from bot.pacing import PacingMiddleware
from services.delivery.pacer import Pacer
from services.delivery.shared_budget import SharedBudget
from services.storage.replicas import ReplicaRegistry


def pacer_of(bot: Bot) -> Pacer:
    """The pacer build_bot put under every call of `bot`."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, PacingMiddleware):
            return middleware.pacer
    raise LookupError("the bot has no pacer")


def replica_budget(services: Services, bot: Bot) -> SharedBudget | None:
    """The shared budget of `bot`'s pacer, under this process's replica name; None when
    the store has one process."""
    if not services.db.dialect.replicas:
        return None
    registry = ReplicaRegistry(services.db, services.clock, replica_id=services.deliveries.owner)
    return SharedBudget(registry, pacer_of(bot), services.settings.send_rate)


@contextlib.asynccontextmanager
async def sending_share(services: Services, bot: Bot) -> AsyncIterator[SharedBudget | None]:
    """This process counted among the senders for as long as the block runs."""
    budget = replica_budget(services, bot)
    if budget is None:
        yield None
        return
    async with budget.taking_part():
        yield budget
