"""Word meaning for Russian: navec's news embeddings, loaded once per process, kept small.

The vectors ship inside the `natasha` wheel (navec_news_v1: 250k words, 300 dimensions,
product-quantised: each vector is 100 one-byte indexes into shared code tables), so nothing
is downloaded at run time. natasha itself is not imported: its morphology needs pymorphy2,
which fails on Python 3.11; the file is read with navec's public `Navec.load`.

Only the VOCABULARY most frequent words are kept (81% of the title lemmas of the labelled
pairs, against 89% for all 250k; benchmarks/clustering.py measured the same F1 with 50k, 100k
and 250k), each as its 100 indexes, decoded on demand: ~38 MB resident instead of ~80 MB for
the whole vocabulary (and ~100 MB for navec's own in-memory model, which also precomputes
tables for its similarity search).
Loading (about a second) happens on first use, and only in a process that clusters.
"""

from __future__ import annotations

import gc
import importlib.util
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

EMBEDDINGS = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
VOCABULARY = 100_000
VECTOR_CACHE = 8_192  # decoded vectors of the words seen lately, ~11 MB

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class _Table:
    rows: dict[str, int]  # word -> row of `indexes`
    indexes: npt.NDArray[np.uint8]  # words x sub-vectors: the code of each part
    codes: npt.NDArray[np.float32]  # sub-vectors x codes x part: the code tables
    parts: npt.NDArray[np.intp]  # 0 .. sub-vectors - 1


_lock = threading.Lock()
_table: _Table | None = None


def _embeddings_file() -> Path:
    """navec's news embeddings inside natasha's package folder, found without importing it."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the natasha package (navec's Russian news embeddings) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / EMBEDDINGS


def _load() -> _Table:
    from navec import Navec

    full = Navec.load(str(_embeddings_file()))
    kept = full.vocab.top(VOCABULARY)
    rows = [full.vocab[word] for word in kept]
    indexes = np.ascontiguousarray(full.pq.indexes[rows])
    codes = np.array(full.pq.codes, dtype=np.float32)
    # Fresh copies of the kept words, so that the whole vocabulary's strings can all be freed.
    words = "\n".join(kept).split("\n")
    del full, kept, rows
    gc.collect()
    return _Table(
        {word: row for row, word in enumerate(words)},
        indexes,
        codes,
        np.arange(codes.shape[0]),
    )


def _loaded() -> _Table:
    global _table  # noqa: PLW0603 - one copy per process, by design
    with _lock:
        if _table is None:
            _table = _load()
        return _table


@lru_cache(maxsize=VECTOR_CACHE)
def word_vector(word: str) -> Vector | None:
    """The unit-length vector of a lower-case Russian word (a lemma); None if unknown."""
    table = _loaded()
    row = table.rows.get(word)
    if row is None:
        return None
    vector = table.codes[table.parts, table.indexes[row]].reshape(-1)
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else None


def load() -> None:
    """Load the table now (a process that will cluster can pay the second up front)."""
    _loaded()
