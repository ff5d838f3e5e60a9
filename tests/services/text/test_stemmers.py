"""Stemmers: the inflected forms of a word share one key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.text.stemmers import kazakh_stem, stemmer_for


def test_russian_forms_of_a_word_share_a_stem_and_yo_is_e() -> None:
    stem = stemmer_for("ru")
    assert stem("Президента") == stem("президентом") == stem("президенту")
    assert stem("ёлка") == stem("елка")


def test_english_forms_of_a_word_share_a_stem() -> None:
    stem = stemmer_for("en")
    assert stem("Officials") == stem("official")
    assert stem("running") == stem("runs")


def test_kazakh_case_and_plural_endings_are_stripped() -> None:
    assert kazakh_stem("Қазақстанның") == kazakh_stem("Қазақстанда") == "қазақстан"
    assert kazakh_stem("Астанада") == "астана"
    assert kazakh_stem("елдерде") == "ел"
    assert kazakh_stem("үкіметтің") == "үкімет"


def test_kazakh_short_roots_are_left_whole() -> None:
    assert kazakh_stem("да") == "да"
    assert kazakh_stem("мен") == "мен"


def test_unknown_languages_are_only_lower_cased() -> None:
    assert stemmer_for("de")("Häuser") == "häuser"


LETTERS = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "en": "abcdefghijklmnopqrstuvwxyz",
}


def words_of(language: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=LETTERS[language], min_size=1, max_size=20)


LANGUAGES_AND_WORDS = st.sampled_from(sorted(LETTERS)).flatmap(
    lambda language: st.tuples(st.just(language), words_of(language))
)


@given(LANGUAGES_AND_WORDS)
def test_a_headline_in_capitals_stems_like_running_text(language_and_word: tuple[str, str]) -> None:
    language, word = language_and_word
    stem = stemmer_for(language)
    assert stem(word.upper()) == stem(word.capitalize()) == stem(word)


@given(words_of("ru"))
def test_a_russian_stem_is_the_start_of_the_word_with_yo_as_e(word: str) -> None:
    assert word.lower().replace("ё", "е").startswith(stemmer_for("ru")(word))


@given(words_of("en"))
def test_an_english_stem_is_never_longer_than_the_word(word: str) -> None:
    assert len(stemmer_for("en")(word)) <= len(word)


@given(words_of("kk"))
def test_a_kazakh_ending_goes_only_when_a_root_with_a_vowel_remains(word: str) -> None:
    stem = kazakh_stem(word)

    assert word.lower().startswith(stem)
    if stem != word.lower():
        assert len(stem) >= 2 and any(char in "аәеиоөуұүыіэюя" for char in stem)
