"""When a subscriber's next daily digest comes, in their own time zone.

The moment of a day's digest is the scheduler's own (`services.digest.service.digest_slot`:
zoneinfo, DST-safe — a time inside a spring-forward gap lands just after it), so
what /mytopics promises is what delivery does. A day whose digest has already been
delivered (any delivery record for that local date) is skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.clock.clocks import Clock
from services.clock.zones import zone_of
from services.digest.service import digest_slot
from services.storage.deliveries import DeliveryRepository
from services.storage.models import Subscriber


def local_date(now: datetime, timezone: str) -> str:
    """The subscriber's calendar date ("YYYY-MM-DD") at `now`."""
    return now.astimezone(zone_of(timezone)).date().isoformat()


def next_digest_at(subscriber: Subscriber, now: datetime, *, delivered_today: bool) -> datetime:
    """The next moment the digest is due, as an aware datetime in the subscriber's zone.

    Today's slot counts while it is still ahead and today's digest has not gone out;
    otherwise it is tomorrow's.
    """
    zone = zone_of(subscriber.timezone)
    today = now.astimezone(zone).date()
    slot = digest_slot(subscriber, today)
    if slot <= now or delivered_today:
        slot = digest_slot(subscriber, today + timedelta(days=1))
    return slot.astimezone(zone)


class DigestSchedule:
    """Answers "when is my next digest?" from the subscriber's settings and deliveries."""

    def __init__(self, deliveries: DeliveryRepository, clock: Clock) -> None:
        self._deliveries = deliveries
        self._clock = clock

    async def next_digest(self, subscriber: Subscriber) -> datetime | None:
        """The next digest's local time, or None while the subscriber is paused or blocked."""
        if not subscriber.active:
            return None
        now = self._clock.now()
        delivery = await self._deliveries.get(
            subscriber.chat_id, local_date(now, subscriber.timezone)
        )
        return next_digest_at(subscriber, now, delivered_today=delivery is not None)
