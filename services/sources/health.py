"""What a source's fetch record means for an operator: new, healthy, failing, down or off.

One definition serves /sources, /stats, the admin alerts and /healthz, so they never
disagree about whether a source is in trouble. "Down" is failing for longer than
`DOWN_AFTER`: that is when admins are told (services/sources/alerts.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from services.storage.models import Source

DOWN_AFTER = timedelta(hours=24)


class SourceState(Enum):
    NEW = "new"  # enabled, never fetched yet
    HEALTHY = "healthy"  # the last fetch succeeded
    FAILING = "failing"  # the last fetch failed, for less than DOWN_AFTER
    DOWN = "down"  # failing for longer than DOWN_AFTER
    DISABLED = "disabled"

    @property
    def in_trouble(self) -> bool:
        return self in (SourceState.FAILING, SourceState.DOWN)


def failing_since(source: Source) -> datetime | None:
    """When the current run of failures began, as far as the record tells; None if not failing.

    The record keeps the last success, not the first failure: the run of failures began
    after the last success (or, for a source that never worked, when it was added).
    """
    if source.consecutive_failures == 0:
        return None
    return source.last_success_at or source.created_at


def source_state(source: Source, now: datetime) -> SourceState:
    if not source.enabled:
        return SourceState.DISABLED
    since = failing_since(source)
    if since is not None:
        return SourceState.DOWN if now - since > DOWN_AFTER else SourceState.FAILING
    if source.last_fetch_at is None:
        return SourceState.NEW
    return SourceState.HEALTHY
