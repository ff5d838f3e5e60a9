"""The newsroom of digest_world with how often each topic is read: weekly digests, realtime
alerts, and the delivery pass that sends all of them."""

from __future__ import annotations

from pathlib import Path

from services.delivery.realtime import RealtimePass
from services.delivery.service import DeliveryPolicy, DeliveryService
from services.digest.alerts import AlertPolicy, AlertService
from services.digest.service import DigestPolicy, DigestService
from services.digest.weekly import WeeklyDigests
from services.storage import Database
from services.storage.alert_queue import AlertQueueRepository
from services.storage.frequencies import Frequency, FrequencyRepository, PreferenceRepository
from services.storage.models import Topic
from services.storage.own_sources import OwnSourceRepository
from tests.services.digest_world import World


class FrequencyWorld(World):
    def __init__(self, db: Database, clock, policy: DigestPolicy | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(db, clock, policy)
        self.frequencies = FrequencyRepository(db)
        self.preferences = PreferenceRepository(db)
        self.queue = AlertQueueRepository(db)
        self.own_sources = OwnSourceRepository(db, clock)
        self.digests = DigestService(
            clock=clock,
            subscribers=self.subscribers,
            subscriptions=self.subscriptions,
            deliveries=self.deliveries,
            articles=self.articles,
            stories=self.stories,
            search=self.index,
            clusterer=self.clusterer,
            policy=policy,
            frequencies=self.frequencies,
            own_sources=self.own_sources,
        )
        self.weekly = WeeklyDigests(
            digests=self.digests,
            subscribers=self.subscribers,
            subscriptions=self.subscriptions,
            frequencies=self.frequencies,
            preferences=self.preferences,
            deliveries=self.deliveries,
        )
        self.alerts = self.alert_service(AlertPolicy())

    def alert_service(self, policy: AlertPolicy) -> AlertService:
        return AlertService(
            digests=self.digests,
            search=self.index,
            topics=self.topics,
            frequencies=self.frequencies,
            preferences=self.preferences,
            subscribers=self.subscribers,
            queue=self.queue,
            policy=policy,
            own_sources=self.own_sources,
        )

    def delivery(self, policy: DeliveryPolicy, lock_path: Path | None = None) -> DeliveryService:
        return DeliveryService(
            clock=self.clock,
            digests=self.digests,
            deliveries=self.deliveries,
            subscribers=self.subscribers,
            policy=policy,
            lock_path=lock_path,
            also=(self.weekly, self.alerts),
        )

    def realtime(self, policy: DeliveryPolicy, lock_path: Path | None = None) -> RealtimePass:
        return RealtimePass(
            clock=self.clock, alerts=self.alerts, delivery=self.delivery(policy, lock_path)
        )

    async def follow(self, chat_id: int, topic: Topic, frequency: Frequency) -> None:
        await self.subscriptions.subscribe(chat_id, topic.id)
        assert await self.frequencies.set_frequency(chat_id, topic.id, frequency)
