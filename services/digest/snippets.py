"""Why an item is in a topic digest, shown: the sentences that name the query, its words in bold.

A reader who follows "пенсии" and sees a headline about the budget wants to know why it is
there. So the summary shown under a topic is the stored summary when it already names the
query (any of its words, in any inflection: compared as lemmas); otherwise it is the first
whole sentence that does — from the stored summary, else from the text — the way a search
box shows its snippet. Sentences are never cut. The query's words, as the sentences spell
them, are returned alongside so that the renderer can set them in bold.

Computed for the handful of items a digest shows, at digest time: lemmatising a sentence
takes microseconds from the lemmatiser's cache, and the text is read sentence by sentence
only until one names the query.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import razdel

from services.summary.hygiene import clean_sentence
from services.text.lemmas import Lemmatizer, words

__all__ = ["MAX_SNIPPET_CHARS", "Snippet", "emphasize", "query_words", "snippet"]

MAX_SNIPPET_CHARS = 400  # a longer "sentence" is a run-on paragraph or a list, not a snippet
_MIN_SNIPPET_CHARS = 25  # shorter ones are captions, datelines, bylines
_SCAN_CHARS = 20_000  # how far into a text a snippet is looked for


@dataclass(frozen=True, slots=True)
class Snippet:
    """What an item shows under its headline, and the words in it to set in bold."""

    sentences: tuple[str, ...]
    highlights: tuple[str, ...]
    from_summary: bool  # the stored summary as it is


def query_words(
    text: str, lemmas: frozenset[str], language: str, lemmatizer: Lemmatizer
) -> list[str]:
    """The words of `text`, as written, whose lemmas are among the query's `lemmas`."""
    if lemmas.isdisjoint(lemmatizer.lemmas(text, language)):  # most sentences: one pass
        return []
    found: list[str] = []
    for word in words(text):
        if not lemmas.isdisjoint(lemmatizer.lemmas(word, language)) and word not in found:
            found.append(word)
    return found


def snippet(
    summary: Sequence[str],
    text: str,
    lemmas: frozenset[str],
    *,
    language: str,
    sentences: int,
    lemmatizer: Lemmatizer,
) -> Snippet:
    """The summary to show for a query with these `lemmas` (see the module docstring).

    `sentences` is how many summary sentences the reader asked for; a snippet taken from
    elsewhere is one sentence. With no sentence naming the query, the summary as it is.
    Kept for the next digest or search that shows the same article for the same query.
    """
    return _snippet(
        tuple(summary), text, lemmas, language=language, sentences=sentences, lemmatizer=lemmatizer
    )


@lru_cache(maxsize=2048)
def _snippet(
    summary: tuple[str, ...],
    text: str,
    lemmas: frozenset[str],
    *,
    language: str,
    sentences: int,
    lemmatizer: Lemmatizer,
) -> Snippet:
    shown = tuple(sentence for sentence in summary[:sentences] if sentence.strip())
    if not lemmas:
        return Snippet(shown, (), from_summary=True)
    marked = query_words(" ".join(shown), lemmas, language, lemmatizer)
    if marked:
        return Snippet(shown, tuple(marked), from_summary=True)
    for sentence in _candidates(summary[sentences:], text, lemmas, language, lemmatizer):
        marked = query_words(sentence, lemmas, language, lemmatizer)
        if marked:
            return Snippet((sentence,), tuple(marked), from_summary=False)
    return Snippet(shown, (), from_summary=True)


def _candidates(
    rest_of_summary: Iterable[str],
    text: str,
    lemmas: frozenset[str],
    language: str,
    lemmatizer: Lemmatizer,
) -> Iterator[str]:
    """Whole sentences that name the query and are fit to stand alone (services/summary/
    hygiene.py: no captions, no cut quotations, no fragments): the rest of the summary, then
    the text's, in order."""
    head = text[:_SCAN_CHARS]
    case_folded = head == head.lower()
    sentences = itertools.chain(
        ((sentence, False) for sentence in rest_of_summary),
        (
            (sentence, case_folded)
            for paragraph in head.split("\n")
            if paragraph.strip()
            for sentence in _sentences(paragraph)
        ),
    )
    for sentence, folded in sentences:
        if lemmas.isdisjoint(lemmatizer.lemmas(sentence, language)):
            continue
        fit = _fit(sentence, case_folded=folded)
        if fit:
            yield fit


def _sentences(paragraph: str) -> Iterator[str]:
    """The paragraph's sentences; a full stop inside a quotation («Москва. Кремль. Путин»)
    does not end one, so pieces are joined until the quotation closes."""
    start: int | None = None
    for found in razdel.sentenize(paragraph):
        start = found.start if start is None else start
        sentence = paragraph[start : found.stop]
        if _quote_open(sentence) and len(sentence) < MAX_SNIPPET_CHARS:
            continue
        yield sentence
        start = None
    if start is not None:
        yield paragraph[start:]


def _quote_open(sentence: str) -> bool:
    return sentence.count("«") > sentence.count("»") or sentence.count('"') % 2 == 1


def _fit(sentence: str, *, case_folded: bool) -> str | None:
    """The sentence as a snippet shows it (a dateline dropped), or None when it can't stand
    alone or is too short or long to be one."""
    cleaned = clean_sentence(sentence, case_folded=case_folded)
    if cleaned is None or not _MIN_SNIPPET_CHARS <= len(cleaned) <= MAX_SNIPPET_CHARS:
        return None
    return cleaned


def emphasize(text: str, highlights: Sequence[str]) -> str:
    """`text` as Telegram HTML, escaped, with every whole-word occurrence of `highlights` in
    <b>…</b> (tags never nest or cross: bold runs are cut from the plain text first)."""
    if not highlights:
        return html.escape(text, quote=False)
    pattern = _pattern(tuple(sorted(set(highlights), key=len, reverse=True)))
    pieces: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        pieces.append(html.escape(text[last : found.start()], quote=False))
        pieces.append(f"<b>{html.escape(found.group(0), quote=False)}</b>")
        last = found.end()
    pieces.append(html.escape(text[last:], quote=False))
    return "".join(pieces)


@lru_cache(maxsize=512)
def _pattern(highlights: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in highlights)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
