"""Every reason services/topics/query.py gives for a bad query is put into words in ru, en and kk."""

from __future__ import annotations

import re

import pytest

from bot.i18n import build_i18n
from handlers.query_errors import QUERY_ERRORS, UNKNOWN_ERROR, query_error_text
from services.topics.query import ERROR_MESSAGES, QueryError, parse_query

FIELD = re.compile(r"\{(\w+)\}")


def test_every_error_code_has_a_text_with_the_same_parameters() -> None:
    assert set(QUERY_ERRORS) == set(ERROR_MESSAGES)
    for code, text in QUERY_ERRORS.items():
        assert set(FIELD.findall(text)) == set(FIELD.findall(ERROR_MESSAGES[code])), code


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ('"Токаев', "ru", "Кавычка не закрыта."),
        ("-спорт", "en", "The query only excludes words; say what to look for too."),
        ("x " * 30, "kk", "Сұрауда 20 сөзден көп."),
        ("@Марс", "en", "There is no alias group @марс"),
    ],
)
def test_a_bad_query_is_explained_in_the_chats_language(
    query: str, language: str, expected: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    i18n = build_i18n()

    with i18n.context(), i18n.use_locale(language):
        text = query_error_text(caught.value.code, caught.value.params)

    assert text.casefold().startswith(expected.casefold())


def test_parameters_are_escaped_and_an_unknown_code_still_answers() -> None:
    i18n = build_i18n()
    with i18n.context(), i18n.use_locale("en"):
        assert "&lt;b&gt;" in query_error_text("misplaced_operator", {"operator": "<b>"})
        assert query_error_text("no_such_code", {}) == UNKNOWN_ERROR
        assert query_error_text("too_long", {}) == UNKNOWN_ERROR
