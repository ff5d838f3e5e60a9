"""The measurements of a pair: titles that fit each other in meaning, names that must match."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from services.stories.embeddings import word_vector
from services.stories.fingerprint import EventFingerprint, fingerprint
from services.stories.similarity import (
    PairFeatures,
    closest_sentences,
    judge,
    name_conflict,
    opening_cosine,
    opening_meaning,
    pair_features,
    title_coverage,
    title_fit,
    title_predicate,
)
from services.text.lemmas import default_lemmatizer


def even(_: str) -> float:
    return 1.0


def told(title: str, text: str) -> EventFingerprint:
    return fingerprint(title, text, "ru", default_lemmatizer())


def article(
    title: tuple[str, ...], lead: tuple[str, ...] = (), names: tuple[str, ...] = ()
) -> EventFingerprint:
    return EventFingerprint("ru", title, lead, frozenset(names), frozenset())


def test_word_vectors_place_near_synonyms_close_and_unrelated_words_apart() -> None:
    medicine, drugs, football = (
        word_vector("лекарство"),
        word_vector("препарат"),
        word_vector("футбол"),
    )

    assert medicine is not None and drugs is not None and football is not None
    assert abs(float(np.linalg.norm(medicine)) - 1.0) < 1e-5
    assert float(medicine @ drugs) > 0.5 > float(medicine @ football)


def test_an_unknown_word_has_no_vector() -> None:
    assert word_vector("щфыврлджэ") is None


def test_a_title_retold_with_near_synonyms_fits_the_other_article() -> None:
    told = article(("цена", "лекарство"))
    retold = article(("стоимость", "препарат"), lead=("стоимость", "препарат", "вырасти"))

    by_meaning = title_coverage(told, retold, even, by_meaning=True)
    by_words = title_coverage(told, retold, even, by_meaning=False)

    assert by_words == 0.0
    assert by_meaning > 0.5


def test_a_name_fits_only_the_same_name() -> None:
    with_nurtleu = article(("лавров", "нуртлеу"), names=("лавров", "нуртлеу"))
    with_saidov = article(("лавров", "саидов"), names=("лавров", "саидов"))

    assert title_coverage(with_nurtleu, with_saidov, even, by_meaning=True) == 0.5


def test_the_title_that_fits_worse_decides_the_fit() -> None:
    short = article(("лавров",), names=("лавров",))
    long = article(("лавров", "нуртлеу"), names=("лавров", "нуртлеу"))

    assert title_fit(short, long, even) == 0.5  # "Лавров" fits fully, "Лавров и Нуртлеу" half


def test_more_agreement_means_a_higher_probability() -> None:
    weak = PairFeatures(
        title_fit=0.3,
        shared_figure=0.0,
        opening=0.2,
        closest_sentences=0.3,
        opening_meaning=0.3,
        title_predicate=0.5,
    )
    strong = PairFeatures(
        title_fit=0.8,
        shared_figure=1.0,
        opening=0.6,
        closest_sentences=0.8,
        opening_meaning=0.7,
        title_predicate=0.5,
    )

    assert 0.0 < weak.probability() < 0.5 < strong.probability() < 1.0


def test_openings_that_retell_the_event_raise_the_probability() -> None:
    headlines_only = PairFeatures(
        title_fit=0.5,
        shared_figure=0.0,
        opening=0.1,
        closest_sentences=0.2,
        opening_meaning=0.2,
        title_predicate=0.5,
    )
    same_story_further_on = PairFeatures(
        title_fit=0.5,
        shared_figure=0.0,
        opening=0.5,
        closest_sentences=0.7,
        opening_meaning=0.6,
        title_predicate=0.5,
    )

    assert headlines_only.probability() < 0.5 < same_story_further_on.probability()


def test_titles_naming_different_people_are_never_one_event_however_alike_the_rest() -> None:
    alike = PairFeatures(
        title_fit=1.0,
        shared_figure=1.0,
        opening=1.0,
        closest_sentences=1.0,
        opening_meaning=1.0,
        title_predicate=0.5,
    )

    assert alike.probability() > 0.99
    assert replace(alike, name_conflict=True).probability() == 0.0


def test_the_closest_sentences_find_one_fact_told_in_different_places() -> None:
    first = told(
        "Рубль укрепился к доллару",
        "Курс рубля вырос на открытии торгов. Центробанк повысил ключевую ставку до 18% годовых."
        " Аналитики ждут продолжения роста.",
    )
    second = told(
        "Регулятор ужесточил денежную политику",
        "Участники рынка обсуждают решение. Центробанк повысил ключевую ставку до 18% годовых,"
        " сообщает пресс-служба.",
    )

    assert closest_sentences(first, second, even) > 0.8
    assert closest_sentences(first, second, even) > opening_cosine(first, second, even)


def test_two_stock_phrases_alike_are_no_closest_sentence() -> None:
    first = told("Уран подорожал на бирже", "Уран подорожал на бирже. Подробности позже.")
    second = told("Новый рудник урана открыт", "Новый рудник урана открыт. Подробности позже.")

    assert closest_sentences(first, second, even) < 0.5


def test_the_opening_retold_in_near_synonyms_means_the_same() -> None:
    first = told("Цены на лекарства выросли", "Стоимость лекарств в аптеках выросла на 10%.")
    second = told("Препараты подорожали", "Цена препаратов в аптеках поднялась на 10%.")
    by_words = replace(first, language="en"), replace(second, language="en")

    assert opening_meaning(first, second, even) > opening_meaning(*by_words, even) + 0.2


def test_a_title_whose_verb_the_other_article_never_tells_is_another_event() -> None:
    hospitalised = told(
        "Актриса Васильева госпитализирована с пневмонией",
        "Актрису Татьяну Васильеву доставили в больницу с пневмонией.",
    )
    diagnosed = told(
        "Васильева заразилась коронавирусом",
        "У актрисы Татьяны Васильевой подтвердили коронавирус.",
    )
    retold = told(
        "Васильеву госпитализировали с пневмонией",
        "Татьяну Васильеву доставили в больницу.",
    )

    assert hospitalised.verbs == ("госпитализировать",)
    assert title_predicate(hospitalised, retold) > 0.9  # said exactly
    assert title_predicate(hospitalised, diagnosed) < title_predicate(hospitalised, retold)
    assert title_predicate(told("Итоги недели", "Неделя."), told("Погода", "Тепло.")) == 0.5


def test_judging_skips_a_pair_that_cannot_reach_the_bar_and_measures_one_that_can() -> None:
    first = told("Лавров провел переговоры с Нуртлеу", "Министры обсудили визит Токаева.")
    retold = told("Лавров и Нуртлеу провели переговоры", "Министры обсудили визит Токаева.")
    unrelated = told("Рыбакина вышла в финал", "Теннисистка обыграла соперницу.")

    measured = judge(first, retold, even, even, floor=0.5)

    assert measured is not None and measured == pair_features(first, retold, even, even)
    assert judge(first, unrelated, even, even, floor=0.5) is None
    assert pair_features(first, unrelated, even, even).probability() < 0.5


def test_two_matches_whose_titles_each_name_a_player_the_other_never_mentions_conflict() -> None:
    final = article(
        ("карлсен", "обыграть", "накамура", "финал"),
        ("норвежец", "карлсен", "победить", "накамура"),
        names=("карлсен", "накамура"),
    )
    semifinal = article(
        ("накамура", "обыграть", "каруана"),
        ("накамура", "победить", "каруана", "полуфинал"),
        names=("накамура", "каруана"),
    )

    assert name_conflict(final, semifinal)


def test_a_name_the_other_article_mentions_only_further_on_is_no_conflict() -> None:
    short = article(("карлсен", "выиграть", "турнир"), names=("карлсен",))
    retold = EventFingerprint(
        "ru",
        ("норвежец", "выиграть", "турнир", "накамура"),
        ("чемпион", "мир", "победить"),
        frozenset({"накамура"}),
        frozenset(),
        ("норвежец", "выиграть", "турнир", "магнус", "карлсен", "победить", "накамура"),
    )

    assert not name_conflict(short, retold)


def test_an_abbreviation_spelled_out_by_the_other_article_is_no_conflict() -> None:
    ministry = article(("мид", "казахстан", "нуртлеу"), names=("мид", "казахстан", "нуртлеу"))
    spelled_out = article(
        ("нуртлеу", "мурат", "москва"),
        ("глава", "внешнеполитический", "ведомство", "казахстан"),
        names=("нуртлеу", "мурат", "москва", "казахстан"),
    )

    assert not name_conflict(ministry, spelled_out)
