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


@given(st.text(max_size=40), st.sampled_from(["ru", "en", "kk"]))
def test_stemming_any_string_gives_a_string(word: str, language: str) -> None:
    assert isinstance(stemmer_for(language)(word), str)
