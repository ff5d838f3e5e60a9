"""The realtime pass, run after every ingest pass: queue the new stories that fit a topic
followed "as it happens", then a delivery pass that sends the alerts due.

The alerts go out through the one delivery pass (services/delivery/service.py): recorded
before they are sent, resumed after a crash, paced with everything else. When the
every-minute pass holds the lock, that pass or the next sends them instead. After the
pass the alert queue forgets what is a few days old.
"""

from __future__ import annotations

from services.clock.clocks import Clock
from services.delivery.sender import Sender
from services.delivery.service import DeliveryService, PassReport
from services.digest.alerts import AlertService, MatchReport


class RealtimePass:
    def __init__(self, *, clock: Clock, alerts: AlertService, delivery: DeliveryService) -> None:
        self._clock = clock
        self._alerts = alerts
        self._delivery = delivery

    async def run(self, sender: Sender) -> tuple[MatchReport, PassReport]:
        matched = await self._alerts.match_new(self._clock.now())
        report = await self._delivery.run_pass(sender)
        await self._alerts.prune(self._clock.now())
        return matched, report
