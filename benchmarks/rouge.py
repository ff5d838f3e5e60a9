"""ROUGE-1, ROUGE-2 and ROUGE-L F1 over razdel tokens, lower-cased, punctuation left out.

The same measure for Russian and English references, with no download: razdel splits words
in both, and a token counts when it holds a letter or a digit (as the ROUGE toolkit's own
tokenizer keeps only alphanumerics). ROUGE-L is the longest common subsequence of the whole
summary and the whole reference (summary-level LCS over the joined sentences).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from razdel import tokenize


def rouge_tokens(text: str) -> list[str]:
    """Lower-cased razdel tokens that contain a letter or a digit."""
    return [t.text.lower() for t in tokenize(text) if any(ch.isalnum() for ch in t.text)]


@dataclass(frozen=True, slots=True)
class Rouge:
    r1: float
    r2: float
    rl: float


def _f1(overlap: float, candidate: int, reference: int) -> float:
    if overlap == 0 or candidate == 0 or reference == 0:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    ours, theirs = _ngrams(candidate, n), _ngrams(reference, n)
    overlap = sum((ours & theirs).values())
    return _f1(overlap, sum(ours.values()), sum(theirs.values()))


def _lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge(candidate: str, reference: str) -> Rouge:
    """F1 of ROUGE-1, -2 and -L of a candidate summary against one reference."""
    ours, theirs = rouge_tokens(candidate), rouge_tokens(reference)
    return Rouge(
        r1=_rouge_n(ours, theirs, 1),
        r2=_rouge_n(ours, theirs, 2),
        rl=_f1(_lcs(ours, theirs), len(ours), len(theirs)),
    )


def mean(scores: Iterable[Rouge]) -> Rouge:
    """Average of each measure, in percent."""
    items = list(scores)
    if not items:
        return Rouge(0.0, 0.0, 0.0)
    return Rouge(
        r1=100 * sum(s.r1 for s in items) / len(items),
        r2=100 * sum(s.r2 for s in items) / len(items),
        rl=100 * sum(s.rl for s in items) / len(items),
    )
