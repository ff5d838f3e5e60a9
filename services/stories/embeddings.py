"""Word meaning for Russian: navec's news embeddings, loaded once per process, kept small.

The vectors ship inside the `natasha` wheel (navec_news_v1: 250k words, 300 dimensions,
product-quantised: each vector is 100 one-byte indexes into shared code tables), so nothing
is downloaded at run time. natasha itself is not imported: its morphology needs pymorphy2,
which fails on Python 3.11. The archive is read directly (see `_read`).

Only the VOCABULARY most frequent words are kept (81% of the title lemmas of the labelled
pairs, against 89% for all 250k; benchmarks/clustering.py measured the same F1 with 50k, 100k
and 250k), each as its 100 indexes, decoded on demand: ~44 MB resident (navec's own loader
holds ~100 MB and peaks near +170 MB). Loading (a quarter of a second) happens on first use,
and only in a process that clusters.
"""

from __future__ import annotations

import gzip
import importlib.util
import tarfile
import threading
from collections.abc import Sequence
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
    codes: npt.NDArray[np.float32]  # (sub-vectors x codes) x part: the code tables, flat
    offsets: npt.NDArray[np.intp]  # where each sub-vector's table starts in `codes`


_lock = threading.Lock()
_table: _Table | None = None


def archive_path() -> Path:
    """navec's news embeddings inside natasha's package folder, found without importing it."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the natasha package (navec's Russian news embeddings) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / EMBEDDINGS


def _read(path: Path, keep: int) -> _Table:
    """The `keep` most frequent words of a navec archive, each with its 100 code indexes.

    The archive's two members are read as navec's own loader reads them (vocab.bin: gzip of
    a uint32 count n, n uint32 word counts, then the words one a line; pq.bin: uint32
    vectors, dimensions, sub-vectors, centroids, then the indexes, then the code tables),
    without building navec's in-memory model: its PQ record precomputes a ~100 MB table for
    similarity search, which would double the bot's memory for a moment at every start.
    tests/services/stories/test_embeddings.py checks the vectors against navec's loader.
    """
    with tarfile.open(path) as archive:
        vocab_file = archive.extractfile("vocab.bin")
        pq_file = archive.extractfile("pq.bin")
        if vocab_file is None or pq_file is None:
            raise RuntimeError(f"{path} is not a navec archive")
        with gzip.GzipFile(fileobj=vocab_file) as vocab:
            (size,) = np.frombuffer(vocab.read(4), np.uint32)
            counts = np.frombuffer(vocab.read(4 * int(size)), np.uint32)
            words = vocab.read().decode("utf-8").split("\n")
        header = pq_file.read(16)
        vectors, _, parts, centroids = (int(n) for n in np.frombuffer(header, np.uint32))
        indexes = np.frombuffer(pq_file.read(vectors * parts), np.uint8).reshape(vectors, parts)
        codes = np.frombuffer(pq_file.read(), np.float32).reshape(parts, centroids, -1)
    rows = np.sort(np.argsort(-counts.astype(np.int64), kind="stable")[:keep])
    # Fresh copies of the kept words, so that the memory of all the others is given back.
    kept = "\n".join(words[row] for row in rows.tolist()).split("\n")
    del words
    return _Table(
        {word: number for number, word in enumerate(kept)},
        indexes[rows].copy(),
        codes.reshape(parts * centroids, -1).copy(),
        np.arange(parts, dtype=np.intp) * centroids,
    )


def _loaded() -> _Table:
    global _table  # noqa: PLW0603 - one copy per process, by design
    with _lock:
        if _table is None:
            _table = _read(archive_path(), VOCABULARY)
        return _table


def _decode(table: _Table, indexes: npt.NDArray[np.uint8]) -> Vector:
    """The vectors of rows of code indexes: each sub-vector looked up in its code table."""
    parts: Vector = np.take(table.codes, indexes.astype(np.intp) + table.offsets, axis=0)
    return parts.reshape(len(indexes), -1)


@lru_cache(maxsize=VECTOR_CACHE)
def word_vector(word: str) -> Vector | None:
    """The unit-length vector of a lower-case Russian word (a lemma); None if unknown."""
    table = _loaded()
    row = table.rows.get(word)
    if row is None:
        return None
    vector = _decode(table, table.indexes[row : row + 1])[0]
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else None


def word_matrix(words: Sequence[str]) -> Vector:
    """The unit vectors of `words`, one row each, decoded in one go; a zero row for a word
    navec does not know (so it is near nothing)."""
    table = _loaded()
    rows = [table.rows.get(word, -1) for word in words]
    matrix = np.zeros((len(rows), table.offsets.size * table.codes.shape[1]), np.float32)
    known = [position for position, row in enumerate(rows) if row >= 0]
    if known:
        vectors = _decode(table, table.indexes[[rows[position] for position in known]])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        matrix[known] = vectors / np.where(norms == 0, 1.0, norms)
    return matrix


def load() -> None:
    """Load the table now (a process that will cluster can pay the second up front)."""
    _loaded()
