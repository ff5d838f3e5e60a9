"""Language detection: Kazakh letters tell kk from ru, the alphabet tells en from both."""

from __future__ import annotations

import pytest

from services.text.language import detect_language

RUSSIAN = (
    "Президент Казахстана Касым-Жомарт Токаев провёл телефонный разговор с Владимиром "
    "Путиным. Стороны обсудили развитие торгово-экономического сотрудничества и "
    "подготовку к заседанию Высшего Евразийского экономического совета."
)
KAZAKH = (
    "Мемлекет басшысы Қасым-Жомарт Тоқаев Ресей Президенті Владимир Путинмен телефон "
    "арқылы сөйлесті. Тараптар сауда-экономикалық ынтымақтастықты дамыту мәселелерін "
    "талқылады."
)
ENGLISH = (
    "President Kassym-Jomart Tokayev held a phone call with Vladimir Putin. The sides "
    "discussed trade and economic cooperation ahead of the Eurasian Economic Council."
)


@pytest.mark.parametrize(("text", "expected"), [(RUSSIAN, "ru"), (KAZAKH, "kk"), (ENGLISH, "en")])
def test_news_paragraphs_are_recognised(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_a_kazakh_name_in_russian_text_keeps_it_russian() -> None:
    text = RUSSIAN + " Об этом сообщил аким Алматы Ерболат Досаев в районе Қарасай."
    assert detect_language(text) == "ru"


def test_kazakh_without_its_own_letters_is_caught_by_function_words() -> None:
    text = "Астана және Мәскеу туралы келісім бойынша жоба жылы іске асады деп хабарлайды"
    assert detect_language(text.replace("ә", "а").replace("і", "и")) == "kk"


def test_russian_with_english_brand_names_stays_russian() -> None:
    text = RUSSIAN + " Компании Apple, Google и Samsung открыли офисы в Astana Hub."
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", ["", "12 345 — 67", "🙂🙂🙂", "   \n  "])
def test_text_without_letters_gets_the_default(text: str) -> None:
    assert detect_language(text) == "ru"
    assert detect_language(text, default="kk") == "kk"


def test_only_the_head_of_a_huge_text_is_read() -> None:
    assert detect_language(KAZAKH * 200 + ENGLISH * 5000) == "kk"
