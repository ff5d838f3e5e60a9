"""When a subscriber's next daily digest comes, in their own time zone.

The digest is due at the local digest time of each day; a day whose digest has
already been delivered is skipped. Local times are computed with zoneinfo, so a
digest time that falls into a daylight-saving gap moves to the first valid moment
after it instead of being lost.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.clock import Clock
from services.storage.deliveries import DeliveryRepository
from services.storage.models import Subscriber


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The wall-clock moment `at` on `day` in `zone`, normalised through UTC (DST-safe)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)


def local_date(now: datetime, timezone: str) -> str:
    """The subscriber's calendar date ("YYYY-MM-DD") at `now`."""
    return now.astimezone(ZoneInfo(timezone)).date().isoformat()


def next_digest_at(
    now: datetime, *, timezone: str, digest_time: str, delivered_today: bool
) -> datetime:
    """The next local moment the digest is due, as an aware datetime in `timezone`.

    Today's digest time counts while it is still ahead and today's digest has not
    gone out; otherwise it is tomorrow's.
    """
    zone = ZoneInfo(timezone)
    hour, minute = (int(part) for part in digest_time.split(":"))
    at = time(hour, minute)
    local_now = now.astimezone(zone)
    today = local_moment(local_now.date(), at, zone)
    if today > local_now and not delivered_today:
        return today
    return local_moment(local_now.date() + timedelta(days=1), at, zone)


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
        return next_digest_at(
            now,
            timezone=subscriber.timezone,
            digest_time=subscriber.digest_time,
            # Any record for the date (even one still being sent) is today's digest.
            delivered_today=delivery is not None,
        )
