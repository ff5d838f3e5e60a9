"""Lemmas: every form of a word meets its query, in Russian, Kazakh and English."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.text.lemmas import (
    ArticleLemmas,
    Lemmatizer,
    default_lemmatizer,
    kazakh_stem,
    split_lead,
    words,
)

LEMMA = re.compile(r"^[^\W_]+$")


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return default_lemmatizer()


def test_russian_inflections_share_the_dictionary_lemma(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("Казахстана Казахстане Казахстаном") == ["казахстан"] * 3
    assert lemmatizer.lemmas("в России, с Россией") == ["в", "россия", "с", "россия"]


def test_case_is_folded_and_yo_is_written_e(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("ЁЛКА") == lemmatizer.lemmas("елка") == ["елка"]
    assert lemmatizer.lemmas("провёл") == lemmatizer.lemmas("провел")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("казахстанско-российского", ["казахстанский", "российский"]),
        ("Казахстанско-российские", ["казахстанский", "российский"]),
        ("российско-казахстанских", ["российский", "казахстанский"]),
        ("военно-морской", ["военный", "морской"]),
    ],
)
def test_a_compound_splits_and_its_first_part_becomes_the_adjective(
    lemmatizer: Lemmatizer, text: str, expected: list[str]
) -> None:
    assert lemmatizer.lemmas(text) == expected


def test_a_hyphenated_name_keeps_its_parts_in_order(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("в Нур-Султане") == ["в", "нур", "султан"]


def test_a_suffix_hyphenated_to_an_abbreviation_or_number_is_dropped(
    lemmatizer: Lemmatizer,
) -> None:
    assert lemmatizer.lemmas("в 2024-м году") == ["в", "2024", "год"]
    assert lemmatizer.lemmas("ЕАЭО-ға кірді", "kk")[0] == "еаэо"


@pytest.mark.parametrize(
    ("text", "surname"),
    [
        ("Токаев", "токаев"),
        ("Токаевым", "токаев"),
        ("Токаева", "токаев"),
        ("Бектенова", "бектенов"),
        ("Пескова", "песков"),
        ("Песков", "песков"),
        ("Путина", "путин"),
    ],
)
def test_a_capitalised_surname_reads_as_the_surname(
    lemmatizer: Lemmatizer, text: str, surname: str
) -> None:
    assert lemmatizer.lemmas(f"заявил {text}") == ["заявить", surname]


def test_a_lower_case_common_word_keeps_its_common_reading(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("много песков") == ["много", "песок"]


def test_english_words_are_snowball_stemmed_without_the_possessive(
    lemmatizer: Lemmatizer,
) -> None:
    assert lemmatizer.lemmas("Kazakhstan's officials", "en") == ["kazakhstan", "offici"]
    assert lemmatizer.lemmas("official", "en") == ["offici"]


def test_latin_words_in_a_russian_article_are_english_stems(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("компания Kazatomprom's", "ru") == ["компания", "kazatomprom"]


@pytest.mark.parametrize(
    "forms",
    [
        ("Қазақстан", "Қазақстанның", "Қазақстанда", "Қазақстаннан", "Қазақстанға"),
        ("Ресей", "Ресейдің", "Ресейге", "Ресеймен", "ресейлік"),
        ("Ақорда", "Ақордада"),
        ("Президент", "Президенті", "Президентінің"),
        ("одақ", "одағы", "одағының"),
        ("Өскемен", "Өскеменде"),
    ],
)
def test_kazakh_forms_of_a_word_share_one_stem(forms: tuple[str, ...]) -> None:
    assert len({kazakh_stem(form) for form in forms}) == 1


def test_the_kazakh_stemmer_keeps_short_roots_whole() -> None:
    assert kazakh_stem("осы") == "осы"
    assert kazakh_stem("Астана") == "астана"


def test_kazakh_lemmas_fold_kazakh_letters_so_russian_spellings_meet_them(
    lemmatizer: Lemmatizer,
) -> None:
    assert lemmatizer.lemmas("Тоқаевтың", "kk") == lemmatizer.lemmas("Токаев") == ["токаев"]
    assert lemmatizer.lemmas("Мәскеуде", "kk") == ["маскеу"]


def test_a_word_with_kazakh_letters_in_a_russian_article_is_stemmed_as_kazakh(
    lemmatizer: Lemmatizer,
) -> None:
    assert lemmatizer.lemmas("Қазақстанның", "ru") == lemmatizer.lemmas("Қазақстан", "kk")


def test_a_cyrillic_word_of_a_kazakh_article_is_stemmed_as_kazakh(
    lemmatizer: Lemmatizer,
) -> None:
    assert lemmatizer.lemmas("Ресейдің", "kk") == ["ресей"]
    assert lemmatizer.lemmas("Астанада", "kk") == ["астана"]


def test_a_query_word_offers_every_reading_an_article_could_carry(
    lemmatizer: Lemmatizer,
) -> None:
    (kazakhstan,) = lemmatizer.query_word("Казахстан")
    assert {"казахстан", "казахстанский"} <= set(kazakhstan)
    (russia,) = lemmatizer.query_word("России")
    assert {"россия", "российский"} <= set(russia)
    (tokayev,) = lemmatizer.query_word("токаев")  # typed in lower case: still the surname
    assert "токаев" in tokayev
    (kazakh,) = lemmatizer.query_word("Қазақстан")
    assert kazakh == tuple(lemmatizer.lemmas("Қазақстанның", "kk"))


def test_a_place_adjective_is_offered_only_for_a_word_standing_alone(
    lemmatizer: Lemmatizer,
) -> None:
    (alone,) = lemmatizer.query_word("Казахстан", derive=False)
    assert "казахстанский" not in alone
    assert len(lemmatizer.query_word("Нур-Султан")) == 2


def test_a_query_word_without_letters_or_digits_gives_nothing(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.query_word("*:") == ()


@pytest.mark.parametrize("word", ["и", "в", "не", "или", "the", "of", "және", "туралы"])
def test_function_words_are_recognised(lemmatizer: Lemmatizer, word: str) -> None:
    assert lemmatizer.is_function_word(word)


@pytest.mark.parametrize("word", ["Казахстан", "нефть", "oil", "Ресей", "Нур-Султан"])
def test_content_words_are_not_function_words(lemmatizer: Lemmatizer, word: str) -> None:
    assert not lemmatizer.is_function_word(word)


def test_the_lead_is_the_first_two_sentences_of_the_first_paragraph() -> None:
    text = "Первое предложение. Второе предложение. Третье.\nВторой абзац."
    assert split_lead(text) == (
        "Первое предложение. Второе предложение.",
        "Третье.\nВторой абзац.",
    )


def test_a_one_sentence_first_paragraph_is_the_whole_lead() -> None:
    assert split_lead("  Лид.\nТело статьи.") == ("Лид.", "Тело статьи.")


def test_a_run_on_first_paragraph_is_cut_to_sixty_words() -> None:
    lead, rest = split_lead(" ".join(f"слово{i}" for i in range(200)))
    assert len(words(lead)) == 60
    assert rest.startswith("слово60")


def test_empty_text_has_no_lead() -> None:
    assert split_lead("  \n ") == ("", "")


def test_an_article_knows_where_each_lemma_and_phrase_stands() -> None:
    article = ArticleLemmas.build(["нур", "султан"], ["в", "нур", "султан"], ["нур", "а"])
    assert article.positions["нур"] == ((0, 0), (1, 1), (2, 0))
    assert article.phrase_positions(["нур", "султан"]) == [(0, 0), (1, 1)]
    assert article.phrase_positions(["султан", "в"]) == []  # a phrase stays inside one field
    assert article.vocabulary == {"нур", "султан", "в", "а"}


def test_an_article_keeps_title_lead_and_body_apart(lemmatizer: Lemmatizer) -> None:
    article = lemmatizer.article(
        "Токаев встретился с Путиным",
        "Президенты обсудили торговлю. Встреча прошла в Москве. Третье.\nЧетвёртое.",
    )
    assert article.title == ("токаев", "встретиться", "с", "путин")
    assert article.lead[-1] == "москва"
    assert article.body == ("третий", "четвертый")
    restored = ArticleLemmas.from_columns(*(" ".join(field) for field in article.fields()))
    assert restored == article


def test_the_uncached_lemmatiser_gives_the_same_lemmas(lemmatizer: Lemmatizer) -> None:
    text = "Казахстанско-российского Тоқаевтың Kazakhstan's Пескова ёлка 2024-м"
    assert Lemmatizer(cache_size=0).lemmas(text, "kk") == lemmatizer.lemmas(text, "kk")


@settings(max_examples=300, deadline=None)
@given(text=st.text(), language=st.sampled_from(["ru", "kk", "en"]))
def test_any_text_gives_lemmas_of_letters_and_digits_only(text: str, language: str) -> None:
    lemmas = default_lemmatizer().lemmas(text, language)
    assert all(LEMMA.match(lemma) for lemma in lemmas)
    assert all(lemma == lemma.casefold() and "ё" not in lemma for lemma in lemmas)


@settings(max_examples=200, deadline=None)
@given(word=st.text(max_size=30))
def test_any_query_word_gives_lemma_alternatives_of_letters_and_digits(word: str) -> None:
    for part in default_lemmatizer().query_word(word):
        assert part
        assert all(LEMMA.match(lemma) for lemma in part)


def test_a_headlines_verbs_are_read_in_every_form(lemmatizer: Lemmatizer) -> None:
    verbs = lemmatizer.verbs("Закон подписан: Токаев подписал его и решил подписать второй")

    assert verbs == ["подписать", "подписать", "решить", "подписать"]


def test_only_russian_verbs_are_read(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.verbs("Tokayev signs the law", "en") == []
    assert lemmatizer.verbs("Цены на нефть и газ") == []
