"""Stop words for ru, en and kk."""

from __future__ import annotations

from services.text.stopwords import stop_words


def test_russian_and_english_lists_hold_function_words_and_no_news_words() -> None:
    assert {"и", "в", "что", "это", "еще", "ещё"} <= stop_words("ru")
    assert {"the", "and", "of", "was"} <= stop_words("en")
    assert not {"нефть", "президент", "oil", "president"} & (stop_words("ru") | stop_words("en"))


def test_kazakh_list_ships_with_the_package_without_comments() -> None:
    kazakh = stop_words("kk")
    assert {"және", "мен", "бұл", "үшін", "туралы", "бойынша"} <= kazakh
    assert not any(word.startswith("#") or " " in word for word in kazakh)
    assert "қазақстан" not in kazakh


def test_all_lists_are_lower_case_and_other_languages_have_none() -> None:
    for language in ("ru", "en", "kk"):
        assert all(word == word.lower() for word in stop_words(language))
    assert stop_words("de") == frozenset()
