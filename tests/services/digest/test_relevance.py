"""Relevance: where the query's words stand in an article, and listings known by their shape."""

from __future__ import annotations

from services.digest.relevance import (
    LEAD,
    PASSING,
    TITLE,
    ArticleProfile,
    is_listing,
    profile_article,
    query_terms,
)
from services.text.lemmas import default_lemmatizer
from services.topics.query import parse_query

ASTRONOMY_TITLE = "Астрономы впервые увидели рождение звезды в соседней галактике"
ASTRONOMY = (
    "Международная группа астрономов получила снимки молодой звезды в Большом Магеллановом"
    " Облаке, соседней с Млечным Путем галактике. Наблюдения вели на телескопе ALMA в Чили.\n"
    "Звезда окружена плотным диском, из которого, по мнению исследователей, со временем могут"
    " образоваться планеты. Такие диски прежде удавалось рассмотреть только в нашей"
    " Галактике, где условия для рождения звезд заметно отличаются.\n"
    "Авторы работы отмечают, что в соседней галактике меньше тяжелых элементов, а потому"
    " процесс идет иначе: облако газа и пыли сжимается медленнее, а излучение молодой звезды"
    " быстрее рассеивает вещество вокруг нее. Результаты опубликованы в журнале Nature.\n"
    "Следующий этап — наблюдения еще нескольких десятков молодых звезд, чтобы понять, насколько"
    " типичен найденный случай и как часто вокруг таких звезд возникают планеты."
)
OIL_TITLE = "Добыча нефти в России в апреле выросла до максимума за год"
OIL = (
    "Добыча нефти в России в апреле выросла на 2% к марту, сообщили источники в отрасли."
    " Компании нарастили добычу перед началом нового соглашения ОПЕК+.\n"
    "Экспорт газа при этом снизился из-за теплой погоды в Европе."
)
TV_LISTING = """Программа передач на субботу, 3 мая
06:00 Доброе утро. Суббота
09:00 Умницы и умники
10:00 Новости
10:15 Жизнь других
11:15 Видели видео?
14:00 Футбол. Чемпионат России. «Спартак» — ЦСКА. Прямая трансляция
16:00 Кто хочет стать миллионером?
18:00 Вечерние новости
19:00 Сегодня вечером
21:00 Время
21:20 Фильм «Москва слезам не верит»
"""
HOROSCOPE = """Гороскоп на 3 мая для всех знаков зодиака.
Овен. Вы встретитесь с человеком, который скоро станет вам близким.
Телец. Сконцентрируйтесь на тех, кого вы любите.
Близнецы. Не тратьте время на пустые споры.
Рак. Подумайте, тот ли путь вы выбрали.
Лев. Распоряжайтесь деньгами с умом.
Дева. Подумайте о новых источниках дохода.
Весы. Старый знакомый может сделать вам предложение.
Скорпион. Советы принимайте лишь от тех, кому доверяете.
"""
MATCH_REPORT = (
    "«Спартак» обыграл ЦСКА в московском дерби со счетом 2:1. Победный мяч на 89-й минуте"
    " забил Промес.\n"
    "Матч начался в 19:00 по московскому времени. Первый тайм остался за гостями, которые"
    " открыли счет на 30-й минуте.\n"
    "После перерыва хозяева сравняли счет, а в концовке вырвали победу. «Спартак» поднялся"
    " на третье место в таблице."
)


def profile(title: str, text: str) -> ArticleProfile:
    lemmatizer = default_lemmatizer()
    stored = lemmatizer.article(title, text).text()  # what the index stores
    return profile_article(title, text, stored, "ru", lemmatizer)


def relevance(query: str, title: str, text: str) -> float:
    return profile(title, text).relevance(query_terms(parse_query(query)))


def test_a_query_word_in_the_headline_is_the_highest_level() -> None:
    assert relevance("нефть OR газ", OIL_TITLE, OIL) == TITLE


def test_a_word_first_met_in_the_lead_counts_less_than_the_headline_but_more_than_the_body() -> (
    None
):
    assert relevance("ОПЕК", OIL_TITLE, OIL) == LEAD
    assert relevance("экспорт газа", OIL_TITLE, OIL) < LEAD


def test_one_passing_mention_deep_in_a_long_body_is_barely_relevant() -> None:
    assert relevance("нефть OR газ", ASTRONOMY_TITLE, ASTRONOMY) == PASSING


def test_a_body_that_keeps_coming_back_to_the_query_outranks_a_passing_mention() -> None:
    focused = relevance("планета", ASTRONOMY_TITLE, ASTRONOMY)  # twice in the body

    assert PASSING < focused < LEAD


def test_every_part_of_an_and_query_counts_and_a_missing_one_halves_it() -> None:
    both = relevance("нефть ОПЕК", OIL_TITLE, OIL)
    one = relevance("нефть Байконур", OIL_TITLE, OIL)

    assert both == (TITLE + LEAD) / 2
    assert one == (TITLE + 0.0) / 2 / 2


def test_excluded_words_are_not_looked_for() -> None:
    assert relevance("нефть -газ", OIL_TITLE, OIL) == TITLE


def test_a_tv_programme_is_a_listing_even_when_its_lines_name_the_query() -> None:
    listing = profile("Телепрограмма на субботу", TV_LISTING)

    assert listing.listing
    assert listing.relevance(query_terms(parse_query("футбол"))) > 0


def test_a_listing_flattened_into_one_paragraph_is_still_a_listing() -> None:
    assert is_listing(" ".join(TV_LISTING.splitlines()))


def test_a_horoscope_is_a_listing() -> None:
    assert is_listing(HOROSCOPE)


def test_a_match_report_with_a_score_and_a_kick_off_time_is_a_story() -> None:
    assert not is_listing(MATCH_REPORT)
    assert not is_listing(ASTRONOMY)
    assert not is_listing(OIL)


def test_without_stored_lemmas_the_article_is_lemmatised_and_judged_the_same() -> None:
    lemmatizer = default_lemmatizer()
    stored = profile(OIL_TITLE, OIL)
    fresh = profile_article(OIL_TITLE, OIL, None, "ru", lemmatizer)

    assert fresh == stored
