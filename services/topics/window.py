"""A window of articles held in memory, for answering many topic queries at once.

A digest pass asks every followed topic — up to thousands of people's own queries — for the
stories of the same day or two. One FTS5 search costs a millisecond or more on a busy day,
mostly walking long posting lists and ranking every match; a thousand of them cost
seconds. A `TopicWindow` loads the window's lemmas once into numpy posting arrays (which
articles hold each lemma, and how often, weighted 3 : 2 : 1 by title, lead and body as the
index ranks them) and then answers each query with a few vector operations: a boolean
mask per word, phrases by shifting word positions against each other, AND / OR / NOT of
masks, focus by counting each concept's mentions per field, and BM25 over the window. It
answers as the index and `Query.matches` do (tests hold the three to each other).

    window = await topic_index.window(since=t0, until=t1)   # built in a worker thread
                                                              # from LemmaCodes
    hits = window.search(query, limit=20)                     # CPU: call off the loop
                                                              # for many queries at once
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from services.topics.query import (
    FOCUS_BODY_MENTIONS,
    AliasGroup,
    AnyOf,
    Node,
    Phrase,
    Query,
    Term,
    concept_of,
)

__all__ = ["LemmaCodes", "SearchHit", "TopicWindow", "WindowArticle"]

Mask = npt.NDArray[np.bool_]

_FIELD_WEIGHTS = (3.0, 2.0, 1.0)  # title, lead, body: as services.topics.BM25_WEIGHTS
_K1 = 1.2  # BM25 constants, as SQLite's FTS5 uses them
_B = 0.75
_MASK_CACHE = 4096
_POSITION_BITS = 20  # a field holds fewer than a million lemmas


@dataclass(frozen=True, slots=True)
class WindowArticle:
    """One stored article as the window needs it: its lemma columns and where it belongs."""

    article_id: int
    language: str
    fetched_at: datetime
    title: str
    lead: str
    body: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An article found for a query, with its BM25 relevance (higher is better, comparable
    within one search)."""

    article_id: int
    score: float


class LemmaCodes:
    """Recent articles' lemmas as numbers, kept between windows.

    Splitting a day's lemma text and numbering every word is most of the cost of building a
    window, and consecutive windows share most of their articles, so each article is
    numbered once (when it is indexed, or when a window first needs it) and kept for the
    next `capacity` articles. Numbers come from one vocabulary, started afresh (and the
    articles with it) when it outgrows `max_vocabulary`. Safe to share between threads.
    """

    def __init__(self, capacity: int = 40_000, max_vocabulary: int = 500_000) -> None:
        self._capacity = capacity
        self._max_vocabulary = max_vocabulary
        self._lock = threading.Lock()
        self._vocabulary = _Vocabulary()
        self._articles: OrderedDict[int, tuple[npt.NDArray[np.int32], tuple[int, int, int]]] = (
            OrderedDict()
        )

    def missing(self, article_ids: Iterable[int]) -> list[int]:
        """The articles whose lemma text a window needs to be given."""
        with self._lock:
            if len(self._vocabulary) > self._max_vocabulary:
                self._vocabulary = _Vocabulary()
                self._articles.clear()
            return [aid for aid in article_ids if aid not in self._articles]

    def add(self, article_id: int, title: str, lead: str, body: str) -> None:
        """Number an article's lemma text (space-separated title, lead and body lemmas)."""
        with self._lock:
            self._encode(article_id, (title, lead, body))

    def window(
        self,
        articles: Sequence[tuple[int, str, datetime]],
        texts: Mapping[int, tuple[str, str, str]],
    ) -> TopicWindow:
        """The window of (article id, language, arrival) with the lemma texts `missing` asked
        for; an article neither numbered before nor given is left out."""
        kept: list[tuple[int, str, datetime]] = []
        codes: list[npt.NDArray[np.int32]] = []
        lengths: list[tuple[int, int, int]] = []
        with self._lock:
            for article in articles:
                known = self._articles.get(article[0])
                if known is None and article[0] in texts:
                    known = self._encode(article[0], texts[article[0]])
                if known is not None:
                    self._articles.move_to_end(article[0])
                    kept.append(article)
                    codes.append(known[0])
                    lengths.append(known[1])
            vocabulary = self._vocabulary
            size = len(vocabulary)
        return TopicWindow(kept, codes, lengths, vocabulary, size)

    def _encode(
        self, article_id: int, texts: tuple[str, str, str]
    ) -> tuple[npt.NDArray[np.int32], tuple[int, int, int]]:
        words = [text.split() for text in texts]
        lemmas = words[0] + words[1] + words[2]
        coded = np.fromiter(map(self._vocabulary.__getitem__, lemmas), np.int32, len(lemmas))
        entry = (coded, (len(words[0]), len(words[1]), len(words[2])))
        self._articles[article_id] = entry
        while len(self._articles) > self._capacity:
            self._articles.popitem(last=False)
        return entry


