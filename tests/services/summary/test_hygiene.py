"""Sentence hygiene: what may stand alone in a summary, and how it is shown."""

from __future__ import annotations

import pytest

from services.summary.hygiene import (
    clean_sentence,
    plain_text,
    strip_dateline,
    strip_junk_prefix,
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


@pytest.mark.parametrize(
    ("glued", "sentence"),
    [
        (
            "2020-05-17T20:57:41+03:00…https://1prime.ru/i/logo/social_logo.png "
            "Агентство Bloomberg сообщило о росте цен на нефть в мае.",
            "Агентство Bloomberg сообщило о росте цен на нефть в мае.",
        ),
        (
            "Anthony ZurcherNorth America reporter@awzurcheron Twitter With tensions rising "
            "in the Gulf, the president has a choice to make.",
            "With tensions rising in the Gulf, the president has a choice to make.",
        ),
        (
            "3 декабря, 02:54 · Автор: Иван Петров Власти, скорее всего, окажут помощь "
            "пенсионерам, рассказал депутат Олег Рязанский.",
            "Власти, скорее всего, окажут помощь пенсионерам, рассказал депутат Олег Рязанский.",
        ),
        ("@uranews " + STATEMENT, STATEMENT),
    ],
)
def test_timestamps_links_and_bylines_glued_to_a_sentence_are_stripped(
    glued: str, sentence: str
) -> None:
    assert strip_junk_prefix(glued) == sentence
    assert clean_sentence(glued) == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Заявление на получение поддержки можно скачать на https://rosim.ru/contacts/exemption.",
        "Подробности о программе поддержки бизнеса на сайте www.nalog.ru сегодня.",
        "Снимок поделился изображениями в высоком разрешении social_logo.png вчера.",
        "Эту информацию раскрыл надежный инсайдер Эван Бласс (@evleaks) в своем блоге.",
        "Материал обновлен 2020-05-17 20:57 по московскому времени в понедельник.",
        "Правительство утвердило бюджет 3 декабря, 02:54 · на следующий год без поправок.",
        "Автор: Мария Базарева, специальный корреспондент нашего издания в Москве.",
    ],
)
def test_sentences_holding_strings_that_are_not_prose_are_refused(sentence: str) -> None:
    assert clean_sentence(sentence) is None


def test_a_junk_prefix_leaving_no_sentence_refuses_the_whole() -> None:
    assert clean_sentence("2020-05-17T20:57:41+03:00 https://1prime.ru/logo.png Агентство") is None


def test_prose_with_an_email_address_or_a_plain_date_is_kept() -> None:
    sentence = "Истории о жизни в карантине присылайте на адрес covid@rosbalt.ru до 1 июня."
    assert clean_sentence(sentence) == sentence
    assert strip_junk_prefix(STATEMENT) == STATEMENT


def test_a_long_sentence_is_accepted_whole() -> None:
    sentence = (
        "Около 60 тысяч литров неочищенной нефти вытекли из нефтепровода компании на территории "
        "северной канадской провинции Альберта в результате механического повреждения трубы, "
        "сообщил в воскресенье регулятор в области энергетики Альберты со ссылкой на данные "
        "своих инспекторов, которые прибыли на место утечки."
    )
    assert clean_sentence(sentence) == sentence


def test_markup_and_entities_become_plain_text_with_paragraphs_as_lines() -> None:
    html = "<p><strong>Москва</strong>&nbsp;&mdash; столица.</p><p>Вторая&nbsp;строка.</p>"
    assert plain_text(html) == "Москва — столица.\nВторая строка."


def test_plain_text_leaves_comparisons_alone() -> None:
    assert plain_text("Если a < b и b > c, то ничего.") == "Если a < b и b > c, то ничего."
