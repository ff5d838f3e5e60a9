"""navec's Russian news vectors, read from the archive natasha ships, as navec itself reads them."""

from __future__ import annotations

import numpy as np
from navec import Navec

from services.stories import embeddings
from services.stories.embeddings import word_vector


def test_the_vectors_are_navecs_own_for_the_words_kept() -> None:
    navec = Navec.load(str(embeddings.archive_path()))
    kept = navec.vocab.top(embeddings.VOCABULARY)

    for word in ("лекарство", "москва", "переговоры", kept[0], kept[-1]):
        own = np.asarray(navec[word], dtype=np.float32)
        vector = word_vector(word)
        assert vector is not None, word
        assert np.allclose(vector, own / np.linalg.norm(own), atol=1e-6), word


def test_only_the_most_frequent_words_are_kept() -> None:
    navec = Navec.load(str(embeddings.archive_path()))
    rare = navec.vocab.top()[embeddings.VOCABULARY]

    assert rare in navec
    assert word_vector(rare) is None


def test_a_matrix_of_words_holds_each_words_vector_and_nothing_for_an_unknown_one() -> None:
    words = ("лекарство", "щфыврлджэ", "препарат")

    matrix = embeddings.word_matrix(words)

    medicine, drugs = word_vector("лекарство"), word_vector("препарат")
    assert medicine is not None and drugs is not None
    assert matrix.shape == (3, medicine.size)
    assert np.allclose(matrix[0], medicine) and np.allclose(matrix[2], drugs)
    assert not matrix[1].any()
