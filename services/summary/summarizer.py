"""Extractive summaries of news articles: offline, in Russian, English and Kazakh.

One service makes every summary in Newsdigest (ingestion, the digest, `/summary`, the CLI):

    summarize(text, *, language, sentences=3, title=None,
              algorithm=DEFAULT_ALGORITHM, max_chars=SUMMARY_MAX_CHARS) -> list[str]
        The summary: 1–5 sentences of the article, in the article's order. Pure and
        synchronous; CPU-bound, so async code calls it through `Summarizer`.

    Summarizer(algorithm=DEFAULT_ALGORITHM, *, workers=None, pool="process")
        await summarizer.summarize(text, language=..., sentences=3, title=None)
        await summarizer.summarize_article(new_article)   # ingestion's ArticleHook
        Runs `summarize` in a worker pool so that the event loop never waits on it;
        `close()` (or `async with`) shuts the pool down.

    ALGORITHMS: the names `algorithm` accepts; DEFAULT_ALGORITHM is "news".

"news" is the ranking of services/summary/ranking.py (centrality × lead position, length
normalised, MMR against repetition); "lead" takes the first sentences; the others are
sumy's algorithms as they are (LexRank, TextRank, LSA, Luhn, KL-Sum, SumBasic, Edmundson). Every algorithm ranks only
sentences that pass the hygiene of services/summary/hygiene.py, so no algorithm returns a
caption, a dateline or "Read more". The picks, best first, then make the summary under two
rules: a sentence is shown whole or not at all (one too long for the budget is passed over
for the next, never cut), and the summary never opens with a sentence that leans on an
earlier one (services/summary/standalone.py: "Он заявил…", "However,…", a quote with no
speaker); such a sentence may only follow one that does not. An article with no more
acceptable sentences than asked comes back whole, minus a leaning opener; empty or unusable
text gives an empty list. Nothing here raises on any text: a summary is a nicety, never a
reason to lose an article.
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cache, partial
from types import TracebackType
from typing import Any, Final, Literal, Self

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer, SentenceInfo
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from services.storage.models import NewArticle
from services.summary.algorithms import ALGORITHMS, DEFAULT_ALGORITHM
from services.summary.hygiene import (
    MAX_SENTENCE_CHARS,
    clean_sentence,
    plain_text,
    strip_dateline,
)
from services.summary.ranking import gram, mmr_order, news_scores, similarity_matrix
from services.summary.standalone import leans_on_context
from services.text.stemmers import stemmer_for
from services.text.stopwords import stop_words
from services.text.tokenizers import Tokenizer, tokenizer_for
from services.workers.cpu_pool import yield_cpu_to_the_bot

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "DEFAULT_SENTENCES",
    "LANGUAGES",
    "MAX_SENTENCES",
    "MIN_SENTENCES",
    "SUMMARY_MAX_CHARS",
    "Summarizer",
    "summarize",
]

log = logging.getLogger(__name__)

LANGUAGES: Final = ("ru", "en", "kk")
MIN_SENTENCES: Final = 1
MAX_SENTENCES: Final = 5
DEFAULT_SENTENCES: Final = 3
SUMMARY_MAX_CHARS: Final = 1000
"""Character budget of one summary: four of them and their titles fit one Telegram message."""

MAX_INPUT_CHARS: Final = 100_000
"""Only the start of a longer text is read: far more than any news article."""
MAX_CONSIDERED_SENTENCES: Final = 120
"""Only the first acceptable sentences are ranked; ranking cost is quadratic in their number,
and the news of an article is at its start."""


class _TextRank(TextRankSummarizer):  # type: ignore[misc]
    """sumy's TextRank with its sentence-graph built by matrix algebra.

    sumy compares every pair of sentences word by word in Python; the edge weight it
    computes (common words counted with multiplicity, over the sum of the log-lengths) is
    the dot product of the two sentences' word-count vectors over the same norm, so one
    matrix product gives the same graph in a fraction of the time.
    """

    def _create_matrix(self, document: ObjectDocumentModel) -> Any:
        words = [self._to_words_set(sentence) for sentence in document.sentences]
        count = len(words)
        vocabulary: dict[str, int] = {}
        rows: list[dict[int, int]] = []
        for sentence_words in words:
            row: dict[int, int] = {}
            for word in sentence_words:
                column = vocabulary.setdefault(word, len(vocabulary))
                row[column] = row.get(column, 0) + 1
            rows.append(row)
        counts = np.zeros((count, max(len(vocabulary), 1)))
        for index, row in enumerate(rows):
            for column, times in row.items():
                counts[index, column] = times
        overlap = gram(counts)
        log_lengths = np.log(np.maximum([len(w) for w in words], 1))
        norm = log_lengths[:, None] + log_lengths[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = np.where(np.isclose(norm, 0.0), overlap, overlap / norm)
        weights[overlap == 0] = 0.0
        weights /= weights.sum(axis=1)[:, None] + self._ZERO_DIVISION_PREVENTION
        return np.full((count, count), (1.0 - self.damping) / count) + self.damping * weights


_SUMY: dict[str, Callable[[Callable[[str], str]], AbstractSummarizer]] = {
    "lexrank": LexRankSummarizer,
    "textrank": _TextRank,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
}


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An acceptable sentence: its text as shown and its sumy sentence for the rankers."""

    text: str
    sentence: Sentence