class TopicWindow:
    """The articles of one arrival window as numpy postings (see the module docstring).

    Built by `LemmaCodes.window` (or `TopicWindow.of` from lemma texts); read-only after.
    """

    def __init__(
        self,
        articles: Sequence[tuple[int, str, datetime]],
        codes: Sequence[npt.NDArray[np.int32]],
        lengths: Sequence[tuple[int, int, int]],
        vocabulary: Mapping[str, int],
        vocabulary_size: int,
    ) -> None:
        count = len(articles)
        self.size = count
        self._ids = np.array([a[0] for a in articles], dtype=np.int64)
        self._times = np.array([a[2].timestamp() for a in articles], dtype=np.float64)
        self._language_codes: dict[str, int] = {}
        self._languages = np.array(
            [self._language_codes.setdefault(a[1], len(self._language_codes)) for a in articles],
            dtype=np.int64,
        )
        self._masks: dict[tuple[Node, bool], Mask] = {}
        self._vocabulary = vocabulary  # shared: numbers at or past vocabulary_size are not ours
        self._vocabulary_size = vocabulary_size
        size = vocabulary_size

        # Every token of the window: its lemma number, and where it stands as one sortable
        # key, ((article * 3 + field) << 20) + position, so that "the next word" is key + 1.
        lemma = np.concatenate(codes).astype(np.int64) if codes else np.empty(0, np.int64)
        field_lengths = np.array(lengths, dtype=np.int64).reshape(-1)
        tokens = len(lemma)
        field_of = np.repeat(np.arange(3 * count, dtype=np.int64), field_lengths)
        first = np.repeat(np.cumsum(field_lengths) - field_lengths, field_lengths)
        place = (field_of << _POSITION_BITS) + (np.arange(tokens, dtype=np.int64) - first)
        doc = field_of // 3

        # One sort by lemma (stable, so places stay in reading order) gives both the places
        # of each lemma (phrases, focus) and its weighted count per article (BM25).
        order = np.argsort(lemma, kind="stable")
        by_lemma = lemma[order]
        by_doc = doc[order]
        self._places = place[order]
        self._place_starts = np.searchsorted(by_lemma, np.arange(size + 1))
        first_of_pair = np.ones(tokens, dtype=np.bool_)
        first_of_pair[1:] = (by_lemma[1:] != by_lemma[:-1]) | (by_doc[1:] != by_doc[:-1])
        pairs = np.flatnonzero(first_of_pair)
        weight = np.array(_FIELD_WEIGHTS)[field_of % 3][order]
        self._post_doc: npt.NDArray[np.int64] = by_doc[pairs]
        self._post_weight = np.add.reduceat(weight, pairs) if pairs.size else weight
        self._post_starts = np.searchsorted(by_lemma[pairs], np.arange(size + 1))
        self._length = np.bincount(doc, minlength=count).astype(np.float64)
        self._average = float(self._length.mean()) if count else 0.0

    @classmethod
    def of(cls, articles: Sequence[WindowArticle]) -> TopicWindow:
        """A window built straight from articles' lemma texts."""
        codes = LemmaCodes(capacity=max(len(articles), 1))
        texts = {a.article_id: (a.title, a.lead, a.body) for a in articles}
        return codes.window([(a.article_id, a.language, a.fetched_at) for a in articles], texts)

    # -- queries ----------------------------------------------------------------------------

    def search(
        self,
        query: Query,
        *,
        limit: int = 20,
        focus: bool = False,
        languages: Iterable[str] | None = None,
        since: datetime | None = None,
    ) -> list[SearchHit]:
        """The window's articles that match (with `focus`: are about) the query, best first.

        `languages` keeps articles in those languages; `since` narrows the window's start.
        """
        mask = self._mask(query.root, focus).copy()
        if languages is not None:
            codes = [
                self._language_codes[lang] for lang in languages if lang in self._language_codes
            ]
            mask &= np.isin(self._languages, codes)
        if since is not None:
            mask &= self._times >= since.timestamp()
        found = np.flatnonzero(mask)
        scores = self._bm25(query, found)
        best = np.lexsort((-self._ids[found], -scores))[:limit]
        return [SearchHit(int(self._ids[found[i]]), float(scores[i])) for i in best]

    def _mask(self, node: Node, focus: bool) -> Mask:
        """Articles that mention (`focus`: are about) what `node` asks; cached per window."""
        key = (node, focus)
        cached = self._masks.get(key)
        if cached is None:
            cached = self._compute(node, focus)
            if len(self._masks) >= _MASK_CACHE:
                self._masks.clear()
            self._masks[key] = cached
        return cached

    def _compute(self, node: Node, focus: bool) -> Mask:
        concept = concept_of(node)
        if focus and concept is not None:
            return self._subjects(concept)
        if isinstance(node, Term):
            mask = self._empty()
            for lemma in node.lemmas:
                mask[self._docs_of(lemma)] = True
            return mask
        if isinstance(node, Phrase):
            mask = self._empty()
            for variant in node.variants:
                mask[self._doc_of(self._phrase_starts(variant))] = True
            return mask
        if isinstance(node, AliasGroup):
            return self._mask(node.node, focus)
        if isinstance(node, AnyOf):
            mask = self._empty()
            for option in node.options:
                mask |= self._mask(option, focus)
            return mask
        mask = ~self._empty()
        for part in node.include:
            mask &= self._mask(part, focus)
        for part in node.exclude:
            mask &= ~self._mask(part, focus)
        return mask

    def _subjects(self, concept: Sequence[Term | Phrase]) -> Mask:
        """Articles whose title or lead name the concept, or whose body mentions it twice."""
        spans: list[npt.NDArray[np.int64]] = []
        for leaf in concept:
            if isinstance(leaf, Term):
                spans.extend(self._places_of(lemma) for lemma in leaf.lemmas)
            else:
                for variant in leaf.variants:
                    starts = self._phrase_starts(variant)
                    spans.extend(starts + offset for offset in range(len(variant)))
        mask = self._empty()
        if not spans:
            return mask
        covered = np.unique(np.concatenate(spans))
        field = (covered >> _POSITION_BITS) % 3
        mask[self._doc_of(covered[field < 2])] = True
        body = covered[field == 2]
        if body.size:
            mention_starts = body[np.concatenate(([True], np.diff(body) != 1))]
            mentions = np.bincount(self._doc_of(mention_starts), minlength=self.size)
            mask |= mentions >= FOCUS_BODY_MENTIONS
        return mask

    def _phrase_starts(self, variant: Sequence[str]) -> npt.NDArray[np.int64]:
        """Where the phrase starts: places of its first word followed by the rest in order."""
        starts = self._places_of(variant[0])
        for offset, lemma in enumerate(variant[1:], 1):
            if starts.size == 0:
                break
            starts = np.intersect1d(starts, self._places_of(lemma) - offset, assume_unique=True)
        return starts

    def _number(self, lemma: str) -> int | None:
        number = self._vocabulary.get(lemma)
        return number if number is not None and number < self._vocabulary_size else None

    def _places_of(self, lemma: str) -> npt.NDArray[np.int64]:
        number = self._number(lemma)
        if number is None:
            return np.empty(0, dtype=np.int64)
        places: npt.NDArray[np.int64] = self._places[
            self._place_starts[number] : self._place_starts[number + 1]
        ]
        return places

    def _docs_of(self, lemma: str) -> npt.NDArray[np.int64]:
        number = self._number(lemma)
        if number is None:
            return np.empty(0, dtype=np.int64)
        docs: npt.NDArray[np.int64] = self._post_doc[
            self._post_starts[number] : self._post_starts[number + 1]
        ]
        return docs

    @staticmethod
    def _doc_of(places: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        docs: npt.NDArray[np.int64] = (places >> _POSITION_BITS) // 3
        return docs

    def _empty(self) -> Mask:
        return np.zeros(self.size, dtype=np.bool_)

    def _bm25(self, query: Query, found: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """BM25 of the found articles over the query's wanted lemmas, as FTS5 weighs it."""
        scores = np.zeros(self.size, dtype=np.float64)
        for lemma in query.wanted_lemmas():
            number = self._number(lemma)
            if number is None:
                continue
            start, end = self._post_starts[number], self._post_starts[number + 1]
            docs = self._post_doc[start:end]
            frequency = self._post_weight[start:end]
            found_in = end - start
            idf = max(math.log((self.size - found_in + 0.5) / (found_in + 0.5)), 1e-6)
            norm = _K1 * (1 - _B + _B * self._length[docs] / self._average)
            scores[docs] += idf * frequency * (_K1 + 1) / (frequency + norm)
        result: npt.NDArray[np.float64] = scores[found]
        return result


class _Vocabulary(dict[str, int]):
    """Lemma numbers handed out in order of first sight (a missing lemma gets the next)."""

    def __missing__(self, lemma: str) -> int:
        number = self[lemma] = len(self)
        return number
