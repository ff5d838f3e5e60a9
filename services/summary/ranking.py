"""The news ranking: which sentences of an article make the best short summary of it.

A news article is written as an inverted pyramid: the lead states the news, later
paragraphs add detail, background and quotes. Centrality (how much of the article a
sentence echoes) finds the sentences about the main story but cannot tell news from
background; position can. So a sentence's worth is a prior that falls with its position,
1 / (i + 1), at most doubled by its centrality:

    worth(i) = (1 + centrality(i)) / (i + 1),   centrality scaled to 0..1

so centrality decides between neighbouring sentences but cannot lift a late quote over
the lead. Centrality is sumy's TextRank, whose edge weights divide word overlap by the
log-lengths of both sentences: long sentences do not win by length alone. A title, when
known, counts as a second opinion on centrality (similarity to the headline).

A summary must not say the same thing twice, so sentences are picked greedily by maximal
marginal relevance (MMR): each pick is the best remaining sentence after a penalty for its
TF-IDF similarity to those already picked.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "REDUNDANCY_WEIGHT",
    "mmr_order",
    "news_scores",
    "position_prior",
    "gram",
    "similarity_matrix",
]

REDUNDANCY_WEIGHT = 0.3
"""MMR's trade-off: the share of a candidate's worth given to not repeating the summary."""

FloatArray = NDArray[np.float64]


def position_prior(count: int) -> FloatArray:
    """How likely the i-th sentence of a news text is to carry its news: 1 / (i + 1)."""
    return 1.0 / np.arange(1, count + 1, dtype=np.float64)


def news_scores(
    centrality: Sequence[float], *, relevance: Sequence[float] | None = None
) -> FloatArray:
    """Each sentence's worth: (1 + centrality, scaled to 0..1) × position prior."""
    count = len(centrality)
    if count == 0:
        return np.zeros(0)
    central = np.clip(np.nan_to_num(np.asarray(centrality, dtype=np.float64)), 0.0, None)
    peak = float(central.max())
    central = central / peak if peak > 0 else np.zeros(count)
    if relevance is not None and len(relevance) == count:
        central = (central + np.clip(np.asarray(relevance, dtype=np.float64), 0.0, 1.0)) / 2
    return (1.0 + central) * position_prior(count)


def similarity_matrix(sentences: Sequence[Sequence[str]]) -> FloatArray:
    """Cosine similarity of the sentences' TF-IDF vectors over their content-word stems."""
    count = len(sentences)
    vocabulary: dict[str, int] = {}
    for stems in sentences:
        for stem in stems:
            vocabulary.setdefault(stem, len(vocabulary))
    if not vocabulary:
        return np.zeros((count, count))
    matrix = np.zeros((count, len(vocabulary)))
    for row, stems in enumerate(sentences):
        for stem, times in Counter(stems).items():
            matrix[row, vocabulary[stem]] = times
    document_frequency = np.count_nonzero(matrix, axis=0)
    matrix *= np.log((1 + count) / (1 + document_frequency)) + 1.0
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    return gram(matrix)


def gram(matrix: FloatArray) -> FloatArray:
    """The dot products of every pair of rows (matrix @ matrix.T), on the calling thread.

    NumPy's `@` hands the product to a BLAS that starts a thread per core; on a busy server
    these small products then wait for those threads (45 ms instead of 0.1 ms, measured).
    einsum computes on the calling thread, and only columns shared by two rows or more are
    needed off the diagonal, which keeps its loops short.
    """
    shared = matrix[:, np.count_nonzero(matrix, axis=0) > 1]
    product = np.einsum("ij,kj->ik", shared, shared)
    np.fill_diagonal(product, np.einsum("ij,ij->i", matrix, matrix))
    return np.asarray(product, dtype=np.float64)


def mmr_order(
    scores: Sequence[float] | FloatArray,
    similarity: FloatArray | None,
    limit: int,
    *,
    redundancy_weight: float = REDUNDANCY_WEIGHT,
) -> list[int]:
    """Up to `limit` sentence indices in the order MMR picks them (best first).

    Without a similarity matrix (or with `redundancy_weight` 0) this is simply the `limit`
    best scores, earlier sentences first among equals.
    """
    if similarity is None:
        redundancy_weight = 0.0
    worth = np.asarray(scores, dtype=np.float64)
    count = len(worth)
    peak = float(worth.max()) if count else 0.0
    if count == 0 or not math.isfinite(peak):
        return []
    if peak > 0:
        worth = worth / peak
    picked: list[int] = []
    overlap = np.zeros(count)
    available = np.ones(count, dtype=bool)
    while len(picked) < min(limit, count):
        gain = (1 - redundancy_weight) * worth - redundancy_weight * overlap
        gain[~available] = -np.inf
        best = int(np.argmax(gain))  # the first of equal gains: the earlier sentence
        picked.append(best)
        available[best] = False
        if similarity is not None:
            overlap = np.maximum(overlap, similarity[best])
    return picked
