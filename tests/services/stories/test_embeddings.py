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
