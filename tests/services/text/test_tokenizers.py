"""Offline tokenizers: sentences and words the way sumy asks for them, with no downloads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.text.tokenizers import (
    EnglishTokenizer,
    RazdelTokenizer,
    tokenizer_for,
    unglue_sentences,
)


def test_russian_sentences_keep_abbreviations_and_initials_inside() -> None:
    text = "В 2014 г. В.В. Путин прибыл в г. Москву. Курс вырос на 1.5 руб. за день! Что дальше?"
    assert RazdelTokenizer("ru").to_sentences(text) == (
        "В 2014 г. В.В. Путин прибыл в г. Москву.",
        "Курс вырос на 1.5 руб. за день!",
        "Что дальше?",
    )


def test_case_folded_russian_text_is_split_at_full_stops() -> None:
    text = "москва, 1 дек — риа новости. около 60 тысяч литров нефти вытекли в г. москве. пожар потушен."
    assert RazdelTokenizer("ru").to_sentences(text) == (
        "москва, 1 дек — риа новости.",
        "около 60 тысяч литров нефти вытекли в г. москве.",
        "пожар потушен.",
    )


def test_a_line_break_always_ends_a_sentence() -> None:
    assert RazdelTokenizer().to_sentences("Заголовок без точки\nТекст статьи.") == (
        "Заголовок без точки",
        "Текст статьи.",
    )


def test_english_sentences_keep_titles_abbreviations_and_initials_inside() -> None:
    text = "Mr. Smith went to the U.S. on Monday. The app is by J.J. Abrams. It costs $3.5 million."
    assert EnglishTokenizer().to_sentences(text) == (
        "Mr. Smith went to the U.S. on Monday.",
        "The app is by J.J. Abrams.",
        "It costs $3.5 million.",
    )


def test_whitespace_inside_a_sentence_becomes_single_spaces() -> None:
    assert EnglishTokenizer().to_sentences("One\u00a0 two   three.") == ("One two three.",)


def test_words_are_letters_with_inner_hyphens_and_apostrophes_without_numbers() -> None:
    assert RazdelTokenizer().to_words("Из-за того, что 5,5% — это «много»!") == (
        "Из-за",
        "того",
        "что",
        "это",
        "много",
    )
    assert EnglishTokenizer().to_words("It's a well-known fact, 42 times.") == (
        "It's",
        "a",
        "well-known",
        "fact",
        "times",
    )


def test_kazakh_letters_are_words() -> None:
    assert RazdelTokenizer("kk").to_words("Қазақстанның үкіметі шешім қабылдады.") == (
        "Қазақстанның",
        "үкіметі",
        "шешім",
        "қабылдады",
    )


def test_each_language_gets_its_tokenizer_and_unknown_ones_get_razdel() -> None:
    assert isinstance(tokenizer_for("en"), EnglishTokenizer)
    assert isinstance(tokenizer_for("kk"), RazdelTokenizer)
    assert tokenizer_for("kk").language == "kk"
    assert isinstance(tokenizer_for("de"), RazdelTokenizer)


@given(st.text(max_size=300), st.sampled_from(["ru", "en", "kk"]))
def test_any_text_gives_stripped_sentences_made_of_its_words(text: str, language: str) -> None:
    tokenizer = tokenizer_for(language)
    sentences = tokenizer.to_sentences(text)
    squeezed = " ".join(text.split())
    for sentence in sentences:
        assert sentence == sentence.strip()
        assert sentence
        assert sentence in squeezed
        for word in tokenizer.to_words(sentence):
            assert word in sentence


def test_sentences_glued_without_a_space_are_parted() -> None:
    text = "Число случаев выросло в 2019 году.По последним данным, рост остановился."
    assert RazdelTokenizer("ru").to_sentences(text) == (
        "Число случаев выросло в 2019 году.",
        "По последним данным, рост остановился.",
    )
    assert EnglishTokenizer().to_sentences(
        "The boats stay far from their homes and family.Once the trawlers return, they rest."
    ) == (
        "The boats stay far from their homes and family.",
        "Once the trawlers return, they rest.",
    )


def test_glued_sentences_of_case_folded_text_are_parted_too() -> None:
    text = "число случаев выросло в 2019 году.по последним данным, рост остановился."
    assert RazdelTokenizer("ru").to_sentences(text) == (
        "число случаев выросло в 2019 году.",
        "по последним данным, рост остановился.",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Курс вырос на 3.5 процента за день.",
        "Это, т.е.Путин, решил сам.",
        "Президент В.В.Путин прибыл на ул.Ленина утром.",
        "Новость вышла на ria.ru и на сайт.рф сегодня.",
        "Подробности на www.Example.com сегодня.",
        "Водители «Яндекс.Такси» и читатели Лада.Онлайн. довольны.",
        "цены выросли на 5 млн.руб за год.",
    ],
)
def test_numbers_abbreviations_initials_domains_and_dotted_names_stay_whole(text: str) -> None:
    assert unglue_sentences(text) == text
