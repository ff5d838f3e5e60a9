"""Realtime alerts: which new stories match a topic followed "as it happens", and the
messages that tell them.

After every ingest pass the articles fetched since the last match are searched with every
realtime topic at once (one window of the index); a story counts as new when its first
article arrived in that span, so an article that joins a story told before is not told
again (it shows in the next digest under "also"). Matches wait in the alert queue
(services/storage/alert_queue.py) until a delivery pass turns them into messages:

- one message per story, at most `per_topic_hour` per topic in the chat's local hour;
- what the cap held back, and what came in quiet hours, goes as one message once the hour
  (or the quiet hours) is over;
- nothing while the chat's quiet hours last.

The messages are recorded like digests (a delivery record per message, the stories
reserved with it), so a story reaches a chat once, across alerts and digests. An article
from a source only some chats added (their own sources) alerts only those chats, and an
alert never shows another chat's own article. Queue rows a few days old are pruned.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.clock.zones import zone_of
from services.digest.frequency import hour_start, is_quiet, local_hour_key
from services.digest.model import Digest, DigestItem, DigestKind, DigestSection
from services.digest.render import render_html
from services.digest.service import DigestBatch, DigestService
from services.storage.alert_queue import ALERT_KEY, BATCH_KEY, AlertQueueRepository, QueuedAlert
from services.storage.deliveries import NewDelivery
from services.storage.frequencies import (
    ChatPreferences,
    FrequencyRepository,
    PreferenceRepository,
)
from services.storage.models import Language, Subscriber, Topic
from services.storage.own_sources import OwnSourceRepository
from services.storage.subscribers import SubscriberRepository
from services.storage.topics import TopicRepository
from services.topics.index import TopicIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    per_topic_hour: int = 6  # single-story alerts per topic per local hour
    first_lookback: timedelta = timedelta(hours=1)  # the very first match looks this far back
    keep_queued: timedelta = timedelta(days=3)  # queue rows older than this are pruned
    search_limit: int = 300  # matches considered per topic and pass


@dataclass(slots=True)
class MatchReport:
    """What one matching pass found; logged as one line."""

    topics: int = 0
    articles: int = 0
    new_stories: int = 0
    queued: int = 0


class AlertService:
    """Queues new stories for realtime topics and builds the alert messages that are due."""

    def __init__(
        self,
        *,
        digests: DigestService,
        search: TopicIndex,
        topics: TopicRepository,
        frequencies: FrequencyRepository,
        preferences: PreferenceRepository,
        subscribers: SubscriberRepository,
        queue: AlertQueueRepository,
        policy: AlertPolicy | None = None,
        own_sources: OwnSourceRepository | None = None,
    ) -> None:
        self._digests = digests
        self._search = search
        self._topics = topics
        self._frequencies = frequencies
        self._preferences = preferences
        self._subscribers = subscribers
        self._queue = queue
        self._own_sources = own_sources
        self.policy = policy or AlertPolicy()

    # --- matching, after each ingest pass ----------------------------------------------

    async def match_new(self, now: datetime) -> MatchReport:
        """Queue every story that first arrived since the last match and fits a realtime topic."""
        report = MatchReport()
        since = await self._queue.matched_until() or now - self.policy.first_lookback
        followers = await self._frequencies.followers("realtime")
        topics = [t for t in [await self._topics.get(i) for i in followers] if t is not None]
        report.topics = len(topics)
        alerts: list[QueuedAlert] = []
        if topics and since < now:
            hits = await self._search.search_topics(
                topics, since=since, until=now, limit=self.policy.search_limit
            )
            article_ids = sorted({hit.article_id for found in hits.values() for hit in found})
            report.articles = len(article_ids)
            story_of = await self._digests.stories_of(article_ids)
            first_seen = await self._queue.first_arrivals(set(story_of.values()))
            new = {story for story, first in first_seen.items() if first >= since}
            report.new_stories = len(new)
            # An article of a source only some chats added alerts only those chats.
            private, own = await self._private_and_own(
                article_ids, {chat for topic in topics for chat in followers[topic.id]}
            )
            for topic in topics:
                matched = [
                    hit.article_id
                    for hit in hits.get(topic.id, [])
                    if story_of.get(hit.article_id) in new
                ]
                everyone = list(dict.fromkeys(story_of[a] for a in matched if a not in private))
                for chat_id in followers[topic.id]:
                    stories = everyone
                    if private:
                        mine = own.get(chat_id, frozenset())
                        stories = list(
                            dict.fromkeys(
                                story_of[a]
                                for a in matched
                                if a not in private or private[a] in mine
                            )
                        )
                    alerts.extend(QueuedAlert(chat_id, story, topic.id, now) for story in stories)
        await self._queue.enqueue(alerts, matched_until=max(since, now))
        report.queued = len(alerts)
        log.info(
            "realtime match topics=%d articles=%d new_stories=%d queued=%d",
            report.topics,
            report.articles,
            report.new_stories,
            report.queued,
        )
        return report

    async def _private_and_own(
        self, article_ids: Sequence[int], chat_ids: set[int]
    ) -> tuple[dict[int, int], dict[int, frozenset[int]]]:
        """Of these articles, those of sources not shared (article → source), and the own
        sources of the chats (only read when there are such articles at all)."""
        if self._own_sources is None or not article_ids:
            return {}, {}
        private = await self._own_sources.private_articles(article_ids)
        if not private:
            return {}, {}
        return private, await self._own_sources.source_ids_of(chat_ids)

    async def prune(self, now: datetime) -> int:
        """Forget queued stories older than `keep_queued` (sent or never to be): one indexed
        delete after each realtime pass keeps the queue a few days long."""
        return await self._queue.prune(now - self.policy.keep_queued)

    # --- messages, in every delivery pass ----------------------------------------------

    async def build_due(self, now: datetime) -> DigestBatch:
        """The alert messages due at `now`: single stories within the cap, and batches of
        what quiet hours or the cap held back once they are over."""
        pending = await self._queue.pending()
        batch = DigestBatch()
        if not pending:
            return batch
        by_chat: dict[int, list[QueuedAlert]] = defaultdict(list)
        for alert in pending:
            by_chat[alert.chat_id].append(alert)
        subscribers = {s.chat_id: s for s in await self._subscribers.list_active()}
        preferences = await self._preferences.many(by_chat)
        sent = await self._queue.alerted_since(list(by_chat), now - timedelta(hours=1))
        plans: list[tuple[Subscriber, DigestKind, str, list[QueuedAlert]]] = []
        for chat_id, alerts in by_chat.items():
            subscriber = subscribers.get(chat_id)
            if subscriber is None:
                continue
            quiet = preferences.get(chat_id, ChatPreferences()).quiet_hours
            if is_quiet(quiet, now, subscriber.timezone):
                continue
            started = hour_start(now, subscriber.timezone)
            held = [a for a in alerts if a.queued_at < started]
            if held:
                key = f"{BATCH_KEY}{local_hour_key(now, subscriber.timezone)}"
                plans.append((subscriber, "alerts", key, held))
            counts = {
                topic: sum(1 for at in times if at >= started)
                for topic, times in sent.get(chat_id, {}).items()
            }
            for alert in alerts:
                if alert.queued_at < started:
                    continue
                if counts.get(alert.topic_id, 0) >= self.policy.per_topic_hour:
                    continue  # waits for the end of the hour, then goes in a batch
                counts[alert.topic_id] = counts.get(alert.topic_id, 0) + 1
                plans.append((subscriber, "alert", f"{ALERT_KEY}{alert.story_id}", [alert]))
        batch.due = len(plans)
        await self._render(now, plans, batch)
        return batch

    async def _render(
        self,
        now: datetime,
        plans: Sequence[tuple[Subscriber, DigestKind, str, list[QueuedAlert]]],
        batch: DigestBatch,
    ) -> None:
        topics: dict[int, Topic | None] = {}
        items: dict[tuple[Language, int, frozenset[int]], dict[int, DigestItem]] = {}
        renderings: dict[tuple[object, ...], list[str]] = {}
        hidden = await self._hidden_articles(plans)
        for subscriber, _, _, alerts in plans:
            for alert in alerts:
                if alert.topic_id not in topics:
                    topics[alert.topic_id] = await self._topics.get(alert.topic_id)
            unseen = hidden.get(subscriber.chat_id, frozenset())
            look = (subscriber.language, subscriber.digest_length, unseen)
            known = items.setdefault(look, {})
            missing = [a.story_id for a in alerts if a.story_id not in known]
            if missing:
                known.update(
                    await self._digests.story_items(
                        missing,
                        language=subscriber.language,
                        sentences=subscriber.digest_length,
                        hidden=unseen,
                    )
                )
        for subscriber, kind, key, alerts in plans:
            unseen = hidden.get(subscriber.chat_id, frozenset())
            known = items[(subscriber.language, subscriber.digest_length, unseen)]
            sections: dict[int, list[DigestItem]] = {}
            for alert in alerts:
                if alert.story_id in known:
                    sections.setdefault(alert.topic_id, []).append(known[alert.story_id])
            digest = Digest(
                language=subscriber.language,
                timezone=zone_of(subscriber.timezone).key,
                local_date=now.astimezone(zone_of(subscriber.timezone)).date(),
                sections=tuple(
                    DigestSection(_title(topics.get(topic_id), subscriber.language), tuple(shown))
                    for topic_id, shown in sections.items()
                ),
                kind=kind,
            )
            shape = (kind, digest.language, digest.timezone, digest.local_date, digest.sections)
            parts = renderings.get(shape)
            if parts is None:
                parts = renderings[shape] = render_html(digest)
            batch.deliveries.append(
                NewDelivery(
                    chat_id=subscriber.chat_id,
                    local_date=key,
                    parts=parts,
                    window_start=None,
                    window_end=None,
                    story_ids=tuple(alert.story_id for alert in alerts),
                )
            )
            batch.chat_types[subscriber.chat_id] = subscriber.chat_type
        batch.renderings = len(renderings)

    async def _hidden_articles(
        self, plans: Sequence[tuple[Subscriber, DigestKind, str, list[QueuedAlert]]]
    ) -> dict[int, frozenset[int]]:
        """Per chat, the articles of the alerted stories it may not see (another chat's own
        source): an alert shows the story as that chat's digest would. Empty, after one
        small read, when no such article is among them."""
        if self._own_sources is None or not plans:
            return {}
        story_ids = sorted({alert.story_id for *_, alerts in plans for alert in alerts})
        members = await self._digests.story_members(story_ids)
        article_ids = [a for ids in members.values() for a in ids]
        private, own = await self._private_and_own(
            article_ids, {subscriber.chat_id for subscriber, *_ in plans}
        )
        if not private:
            return {}
        return {
            subscriber.chat_id: frozenset(
                a for a, source in private.items() if source not in own.get(subscriber.chat_id, ())
            )
            for subscriber, *_ in plans
        }


def _title(topic: Topic | None, language: Language) -> str:
    return topic.title(language) if topic is not None else ""
