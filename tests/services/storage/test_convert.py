"""Values to and from their SQLite text form; reading the same text again is safe to reuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.storage.convert import from_db_time, from_json_list, to_db_time, to_json_list


def test_times_are_stored_as_utc_text_and_read_back_aware() -> None:
    almaty = timezone(timedelta(hours=5))
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=almaty)

    stored = to_db_time(moment)

    assert stored == "2026-03-01T04:30:00+00:00"
    assert from_db_time(stored) == moment
    assert from_db_time("2026-03-01T04:30:00") == datetime(2026, 3, 1, 4, 30, tzinfo=UTC)
    assert from_db_time(None) is None
    assert from_db_time("") is None


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db_time(datetime(2026, 3, 1, 9, 30))  # noqa: DTZ001


def test_a_summary_round_trips_with_its_unicode_intact() -> None:
    sentences = ["Астана и Москва подписали соглашение.", "Ақпарат «кавычки»."]

    stored = to_json_list(sentences)

    assert stored is not None
    assert "Астана" in stored
    assert from_json_list(stored) == sentences
    assert from_json_list(None) is None
    assert from_json_list('{"not": "a list"}') is None


def test_each_read_of_the_same_text_gets_a_list_of_its_own() -> None:
    stored = to_json_list(["Первое.", "Второе."])

    first = from_json_list(stored)
    assert first is not None
    first.append("changed by a caller")

    assert from_json_list(stored) == ["Первое.", "Второе."]
