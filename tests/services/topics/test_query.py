"""The search-box query language: what people type, what it finds, and how it says no."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.storage.database import migrations
from services.text.lemmas import ArticleLemmas, default_lemmatizer
from services.topics.query import (
    ERROR_MESSAGES,
    MAX_LENGTH,
    MAX_NESTING,
    MAX_TERMS,
    AliasGroup,
    Query,
    QueryError,
    build_groups,
    parse_query,
)

GROUPS = build_groups(
    {
        "Kazakhstan": [
            "Казахстан",
            "РК",
            "Нур-Султан",
            "Токаев",
            "Касым-Жомарт Токаев",
            "Қазақстан",
            "Kazakhstan",
        ],
        "Russia": ["Россия", "Москва", "Путин", "Ресей", "Russia", "Moscow"],
    }
)

# (title, text, language): a small newsroom to run queries against.
ARTICLES: list[tuple[str, str, str]] = [
    (
        "Токаев и Путин обсудили торговлю",
        "Президент Казахстана Касым-Жомарт Токаев провёл переговоры с Владимиром Путиным в "
        "Москве. Обсуждалось казахстанско-российское сотрудничество.\nТоварооборот вырос.",
        "ru",
    ),
    (
        "Россия и Украина провели переговоры в Стамбуле",
        "Делегации России и Украины встретились в Стамбуле. Москва настаивает на своих "
        "условиях.\nПосредниками готовы выступить Турция, ОАЭ и Казахстан. Москва ждёт ответа.",
        "ru",
    ),
    (
        "Нефть дорожает",
        "Цены на нефть выросли на фоне решения ОПЕК+. Газ подешевел.\nАналитики ждут "
        "дальнейшего роста цен на нефть и газ.",
        "ru",
    ),
    (
        "Тоқаев Мәскеуге барды",
        "Қазақстан Президенті Тоқаев Ресейге ресми сапармен барды. Нұр-Сұлтанда келіссөздер өтті.",
        "kk",
    ),
    (
        "Kazakhstan and Russia sign a gas deal",
        "Kazakhstan's government signed a gas supply deal with Russia in Moscow.\nThe deal "
        "covers ten years.",
        "en",
    ),
    (
        "Погода в Алматы",
        "В Алматы ожидается снег. Министр по чрезвычайным ситуациям предупредил водителей.",
        "ru",
    ),
]


@pytest.fixture(scope="module")
def documents() -> list[ArticleLemmas]:
    lemmatizer = default_lemmatizer()
    return [lemmatizer.article(title, text, lang) for title, text, lang in ARTICLES]


@pytest.fixture(scope="module")
def index(
    tmp_path_factory: pytest.TempPathFactory, documents: list[ArticleLemmas]
) -> Iterator[sqlite3.Connection]:
    """The project's real schema (every migration) in a file, with ARTICLES indexed."""
    path: Path = tmp_path_factory.mktemp("fts") / "index.db"
    conn = sqlite3.connect(path)
    for _, _, sql in migrations():
        conn.executescript(sql)
    for rowid, doc in enumerate(documents, 1):
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
            (rowid, *(" ".join(field) for field in doc.fields())),
        )
    conn.commit()
    yield conn
    conn.close()


def run_fts(conn: sqlite3.Connection, query: Query) -> list[int]:
    rows = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
        (query.fts(),),
    ).fetchall()
    return [row[0] for row in rows]


def run_memory(documents: list[ArticleLemmas], query: Query, *, focus: bool) -> list[int]:
    return [rowid for rowid, doc in enumerate(documents, 1) if query.matches(doc, focus=focus)]


def found(conn: sqlite3.Connection, text: str) -> list[int]:
    return run_fts(conn, parse_query(text, GROUPS))


def about(text: str, title: str, lead: str, body: str) -> bool:
    """Whether a story (given as plain Russian text) is about the query."""
    lemmas = default_lemmatizer()
    article = ArticleLemmas.build(lemmas.lemmas(title), lemmas.lemmas(lead), lemmas.lemmas(body))
    return parse_query(text, GROUPS).matches(article, focus=True)