def normalize_language(language: str | None, text: str = "") -> str:
    """ru, en or kk: the given code ("ru-RU" → "ru"), else a guess from the script."""
    code = (language or "").strip().lower()[:2]
    if code in LANGUAGES:
        return code
    latin = sum("a" <= char <= "z" for char in text[:2000].lower())
    return "en" if latin > len(text[:2000]) / 3 else "ru"


def _candidates(text: str, tokenizer: Tokenizer) -> list[_Candidate]:
    text = plain_text(text[:MAX_INPUT_CHARS])
    case_folded = text.lower() == text
    seen: set[str] = set()
    candidates: list[_Candidate] = []
    for paragraph in text.split("\n"):
        # A dateline may span what the splitter sees as two sentences ("АСТАНА. KAZINFORM –").
        for raw in tokenizer.to_sentences(strip_dateline(paragraph)):
            shown = clean_sentence(raw, case_folded=case_folded)
            if shown is None or shown.casefold() in seen:
                continue
            seen.add(shown.casefold())
            candidates.append(_Candidate(shown, Sentence(shown, tokenizer)))
            if len(candidates) >= MAX_CONSIDERED_SENTENCES:
                return candidates
    return candidates


def _document(candidates: Sequence[_Candidate], title: Sentence | None) -> ObjectDocumentModel:
    heading = [title] if title is not None else []
    return ObjectDocumentModel([Paragraph([*heading, *(c.sentence for c in candidates)])])


def _build_sumy(algorithm: str, language: str, document: ObjectDocumentModel) -> AbstractSummarizer:
    stemmer = stemmer_for(language)
    stops = stop_words(language)
    if algorithm == "edmundson":
        # Edmundson's key method needs "bonus words": here, the article's own content words,
        # so it rates sentences by the article's frequent words; the title method uses the
        # title (a heading of the document) when there is one, the location method the lead.
        has_title = bool(document.headings)
        summarizer = EdmundsonSummarizer(
            stemmer, cue_weight=0.0, key_weight=1.0, title_weight=float(has_title)
        )
        content = [word for word in document.words if word.lower() not in stops]
        summarizer.bonus_words = content or list(document.words) or ["_"]
        summarizer.null_words = list(stops) or ["_"]
        return summarizer
    summarizer = _SUMY[algorithm](stemmer)
    summarizer.stop_words = stops
    return summarizer


