"""Weekly digests: the week's best stories of the topics a chat follows weekly, at its
digest time on its chosen weekday (Monday unless `/weekday` says otherwise).

Built by the daily digest's machinery (`DigestService.build_planned`: ranked as daily
digests are, at most K per topic, nothing the chat already got) and recorded under
"week:<local date>", so a week has one weekly digest however often the pass runs. The
slot is read on the chat's clock (zoneinfo), so a DST change between two weeks moves
nothing. A weekly digest leaves the daily window where it is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.digest.service import DigestBatch, DigestPlan, DigestService, due_date
from services.storage.deliveries import DeliveryRepository
from services.storage.frequencies import (
    ChatPreferences,
    FrequencyRepository,
    PreferenceRepository,
)
from services.storage.subscribers import SubscriberRepository
from services.storage.topics import SubscriptionRepository

WEEK_KEY = "week:"
WEEK = timedelta(days=7)


def weekly_key(day: date) -> str:
    return f"{WEEK_KEY}{day.isoformat()}"


class WeeklyDigests:
    """Builds the weekly digests due now."""

    def __init__(
        self,
        *,
        digests: DigestService,
        subscribers: SubscriberRepository,
        subscriptions: SubscriptionRepository,
        frequencies: FrequencyRepository,
        preferences: PreferenceRepository,
        deliveries: DeliveryRepository,
    ) -> None:
        self._digests = digests
        self._subscribers = subscribers
        self._subscriptions = subscriptions
        self._frequencies = frequencies
        self._preferences = preferences
        self._deliveries = deliveries

    async def build_due(self, now: datetime) -> DigestBatch:
        followers = await self._frequencies.followers("weekly")
        weekly_topics: dict[int, set[int]] = {}
        for topic_id, chat_ids in followers.items():
            for chat_id in chat_ids:
                weekly_topics.setdefault(chat_id, set()).add(topic_id)
        if not weekly_topics:
            return DigestBatch()
        preferences = await self._preferences.many(weekly_topics)
        catch_up = self._digests.policy.catch_up
        candidates = []
        for subscriber in await self._subscribers.list_active():
            if subscriber.chat_id not in weekly_topics:
                continue
            day = due_date(subscriber, now, catch_up)
            weekday = preferences.get(subscriber.chat_id, ChatPreferences()).weekday
            if day is not None and day.weekday() == weekday:
                candidates.append((subscriber, day))
        recorded = await self._deliveries.recorded_dates(weekly_key(day) for _, day in candidates)
        plans = []
        for subscriber, day in candidates:
            key = weekly_key(day)
            if (subscriber.chat_id, key) in recorded:
                continue
            wanted = weekly_topics[subscriber.chat_id]
            topics = await self._subscriptions.topics_of(subscriber.chat_id)
            plans.append(
                DigestPlan(
                    subscriber=subscriber,
                    day=day,
                    key=key,
                    topics=tuple(t for t in topics if t.id in wanted),
                    since=now - WEEK,
                    window_end=None,
                    kind="weekly",
                )
            )
        return await self._digests.build_planned(now, plans)