def error_of(text: str, groups: dict[str, AliasGroup] | None = None) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(text, GROUPS if groups is None else groups)
    return caught.value


# -- what queries find --------------------------------------------------------------------


def test_words_must_all_appear_in_any_inflection(index: sqlite3.Connection) -> None:
    assert found(index, "Казахстан Путин") == [1]
    assert found(index, "Казахстаном Россией") == [1, 2]


def test_a_country_finds_its_adjective_in_a_compound(index: sqlite3.Connection) -> None:
    assert 1 in found(index, "Россия")
    assert found(index, "российский казахстанский") == [1]


def test_or_and_the_bar_offer_alternatives_in_any_letter_case(index: sqlite3.Connection) -> None:
    assert found(index, "Стамбул OR нефть") == found(index, "Стамбул | нефть") == [2, 3]
    assert found(index, "Стамбул или нефть") == found(index, "стамбул ИЛИ нефть") == [2, 3]


def test_a_quoted_phrase_needs_its_words_in_order(index: sqlite3.Connection) -> None:
    assert found(index, '"Касым-Жомарт Токаев"') == [1]
    assert found(index, '"Токаев Касым-Жомарт"') == []
    assert found(index, "«нефть и газ»") == [3]


def test_a_hyphenated_name_is_a_phrase(index: sqlite3.Connection) -> None:
    assert found(index, "Нур-Султан") == [4]


def test_minus_and_not_exclude(index: sqlite3.Connection) -> None:
    assert found(index, "(Москва | Moscow)") == [1, 2, 5]
    assert found(index, "(Москва | Moscow) -Стамбул") == [1, 5]
    assert found(index, "(Москва | Moscow) NOT Стамбул") == [1, 5]
    assert found(index, "(Москва | Moscow) -(Стамбул OR gas)") == [1]


def test_parentheses_group_alternatives(index: sqlite3.Connection) -> None:
    assert found(index, "(Путин | Стамбул) переговоры") == [1, 2]


def test_function_words_are_ignored_unless_quoted(index: sqlite3.Connection) -> None:
    assert str(parse_query("нефть и газ")) == "нефть газ"
    assert found(index, "нефть и газ") == [3]
    assert found(index, '"министр по чрезвычайным"') == [6]


def test_alias_groups_are_named_with_an_at_sign_in_any_case(index: sqlite3.Connection) -> None:
    assert found(index, "@Kazakhstan @Russia") == [1, 2, 4, 5]
    assert found(index, "@kazakhstan @RUSSIA") == found(index, "@Kazakhstan @Russia")


def test_kazakh_text_is_found_by_a_russian_spelling(index: sqlite3.Connection) -> None:
    assert found(index, "Токаев") == [1, 4]
    assert found(index, "Қазақстан Ресей") == [4]


def test_english_queries_find_english_inflections(index: sqlite3.Connection) -> None:
    assert found(index, "Kazakhstan deals") == [5]


def test_focus_asks_what_an_article_is_about(
    index: sqlite3.Connection, documents: list[ArticleLemmas]
) -> None:
    # Article 2 names Kazakhstan once in a list near the end: a mention, not its subject;
    # Moscow comes back in its body, so the story is about Moscow too.
    query = parse_query("Казахстан")
    assert found(index, "Казахстан") == run_memory(documents, query, focus=False) == [1, 2]
    assert run_memory(documents, query, focus=True) == [1]
    assert 2 in run_memory(documents, parse_query("Москва"), focus=True)


BODY = "Стороны обсудили транспорт, торговлю и образование, а также подготовку к встрече."


def test_a_concept_named_in_the_headline_or_lead_is_the_subject() -> None:
    assert about("Казахстан", "Инфляция в Казахстане замедлилась", "Цены росли медленнее.", BODY)
    assert about("Казахстан", "Инфляция замедлилась", "Цены в Казахстане росли медленнее.", BODY)


def test_mentions_count_by_concept_not_by_word() -> None:
    body = BODY + " Токаев выступил. Затем слово взял глава МИД, а Казахстан подписал соглашение."
    assert about("@Kazakhstan", "Заседание", "Совет собрался.", body)
    assert not about("Токаев", "Заседание", "Совет собрался.", body)


