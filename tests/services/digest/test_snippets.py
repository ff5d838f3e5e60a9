"""Snippets: the summary shown under a topic names the query, its words in bold."""

from __future__ import annotations

from bot.demo.telegram_html import parse_html
from services.digest.snippets import emphasize, snippet
from services.text.lemmas import default_lemmatizer
from services.topics.query import parse_query

BUDGET_TEXT = (
    "Правительство внесло в мажилис поправки в республиканский бюджет на 2026 год. Расходы"
    " увеличатся на 1,2 трлн тенге.\n"
    "Основная часть средств пойдет на строительство дорог и модернизацию больниц. Еще 300 млрд"
    " тенге направят на индексацию пенсий и пособий с 1 июля.\n"
    "Дефицит бюджета, по оценке Минфина, составит 2,7% ВВП."
)
BUDGET_SUMMARY = [
    "Правительство внесло в мажилис поправки в республиканский бюджет на 2026 год.",
    "Расходы увеличатся на 1,2 трлн тенге.",
]


def lemmas(query: str) -> frozenset[str]:
    return parse_query(query).wanted_lemmas()


def test_a_summary_that_names_the_query_is_shown_as_it_is_with_the_word_marked() -> None:
    found = snippet(
        BUDGET_SUMMARY,
        BUDGET_TEXT,
        lemmas("бюджет"),
        language="ru",
        sentences=2,
        lemmatizer=default_lemmatizer(),
    )

    assert found.from_summary
    assert found.sentences == tuple(BUDGET_SUMMARY)
    assert found.highlights == ("бюджет",)


def test_a_summary_without_the_query_gives_way_to_the_first_sentence_of_the_text_that_names_it() -> (
    None
):
    found = snippet(
        BUDGET_SUMMARY,
        BUDGET_TEXT,
        lemmas("пенсии"),
        language="ru",
        sentences=2,
        lemmatizer=default_lemmatizer(),
    )

    assert not found.from_summary
    assert found.sentences == (
        "Еще 300 млрд тенге направят на индексацию пенсий и пособий с 1 июля.",
    )
    assert found.highlights == ("пенсий",)


def test_a_stored_summary_sentence_beyond_the_readers_length_comes_before_the_text() -> None:
    summary = [*BUDGET_SUMMARY, "Дефицит бюджета, по оценке Минфина, составит 2,7% ВВП."]

    found = snippet(
        summary,
        BUDGET_TEXT,
        lemmas("дефицит"),
        language="ru",
        sentences=1,
        lemmatizer=default_lemmatizer(),
    )

    assert found.sentences == ("Дефицит бюджета, по оценке Минфина, составит 2,7% ВВП.",)


def test_when_no_whole_sentence_names_the_query_the_summary_stays() -> None:
    found = snippet(
        BUDGET_SUMMARY,
        BUDGET_TEXT,
        lemmas("Байконур"),
        language="ru",
        sentences=2,
        lemmatizer=default_lemmatizer(),
    )

    assert found.sentences == tuple(BUDGET_SUMMARY) and found.highlights == ()


def test_marked_words_are_bold_whole_words_in_valid_telegram_html() -> None:
    text = "Пенсии & пособия <выше>: пенсионеры ждут индексации пенсий."

    marked = emphasize(text, ("Пенсии", "пенсий"))
    parsed = parse_html(marked)

    assert parsed.text == text
    bold = [parsed.text[e["offset"] : e["offset"] + e["length"]] for e in parsed.entities]
    assert bold == ["Пенсии", "пенсий"]
    assert all(entity["type"] == "bold" for entity in parsed.entities)


def test_a_full_stop_inside_a_quotation_does_not_end_the_sentence() -> None:
    text = (
        "Спрос на льготную ипотеку вырос вдвое. Об этом вице-премьер рассказал в программе"
        " «Москва. Кремль. Путин» на телеканале «Россия 1»."
    )

    found = snippet(
        ["Спрос на льготную ипотеку вырос вдвое."],
        text,
        lemmas("Путин"),
        language="ru",
        sentences=1,
        lemmatizer=default_lemmatizer(),
    )

    assert found.sentences == (
        "Об этом вице-премьер рассказал в программе «Москва. Кремль. Путин» на телеканале"
        " «Россия 1».",
    )
    assert found.highlights == ("Путин",)


def test_a_fragment_or_a_caption_is_never_a_snippet() -> None:
    text = (
        "Об этом он рассказал в программе «Москва. Кремль.\n"
        "Путин» на телеканале «Россия 1».\n"
        "Фото: пресс-служба Кремля\n"
        "Президент Владимир Путин поручил продлить льготную ипотеку до конца года."
    )

    found = snippet(
        ["Спрос на жилье в апреле упал на 40%."],
        text,
        lemmas("Путин"),
        language="ru",
        sentences=3,
        lemmatizer=default_lemmatizer(),
    )

    assert found.sentences == (
        "Президент Владимир Путин поручил продлить льготную ипотеку до конца года.",
    )
