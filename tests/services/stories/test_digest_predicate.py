"""The same-event check a digest makes over the headline (and lead) of each story it shows."""

from __future__ import annotations

import subprocess
import sys

from services.stories.same_event import DIGEST_THRESHOLD, probability, same_event, told
from services.stories.similarity import THRESHOLD


def test_one_decision_in_two_outlets_headlines_is_one_event() -> None:
    first = told(
        "Токаев подписал закон о защите прав детей",
        "ru",
        "Президент Казахстана Касым-Жомарт Токаев подписал закон о защите прав детей.",
    )
    second = told(
        "Токаев подписал закон о защите прав детей в Казахстане",
        "ru",
        "Глава государства Касым-Жомарт Токаев подписал закон о защите прав детей.",
    )

    assert same_event(first, second)


def test_two_phone_calls_of_one_president_are_two_events() -> None:
    first = told(
        "Токаев провел телефонный разговор с Путиным",
        "ru",
        "Президент Казахстана провел телефонный разговор с президентом России.",
    )
    second = told(
        "Токаев провел телефонный разговор с Эрдоганом",
        "ru",
        "Президент Казахстана провел телефонный разговор с президентом Турции.",
    )

    assert not same_event(first, second)


def test_a_digest_asks_more_than_grouping_does() -> None:
    assert DIGEST_THRESHOLD > THRESHOLD


def test_the_check_needs_no_window_and_is_symmetric() -> None:
    first = told("Рыбакина вышла в четвертьфинал турнира в Мадриде", "ru")
    second = told("Рыбакина обыграла американку в Мадриде", "ru")

    assert probability(first, second) == probability(second, first)
    assert 0.0 < probability(first, second) < 1.0


def test_english_headlines_of_one_event_are_one_event() -> None:
    first = told("Tokayev signs law on children's rights", "en")
    second = told("Kazakhstan's Tokayev signs children's rights law", "en")

    assert same_event(first, second)


def test_warming_up_loads_the_word_vectors_the_check_reads() -> None:
    probe = (
        "from services.stories import embeddings, same_event\n"
        "assert embeddings._table is None\n"
        "same_event.warm_up()\n"
        "assert embeddings._table is not None\n"
    )

    subprocess.run([sys.executable, "-c", probe], check=True)