def test_a_body_mention_counts_from_the_second_one() -> None:
    once = BODY + " Участники: Турция, ОАЭ и Казахстан."
    assert not about("Казахстан", "Переговоры", "Делегации встретились.", once)
    twice = once + " Следующую встречу готов принять Казахстан."
    assert about("Казахстан", "Переговоры", "Делегации встретились.", twice)


def test_a_name_written_in_full_is_one_mention_not_several() -> None:
    body = BODY + " Касым-Жомарт Токаев выступил."
    assert not about("@Kazakhstan", "Заседание", "Совет собрался.", body)
    assert about("@Kazakhstan", "Заседание", "Совет собрался.", body + " Токаев ушёл.")


def test_with_focus_an_exclusion_removes_only_stories_about_it() -> None:
    body = BODY + " Переговоры прошли в Москве. Упомянули и Стамбул."
    assert about("Москва -Стамбул", "Москва принимает гостей", "Гости прибыли.", body)
    assert not about("Москва -Стамбул", "Москва и Стамбул", "Гости прибыли.", body)


def test_in_focus_a_phrase_is_one_concept() -> None:
    once = BODY + " В Нур-Султане прошла встреча."
    assert not about("Нур-Султан", "Новости", "Коротко.", once)
    assert about("Нур-Султан", "Новости", "Коротко.", once + " Нур-Султан готовится к форуму.")


def test_a_query_echoes_back_in_canonical_form() -> None:
    query = parse_query('  Казахстан  |нефть  -"Нур-Султан"   (газ OR уголь) @kazakhstan', GROUPS)
    assert str(query) == 'Казахстан OR (нефть (газ OR уголь) @Kazakhstan -"Нур-Султан")'


def test_redundant_parentheses_disappear() -> None:
    assert str(parse_query("((((нефть))))")) == "нефть"


# -- how queries say no -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "* : ?", "и в на", "()", '""', "-и"])
def test_a_query_without_words_is_empty(text: str) -> None:
    assert error_of(text).code == "empty"


def test_a_query_over_the_length_limit_is_refused_with_the_limit() -> None:
    error = error_of("а" * (MAX_LENGTH + 1))
    assert (error.code, error.params) == ("too_long", {"max": MAX_LENGTH, "length": MAX_LENGTH + 1})
    parse_query(" ".join(["нефть"] * 20)[:MAX_LENGTH])


def test_more_than_twenty_words_are_refused_with_the_count() -> None:
    error = error_of(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    assert (error.code, error.params) == (
        "too_many_terms",
        {"max": MAX_TERMS, "count": MAX_TERMS + 1},
    )
    parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS)))


def test_an_unclosed_quote_is_refused_with_its_position() -> None:
    error = error_of('нефть "газ уголь')
    assert (error.code, error.params) == ("unbalanced_quote", {"position": 6})
    assert error_of("нефть » газ").code == "unbalanced_quote"


@pytest.mark.parametrize("text", ["(нефть газ", "нефть) газ", "((нефть)"])
def test_unbalanced_parentheses_are_refused(text: str) -> None:
    assert error_of(text).code == "unbalanced_parenthesis"


def test_deep_nesting_is_refused() -> None:
    text = "(" * (MAX_NESTING + 1) + "нефть" + ")" * (MAX_NESTING + 1)
    assert error_of(text).code == "too_nested"


@pytest.mark.parametrize(
    ("text", "operator"),
    [("OR нефть", "OR"), ("нефть OR", "OR"), ("нефть | | газ", "|"), ("нефть -|газ", "-")],
)
def test_an_operator_without_its_words_is_refused(text: str, operator: str) -> None:
    error = error_of(text)
    assert error.code == "misplaced_operator"
    assert str(error.params["operator"]) in ("OR", "|", operator)


@pytest.mark.parametrize("text", ["-нефть", "-нефть -газ", "NOT нефть", "нефть OR -газ"])
def test_exclusions_alone_are_refused(text: str) -> None:
    assert error_of(text).code == "exclusions_only"