def sumy_scores(algorithm: str, language: str, document: ObjectDocumentModel) -> list[float]:
    """sumy's rating of each sentence of `document` by `algorithm`, in document order."""
    ratings: dict[int, float] = {}

    def keep_all(infos: list[SentenceInfo]) -> list[SentenceInfo]:
        for info in infos:
            ratings[info.order] = float(info.rating)
        return infos

    summarizer = _build_sumy(algorithm, language, document)
    summarizer(document, keep_all)
    return [
        rating if math.isfinite(rating := ratings.get(order, 0.0)) else 0.0
        for order in range(len(document.sentences))
    ]


def _select(
    texts: Sequence[str],
    order: Sequence[int],
    count: int,
    budget: int,
    *,
    leans: Callable[[int], bool],
) -> list[int]:
    """Up to `count` sentence indices, in article order, taken from `order` (best first).

    A sentence must fit what is left of the budget whole, and the first sentence of the
    result must not lean on an earlier one: a leaning sentence is taken only after one that
    stands alone and comes before it in the article. Sentences longer than a chat item
    (MAX_SENTENCE_CHARS) are considered only when no shorter one can open the summary.
    """
    for longest in (min(budget, MAX_SENTENCE_CHARS), budget):
        fits = [index for index in order if len(texts[index]) <= longest]
        opener = next((index for index in fits if not leans(index)), None)
        if opener is not None:
            return _fill(texts, fits, opener, count, budget, leans=leans)
    return []


def _fill(
    texts: Sequence[str],
    fits: Sequence[int],
    opener: int,
    count: int,
    budget: int,
    *,
    leans: Callable[[int], bool],
) -> list[int]:
    """`opener` and the best of `fits` after it that fit the budget, in article order."""
    chosen = [opener]
    used = len(texts[opener])
    passed_over: list[int] = []
    for index in fits:
        if len(chosen) == count:
            break
        if index == opener or used + 1 + len(texts[index]) > budget:
            continue
        if leans(index) and index < min(chosen):
            passed_over.append(index)  # may still follow a later pick that comes before it
            continue
        chosen.append(index)
        used += 1 + len(texts[index])
    for index in passed_over:
        if len(chosen) < count and index > min(chosen) and used + 1 + len(texts[index]) <= budget:
            chosen.append(index)
            used += 1 + len(texts[index])
    return sorted(chosen)


def _rank(
    algorithm: str, language: str, candidates: Sequence[_Candidate], title: str | None
) -> list[int]:
    """Candidate indices, best first, by `algorithm`."""
    if algorithm == "lead":
        return list(range(len(candidates)))
    tokenizer = tokenizer_for(language)
    heading = Sentence(title, tokenizer, is_heading=True) if title and title.strip() else None
    document = _document(candidates, heading)
    if algorithm != "news":
        return mmr_order(sumy_scores(algorithm, language, document), None, len(candidates))
    stemmer = stemmer_for(language)
    stops = stop_words(language)
    sentences = [c.sentence for c in candidates] + ([heading] if heading else [])
    stems = [[stemmer(w) for w in s.words if w.lower() not in stops] for s in sentences]
    similarity = similarity_matrix(stems)
    relevance = list(similarity[-1, : len(candidates)]) if heading else None
    similarity = similarity[: len(candidates), : len(candidates)]
    scores = news_scores(sumy_scores("textrank", language, document), relevance=relevance)
    return mmr_order(scores, similarity, len(candidates))


