"""services/sources/health.py: one meaning of new, healthy, failing, down and disabled."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.sources.health import DOWN_AFTER, SourceState, failing_since, source_state
from services.storage.models import Source

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def make_source(**changes: object) -> Source:
    base = Source(
        id=1,
        url="https://example.kz/rss",
        name="Example",
        language="ru",
        kind="feed",
        enabled=True,
        etag=None,
        last_modified=None,
        last_fetch_at=None,
        last_success_at=None,
        consecutive_failures=0,
        last_error=None,
        next_fetch_at=None,
        failure_alerted_at=None,
        created_at=NOW - timedelta(days=30),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_source_never_fetched_is_new() -> None:
    assert source_state(make_source(), NOW) is SourceState.NEW


def test_a_source_whose_last_fetch_succeeded_is_healthy() -> None:
    source = make_source(last_fetch_at=NOW, last_success_at=NOW)
    assert source_state(source, NOW) is SourceState.HEALTHY
    assert failing_since(source) is None


def test_failures_since_the_last_success_are_failing_until_a_day_has_passed() -> None:
    last_ok = NOW - DOWN_AFTER + timedelta(minutes=1)
    source = make_source(last_fetch_at=NOW, last_success_at=last_ok, consecutive_failures=40)
    assert failing_since(source) == last_ok
    assert source_state(source, NOW) is SourceState.FAILING
    assert source_state(source, NOW + timedelta(minutes=2)) is SourceState.DOWN


def test_a_source_that_never_worked_counts_its_failures_from_when_it_was_added() -> None:
    source = make_source(last_fetch_at=NOW, consecutive_failures=3, created_at=NOW)
    assert failing_since(source) == NOW
    assert source_state(source, NOW + timedelta(hours=25)) is SourceState.DOWN


def test_a_disabled_source_is_disabled_whatever_its_record() -> None:
    source = make_source(enabled=False, consecutive_failures=9, last_fetch_at=NOW)
    assert source_state(source, NOW) is SourceState.DISABLED
    assert not SourceState.DISABLED.in_trouble
    assert SourceState.DOWN.in_trouble
