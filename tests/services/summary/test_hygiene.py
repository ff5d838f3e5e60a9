"""Sentence hygiene: what may stand alone in a summary, and how it is shown."""

from __future__ import annotations

import pytest

from services.summary.hygiene import (
    MAX_SENTENCE_CHARS,
    clean_sentence,
    plain_text,
    strip_dateline,
    trim_sentence,
)

STATEMENT = "Правительство утвердило новый бюджет на следующий год без поправок."


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("МОСКВА, 1 дек — РИА Новости. " + STATEMENT, STATEMENT),
        ("москва, 1 дек — риа новости. " + STATEMENT.lower(), STATEMENT.lower()),
        ("Москва, 1 декабря. /ТАСС/. " + STATEMENT, STATEMENT),
        ("АСТАНА. KAZINFORM – " + STATEMENT, STATEMENT),
        (
            "WASHINGTON (CNN) -- The Senate passed the bill on Monday.",
            "The Senate passed the bill on Monday.",
        ),
        ("(CNN) -- The Senate passed the bill on Monday.", "The Senate passed the bill on Monday."),
        (
            "LONDON, England (Reuters) - Shares fell sharply on Friday.",
            "Shares fell sharply on Friday.",
        ),
        (STATEMENT, STATEMENT),
        (
            "НАТО — военный союз, созданный в 1949 году.",
            "НАТО — военный союз, созданный в 1949 году.",
        ),
    ],
)
def test_datelines_are_removed_and_nothing_else(sentence: str, expected: str) -> None:
    assert strip_dateline(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Читайте также: правительство утвердило новый бюджет на год.",
        "Подписывайтесь на наш телеграм-канал, чтобы первыми узнавать новости.",
        "Scroll down for video of the moment the bridge collapsed.",
        "Click here to read the full story of the bridge collapse.",
        "Bishop John Folda (pictured) of the diocese is taking time off.",
        "Фото: Иван Петров, пресс-служба городского правительства Москвы.",
        "Retread: David Cameron with Samantha on the beach yesterday.",
        "Жаңалықтарды толығырақ біздің арнамыздан оқи отырыңыз.",
        "14:11 EST, 25 October 2013 .",
        "Счёт 2:1, 3:0, 4:4 и 5:2 в пользу хозяев.",
        "Что будет с ценами на бензин в следующем году?",
        "Цены на бензин в следующем году вырастут",
        "«Мы сделаем всё, что в наших силах, чтобы помочь.",
        "Это важно для всех нас», — сказал министр на брифинге.",
        "— заявил министр на брифинге в пятницу вечером.",
        "claims to have had sex with a prominent lawyer in the state.",
        "Two lawyers representing a woman who .",
        "Коротко о главном.",
        "",
    ],
)
def test_sentences_that_cannot_stand_alone_are_refused(sentence: str) -> None:
    assert clean_sentence(sentence) is None


def test_case_folded_text_may_start_sentences_in_lower_case() -> None:
    sentence = "пожар в цеху на севере москвы локализован, сообщили в мчс."
    assert clean_sentence(sentence) is None
    assert clean_sentence(sentence, case_folded=True) == sentence


def test_a_whole_quotation_with_its_attribution_is_accepted() -> None:
    sentence = "«Мы сделаем всё, что в наших силах», — сказал министр на брифинге."
    assert clean_sentence(sentence) == sentence


def test_a_long_sentence_is_trimmed_at_a_clause_boundary_with_an_ellipsis() -> None:
    sentence = (
        "Около 60 тысяч литров неочищенной нефти вытекли из нефтепровода компании на территории "
        "северной канадской провинции Альберта в результате механического повреждения трубы, "
        "сообщил в воскресенье регулятор в области энергетики Альберты со ссылкой на данные "
        "своих инспекторов, которые прибыли на место утечки."
    )
    trimmed = trim_sentence(sentence)
    assert len(trimmed) <= MAX_SENTENCE_CHARS
    assert trimmed.endswith("трубы…")
    assert sentence.startswith(trimmed.removesuffix("…"))


def test_a_long_sentence_without_clauses_is_trimmed_at_a_word() -> None:
    sentence = " ".join(["слово"] * 80) + "."
    trimmed = trim_sentence(sentence, 100)
    assert len(trimmed) <= 100
    assert trimmed.endswith("слово…")


def test_short_sentences_are_not_trimmed() -> None:
    assert trim_sentence(STATEMENT) == STATEMENT


def test_markup_and_entities_become_plain_text_with_paragraphs_as_lines() -> None:
    html = "<p><strong>Москва</strong>&nbsp;&mdash; столица.</p><p>Вторая&nbsp;строка.</p>"
    assert plain_text(html) == "Москва — столица.\nВторая строка."


def test_plain_text_leaves_comparisons_alone() -> None:
    assert plain_text("Если a < b и b > c, то ничего.") == "Если a < b и b > c, то ничего."