def test_an_unknown_group_is_refused_with_the_known_ones() -> None:
    error = error_of("@Mars")
    assert error.code == "unknown_group"
    assert error.params == {"name": "Mars", "known": "@Kazakhstan, @Russia"}


def test_every_error_has_an_english_message() -> None:
    for code in ERROR_MESSAGES:
        assert QueryError(
            code, max=1, length=2, count=3, position=4, operator="OR", name="x", known="y"
        ).message()
    assert "200" in error_of("x" * 201).message()


def test_a_dash_between_words_is_punctuation_not_exclusion(index: sqlite3.Connection) -> None:
    assert found(index, "Казахстан - Россия") == found(index, "Казахстан Россия")


@pytest.mark.parametrize(
    "text",
    [
        '" OR 1=1 --',
        "'; DROP TABLE articles; --",
        "NEAR(нефть газ, 2)",
        "нефть* газ^",
        "title:нефть {body}: газ",
        "нефть AND газ",
        "нефть + газ",
        "col:(a OR b)",
    ],
)
def test_fts_and_sql_syntax_in_a_query_is_only_text(
    index: sqlite3.Connection, documents: list[ArticleLemmas], text: str
) -> None:
    check(text, index, documents, same=True)


def test_no_user_text_reaches_fts_outside_quotes() -> None:
    query = parse_query('NEAR(a b) "c d" -e* title:f (g | h) {body}:i', GROUPS)
    bare = re.sub(r'"[^"]*"', " ", query.fts())
    assert set(re.findall(r"\w+", bare)) <= {"AND", "OR", "NOT", "title", "lead", "body"}


def test_build_groups_refuses_an_entry_without_words() -> None:
    with pytest.raises(QueryError):
        build_groups({"Empty": ["*"]})


# -- properties ---------------------------------------------------------------------------

VOCABULARY = [
    "Казахстан",
    "Казахстана",
    "России",
    "Путин",
    "Токаев",
    "Тоқаев",
    "Ресей",
    "нефть",
    "газ",
    "Москва",
    "Стамбул",
    "переговоры",
    "Kazakhstan",
    "gas",
    "deal",
    "и",
    "в",
    "или",
    "Нур-Султан",
    "казахстанско-российский",
    "Алматы",
    "снег",
]
SYNTAX = [
    "OR",
    "or",
    "|",
    "-",
    "NOT",
    "AND",
    "NEAR",
    "*",
    ":",
    "^",
    "+",
    "(",
    ")",
    '"',
    "«",
    "»",
    "“",
    "”",
    "@Kazakhstan",
    "@russia",
    "@Mars",
    "@",
    "{title}",
    "title:",
    "'",
    ";",
    "--",
    "DROP",
    "TABLE",
    "1=1",
    "\\",
    "\x00",
]
realistic = st.lists(st.sampled_from(VOCABULARY + SYNTAX), max_size=14).flatmap(
    lambda parts: st.sampled_from([" ".join(parts), "".join(parts)])
)


def check(
    text: str, conn: sqlite3.Connection, documents: list[ArticleLemmas], *, same: bool
) -> None:
    try:
        query = parse_query(text, GROUPS)
    except QueryError as error:
        assert error.code in ERROR_MESSAGES
        assert error.message()
        return
    from_fts = run_fts(conn, query)  # never an sqlite3 error
    about_it = run_memory(documents, query, focus=True)  # never an exception either
    assert set(about_it) <= set(run_memory(documents, query, focus=False))
    if same:
        assert from_fts == run_memory(documents, query, focus=False)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=220))
def test_any_string_is_a_query_or_a_clear_error_and_never_an_fts_error(
    text: str, index: sqlite3.Connection, documents: list[ArticleLemmas]
) -> None:
    check(text, index, documents, same=False)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=realistic)
def test_fts_and_the_in_memory_matcher_agree_on_every_query(
    text: str, index: sqlite3.Connection, documents: list[ArticleLemmas]
) -> None:
    check(text, index, documents, same=True)
