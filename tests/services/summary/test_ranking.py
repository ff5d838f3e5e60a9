"""The news ranking: position prior × centrality, and MMR against repetition."""

from __future__ import annotations

import numpy as np

from services.summary.ranking import (
    gram,
    mmr_order,
    news_scores,
    position_prior,
    similarity_matrix,
)


def test_the_prior_falls_with_position() -> None:
    prior = position_prior(4)
    assert list(prior) == [1.0, 0.5, 1 / 3, 0.25]


def test_centrality_decides_between_neighbours_but_cannot_lift_a_late_sentence_over_the_lead() -> (
    None
):
    scores = news_scores([0.0, 1.0, 0.0, 0.0, 1.0])
    assert scores[1] == scores[0]  # the most central second sentence ties with a plain lead
    assert scores[4] < scores[0]
    assert scores[1] > scores[2]


def test_a_title_adds_relevance_to_centrality() -> None:
    without = news_scores([1.0, 1.0, 1.0])
    with_title = news_scores([1.0, 1.0, 1.0], relevance=[0.0, 0.0, 1.0])
    assert with_title[2] / with_title[0] > without[2] / without[0]


def test_odd_centrality_values_give_finite_scores() -> None:
    scores = news_scores([float("nan"), -1.0, 0.0])
    assert np.all(np.isfinite(scores))
    assert len(news_scores([])) == 0


def test_similarity_is_one_for_the_same_words_and_zero_for_none_in_common() -> None:
    similarity = similarity_matrix([["нефть", "утечка"], ["нефть", "утечка"], ["выборы"], []])
    assert similarity[0, 1] == np.float64(1.0) or abs(similarity[0, 1] - 1.0) < 1e-9
    assert similarity[0, 2] == 0.0
    assert similarity[3, 3] == 0.0


def test_mmr_skips_a_repetition_of_what_it_already_picked() -> None:
    similarity = similarity_matrix([["a", "b"], ["a", "b"], ["c", "d"]])
    assert mmr_order([1.0, 0.9, 0.5], similarity, 2) == [0, 2]
    assert mmr_order([1.0, 0.9, 0.5], None, 2) == [0, 1]


def test_mmr_prefers_the_earlier_of_equal_sentences_and_respects_the_limit() -> None:
    assert mmr_order([0.5, 0.5, 0.5], None, 2) == [0, 1]
    assert mmr_order([], None, 3) == []


def test_gram_equals_the_matrix_product() -> None:
    rng = np.random.default_rng(7)
    matrix = (rng.random((30, 80)) < 0.1) * rng.integers(1, 4, (30, 80)).astype(np.float64)
    assert np.allclose(gram(matrix), matrix @ matrix.T)
    assert gram(np.zeros((3, 0))).shape == (3, 3)
