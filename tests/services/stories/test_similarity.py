"""The measurements of a pair: titles that fit each other in meaning, names that must match."""

from __future__ import annotations

import numpy as np

from services.stories.embeddings import word_vector
from services.stories.fingerprint import EventFingerprint
from services.stories.similarity import PairFeatures, name_conflict, title_coverage, title_fit


def even(_: str) -> float:
    return 1.0


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


def test_fit_is_averaged_over_both_directions() -> None:
    short = article(("лавров",), names=("лавров",))
    long = article(("лавров", "нуртлеу"), names=("лавров", "нуртлеу"))

    assert title_fit(short, long, even) == (1.0 + 0.5) / 2


def test_more_agreement_means_a_higher_probability() -> None:
    weak = PairFeatures(tfidf=0.2, title_fit=0.3, shared_figure=0.0, opening=0.2, name_conflict=1.0)
    strong = PairFeatures(
        tfidf=0.6, title_fit=0.8, shared_figure=1.0, opening=0.6, name_conflict=0.0
    )

    assert 0.0 < weak.probability() < 0.5 < strong.probability() < 1.0


def test_openings_that_retell_the_event_raise_the_probability() -> None:
    headlines_only = PairFeatures(
        tfidf=0.35, title_fit=0.5, shared_figure=0.0, opening=0.1, name_conflict=0.0
    )
    same_story_further_on = PairFeatures(
        tfidf=0.35, title_fit=0.5, shared_figure=0.0, opening=0.7, name_conflict=0.0
    )

    assert headlines_only.probability() < 0.5 < same_story_further_on.probability()


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
