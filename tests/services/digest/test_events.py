"""A digest shows no event twice: a story whose headline retells one already shown is left out."""

from __future__ import annotations

from services.digest.events import headline, repeats


def test_a_second_outlets_headline_of_a_shown_event_repeats_it() -> None:
    shown = [
        headline("Нацбанк сохранил базовую ставку на уровне 14,75%", "ru"),
        headline("В Астане открылся новый терминал аэропорта", "ru"),
    ]

    assert repeats(
        headline("Нацбанк Казахстана сохранил базовую ставку на уровне 14,75%", "ru"), shown
    )


def test_a_look_alike_event_on_the_same_subject_does_not_repeat() -> None:
    shown = [headline("Аким Алматы отчитался перед жителями города", "ru")]

    assert not repeats(headline("Аким Шымкента отчитался перед жителями города", "ru"), shown)


def test_nothing_shown_yet_means_nothing_repeats() -> None:
    assert not repeats(headline("В Астане открылся новый терминал аэропорта", "ru"), [])


def test_a_lead_given_with_the_headline_is_read_too() -> None:
    bare = headline("Сборная выиграла", "ru")
    with_lead = headline(
        "Сборная выиграла", "ru", "Сборная Казахстана по футболу обыграла Кипр 2:0."
    )

    assert with_lead.body != bare.body