def summarize(
    text: str,
    *,
    language: str | None,
    sentences: int = DEFAULT_SENTENCES,
    title: str | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
    max_chars: int = SUMMARY_MAX_CHARS,
) -> list[str]:
    """The summary of an article: up to `sentences` (1–5) of its sentences, in its order.

    `language` is ru, en or kk (anything else is guessed from the script); `title`, when
    known, tells the "news" and "edmundson" rankings what the article is about. The summary
    stays within `max_chars` characters with whole sentences (one longer than a chat item,
    MAX_SENTENCE_CHARS, is never shown) and never opens with a sentence that leans on an
    earlier one. Returns [] for empty or unusable text; never raises.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown summary algorithm {algorithm!r}; expected one of {ALGORITHMS}")
    if not isinstance(text, str) or not text.strip():
        return []
    count = min(max(int(sentences), MIN_SENTENCES), MAX_SENTENCES)
    language = normalize_language(language, text)
    budget = max(int(max_chars), 1)
    try:
        candidates = _candidates(text, tokenizer_for(language))
        if not candidates:
            return []
        if len(candidates) <= count:
            order = list(range(len(candidates)))
        else:
            try:
                order = _rank(algorithm, language, candidates, title)
            except Exception:  # a ranker failing on odd input must not lose the summary
                log.warning("summary ranking failed; using the lead", exc_info=True)
                order = list(range(len(candidates)))
        texts = [c.text for c in candidates]

        @cache
        def leans(index: int) -> bool:
            return leans_on_context(texts[index], language)

        return [texts[index] for index in _select(texts, order, count, budget, leans=leans)]
    except Exception:
        log.exception("summarizing failed")
        return []


PoolKind = Literal["process", "thread"]


def _warm_up() -> None:
    """Load the tokenizers, stop words and stemmers of a fresh worker before real work."""
    yield_cpu_to_the_bot()
    sample = "Первое предложение статьи о погоде в городе. Второе предложение о ветре."
    for language in LANGUAGES:
        summarize(sample, language=language, sentences=1)


def default_workers() -> int:
    """One worker per core but one, so the event loop keeps a core: at least one."""
    return max(1, (os.cpu_count() or 2) - 1)


class Summarizer:
    """Summaries for async code: `summarize` in a worker pool, off the event loop.

    A process pool (the default) keeps the loop fully responsive, since the work holds no
    lock the loop needs; a thread pool shares the interpreter lock with the loop, which
    then answers only between a worker's slices (benchmarks/summary_speed.py measures
    both). Workers start on first use; a worker that dies is replaced on the next call.
    """

    def __init__(
        self,
        algorithm: str = DEFAULT_ALGORITHM,
        *,
        workers: int | None = None,
        pool: PoolKind = "process",
        max_chars: int = SUMMARY_MAX_CHARS,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(
                f"unknown summary algorithm {algorithm!r}; expected one of {ALGORITHMS}"
            )
        self.algorithm = algorithm
        self._workers = workers or default_workers()
        self._pool_kind = pool
        self._max_chars = max_chars
        self._executor: Executor | None = None

    def _pool(self) -> Executor:
        if self._executor is None:
            if self._pool_kind == "thread":
                self._executor = ThreadPoolExecutor(self._workers, "summarize")
            else:
                self._executor = ProcessPoolExecutor(
                    self._workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm_up,
                )
        return self._executor

    async def summarize(
        self,
        text: str,
        *,
        language: str | None,
        sentences: int = DEFAULT_SENTENCES,
        title: str | None = None,
    ) -> list[str]:
        """`summarize(...)` with this summarizer's algorithm, computed in the pool."""
        call = partial(
            summarize,
            text[:MAX_INPUT_CHARS] if isinstance(text, str) else "",
            language=language,
            sentences=sentences,
            title=title,
            algorithm=self.algorithm,
            max_chars=self._max_chars,
        )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), call)
        except BrokenProcessPool:
            log.warning("a summary worker died; starting a new pool")
            self.close()
            return await loop.run_in_executor(self._pool(), call)

    async def summarize_article(self, article: NewArticle) -> NewArticle:
        """The article with its summary filled in: ingestion's summarising step."""
        summary = await self.summarize(article.text, language=article.language, title=article.title)
        return replace(article, summary=summary)

    def close(self) -> None:
        """Stop the workers; queued summaries are cancelled. Idempotent."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
