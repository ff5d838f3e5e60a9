"""Are two articles one event? A few measurements and a tiny logistic model over them.

The reader's rule: same only if both report the same single event (incident, statement,
decision, match, release); time, place and figures agree; each title fits the other article.
What the decision reads, each in [0, 1]:

- `title_fit`: how much of each title the other article says, in meaning: a title word
  counts when the other's title or lead has it, or (Russian) a near-synonym whose navec
  cosine reaches NEAR_SYNONYM; names and figures have no synonyms, so they must match
  exactly ("Лавров met Нуртлеу" does not fit "Лавров met Саидов"). IDF-weighted; the worse
  of the two directions counts, as each title must fit (a reaction's lead retells the
  decision it answers, its title does not fit the decision);
- `shared_figure`: 1 when the two leads share a number (a count, a date, a score);
- `opening`: cosine of the title and the text's opening (fingerprint.BODY_LEMMAS lemmas,
  names weighted more) under the openings' own IDF: outlets that word the headline of one
  event differently still retell the same quote, place and second figure further on;
- `closest_sentences`: cosine of the two most alike sentences of the openings (titles
  included): one outlet's lead is often another's third sentence, and a statement or a
  study retold by several outlets shares one sentence that states it;
- `opening_meaning`: how much of each opening's start (MEANING_LEMMAS lemmas) the other
  says, near-synonyms counted at their navec cosine: the same event in other words;
- `title_predicate`: whether what each title says happened (its verbs) the other article
  tells, exactly or as a near-synonym: a hospitalisation and the diagnosis after it share
  every name and differ in the verb.

A name conflict vetoes: when each title names someone or something (a person, a place, a
team) that the other article never mentions in its title, lead or opening, the two are
different events however alike the rest ("Токаев провел телефонный разговор с Путиным" and
"… с Эрдоганом"; "Карлсен обыграл Накамуру" and "Накамура обыграл Каруану").

P(same) = logistic(WEIGHTS · features + BIAS), 0 under a veto; same when it reaches
THRESHOLD. The weights and bias are fitted by `benchmarks/clustering.py --fit` on labelled
Russian pairs (a logistic regression with a light L2 penalty, on the pairs no veto decides);
the benchmark reports them cross-validated. On 398 labelled Russian pairs: precision 0.902,
recall 0.866 cross-validated (0.912, 0.872 on the whole set), against 0.888, 0.780 for the
previous model's features and fit in the same run. The sentence, meaning and predicate
measurements cost the most, so `judge` takes them only for a pair whose cheap measurements
leave it a chance to reach the bar.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from services.stories.embeddings import Vector, word_matrix, word_vector
from services.stories.fingerprint import EventFingerprint

NEAR_SYNONYM = 0.5
SENTENCE_LEMMAS = 4  # a sentence shorter than this (after the title) is not compared alone
MEANING_LEMMAS = 60  # of the opening, compared in meaning: title, lead and a little more
# title_fit, shared_figure, opening, closest_sentences, opening_meaning, title_predicate
WEIGHTS = (4.28, 0.54, 6.24, 1.88, 4.63, 1.22)
BIAS = -7.79
THRESHOLD = 0.5
ABBREVIATION = 4  # letters: a name this short is usually an abbreviation
EMBEDDED_LANGUAGES = frozenset({"ru"})  # navec knows Russian words only

Idf = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class PairFeatures:
    title_fit: float
    shared_figure: float
    opening: float
    closest_sentences: float
    opening_meaning: float
    title_predicate: float
    name_conflict: bool = False

    def values(self) -> tuple[float, ...]:
        """The weighed measurements, in the order of WEIGHTS."""
        return (
            self.title_fit,
            self.shared_figure,
            self.opening,
            self.closest_sentences,
            self.opening_meaning,
            self.title_predicate,
        )

    def probability(self) -> float:
        """P(same event) under the fitted model; 0 when the titles' names conflict."""
        if self.name_conflict:
            return 0.0
        score = BIAS + sum(
            weight * value for weight, value in zip(WEIGHTS, self.values(), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-score))


def _vectors(lemmas: Iterable[str]) -> Vector | None:
    """The unit vectors of the lemmas navec knows, one per row; None if it knows none."""
    known = [vector for lemma in lemmas if (vector := word_vector(lemma)) is not None]
    return np.vstack(known) if known else None


def title_coverage(
    event: EventFingerprint, other: EventFingerprint, idf: Idf, *, by_meaning: bool
) -> float:
    """IDF-weighted share of `event`'s title that `other`'s title or lead says."""
    said = other.words
    unsaid: list[tuple[str, float]] = []
    total = covered = 0.0
    for lemma in set(event.title):
        weight = idf(lemma)
        total += weight
        if lemma in said:
            covered += weight
        elif by_meaning and lemma not in event.names and not lemma.isdigit():
            unsaid.append((lemma, weight))
    if unsaid and (matrix := _vectors(said)) is not None:
        for lemma, weight in unsaid:
            vector = word_vector(lemma)
            if vector is not None:
                closest = float(np.max(matrix @ vector))
                if closest >= NEAR_SYNONYM:
                    covered += weight * closest
    return covered / total if total else 0.0


def title_fit(a: EventFingerprint, b: EventFingerprint, idf: Idf) -> float:
    """How well each title fits the other article: the worse of the two directions, as
    both must fit (a reaction's lead retells the decision, its title does not fit it)."""
    by_meaning = a.language in EMBEDDED_LANGUAGES and b.language in EMBEDDED_LANGUAGES
    return min(
        title_coverage(a, b, idf, by_meaning=by_meaning),
        title_coverage(b, a, idf, by_meaning=by_meaning),
    )


def cosine(a: dict[str, float], b: dict[str, float], idf: Idf) -> float:
    """Cosine of two term-frequency vectors weighted by `idf`."""
    va = {term: weight * idf(term) for term, weight in a.items()}
    vb = {term: weight * idf(term) for term, weight in b.items()}
    norm = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(sum(w * w for w in vb.values()))
    return sum(w * vb.get(term, 0.0) for term, w in va.items()) / norm if norm else 0.0


def tfidf_cosine(a: EventFingerprint, b: EventFingerprint, idf: Idf) -> float:
    """Cosine of the two fingerprints' weighted terms under `idf` (the index has a faster
    loop over many candidates; this is for one pair)."""
    return cosine(a.term_frequencies(), b.term_frequencies(), idf)


def opening_cosine(a: EventFingerprint, b: EventFingerprint, idf: Idf) -> float:
    """Cosine of the two texts' openings under `idf` (the openings' own IDF)."""
    return cosine(a.opening_frequencies(), b.opening_frequencies(), idf)


@lru_cache(maxsize=16)
def _opening_vectors(lemmas: tuple[str, ...]) -> Vector:
    """navec rows of an opening's distinct lemmas: kept for the few latest openings, as a
    new article's is compared with several candidates in a row."""
    return word_matrix(lemmas)


def _covered(
    lemmas: tuple[str, ...],
    said: frozenset[str],
    names: frozenset[str],
    closest: Sequence[float],
    idf: Idf,
) -> float:
    """IDF-weighted share of `lemmas` that `said` says: exactly, or as a near-synonym (its
    `closest` cosine reaching NEAR_SYNONYM, counted at that cosine). Names and figures have
    no synonyms."""
    total = covered = 0.0
    for lemma, near in zip(lemmas, closest, strict=True):
        weight = idf(lemma)
        total += weight
        if lemma in said:
            covered += weight
        elif near >= NEAR_SYNONYM and lemma not in names and not lemma.isdigit():
            covered += weight * near
    return covered / total if total else 0.0


def opening_meaning(a: EventFingerprint, b: EventFingerprint, idf: Idf) -> float:
    """How much of each opening's first MEANING_LEMMAS (title, lead and a little more) the
    other's says, near-synonyms included, averaged over both directions: one study or
    statement retold in other words."""
    first = tuple(dict.fromkeys(a.opening[:MEANING_LEMMAS]))
    second = tuple(dict.fromkeys(b.opening[:MEANING_LEMMAS]))
    if not first or not second:
        return 0.0
    if a.language in EMBEDDED_LANGUAGES and b.language in EMBEDDED_LANGUAGES:
        similarities = _opening_vectors(first) @ _opening_vectors(second).T
        closest_first, closest_second = similarities.max(axis=1), similarities.max(axis=0)
    else:
        closest_first, closest_second = np.zeros(len(first)), np.zeros(len(second))
    return (
        _covered(first, frozenset(second), a.names, closest_first.tolist(), idf)
        + _covered(second, frozenset(first), b.names, closest_second.tolist(), idf)
    ) / 2


def _predicate_said(verbs: tuple[str, ...], other: EventFingerprint) -> float:
    """How closely `other` says one of `verbs`: 1 when its title or opening has one, else
    the best navec cosine of one against the start of its opening."""
    said = other.words | frozenset(other.opening)
    if any(verb in said for verb in verbs):
        return 1.0
    start = tuple(dict.fromkeys(other.opening[:MEANING_LEMMAS]))
    if other.language not in EMBEDDED_LANGUAGES or not start:
        return 0.0
    return max(0.0, float((word_matrix(verbs) @ _opening_vectors(start).T).max()))


def title_predicate(a: EventFingerprint, b: EventFingerprint) -> float:
    """Whether what each title says happened is what the other article tells: the worse
    direction, over the titles that have a verb (0.5 when neither has). One person's
    hospitalisation and diagnosis, a match and the interview after it, share every name
    and differ in the verb."""
    directions = [
        _predicate_said(event.verbs, other) for event, other in ((a, b), (b, a)) if event.verbs
    ]
    return min(directions) if directions else 0.5


def _informative(sentences: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The title and the sentences of at least SENTENCE_LEMMAS content lemmas: two short
    stock phrases ("Подробности позже") are alike in any two articles."""
    return tuple(
        sentence
        for number, sentence in enumerate(sentences)
        if number == 0 or len(sentence) >= SENTENCE_LEMMAS
    )


@lru_cache(maxsize=16)
def _sentence_frequencies(
    sentences: tuple[tuple[str, ...], ...],
) -> tuple[dict[str, float], ...]:
    """Sublinear term frequencies (1 + log count) of each sentence; kept for the few latest
    openings, as a new article's is compared with several candidates in a row."""
    return tuple(
        {term: 1.0 + math.log(count) for term, count in Counter(sentence).items()}
        for sentence in sentences
    )


def closest_sentences(a: EventFingerprint, b: EventFingerprint, idf: Idf) -> float:
    """Cosine of the closest two sentences of the openings (titles included) under `idf`:
    outlets that frame one event differently still share a sentence that states it.

    Only the terms both openings hold add to a dot product, so those are summed term by
    term into the sentence-by-sentence table."""
    first = _sentence_frequencies(_informative(a.sentences))
    second = _sentence_frequencies(_informative(b.sentences))
    shared = frozenset(a.opening) & frozenset(b.opening)
    if not shared:
        return 0.0
    holders: dict[str, list[tuple[int, float]]] = {}
    for column, frequencies in enumerate(second):
        for term, frequency in frequencies.items():
            if term in shared:
                holders.setdefault(term, []).append((column, frequency))
    dots: dict[tuple[int, int], float] = {}
    for row, frequencies in enumerate(first):
        for term, frequency in frequencies.items():
            for column, other in holders.get(term, ()):
                key = (row, column)
                dots[key] = dots.get(key, 0.0) + frequency * other * idf(term) ** 2

    def norms(sentences: tuple[dict[str, float], ...]) -> list[float]:
        return [
            math.sqrt(sum((frequency * idf(term)) ** 2 for term, frequency in sentence.items()))
            for sentence in sentences
        ]

    first_norms, second_norms = norms(first), norms(second)
    return max(
        (dot / (first_norms[row] * second_norms[column]) for (row, column), dot in dots.items()),
        default=0.0,
    )


def unmentioned_title_names(event: EventFingerprint, other: EventFingerprint) -> bool:
    """Whether `event`'s title names someone `other` does not mention. Figures and short
    names are left aside: abbreviations are often spelled out ("МИД" is "внешнеполитическое
    ведомство", "РФ" is "Россия")."""
    mentioned = other.words | frozenset(other.opening)
    return any(
        lemma in event.names and len(lemma) > ABBREVIATION and lemma not in mentioned
        for lemma in event.title
    )


def name_conflict(a: EventFingerprint, b: EventFingerprint) -> bool:
    """Whether each title names someone the other article never mentions."""
    return unmentioned_title_names(a, b) and unmentioned_title_names(b, a)


def pair_features(
    a: EventFingerprint, b: EventFingerprint, idf: Idf, opening_idf: Idf
) -> PairFeatures:
    """The measurements of one pair, under the window's IDF of titles and leads (`idf`)
    and of openings (`opening_idf`)."""
    judged = judge(a, b, idf, opening_idf, floor=0.0)
    assert judged is not None  # every pair can reach a probability of 0
    return judged


def judge(
    a: EventFingerprint, b: EventFingerprint, idf: Idf, opening_idf: Idf, *, floor: float
) -> PairFeatures | None:
    """`pair_features`, or None when the pair cannot reach P(same) >= `floor`: the cheap
    measurements are taken first, and the costly three (closest sentences, opening meaning,
    title predicate) only when their best case could still lift the pair to `floor`."""
    opening_weights = {term: opening_idf(term) for term in {*a.opening, *b.opening}}
    weigh_opening = opening_weights.__getitem__  # the opening measurements read one IDF
    conflict = name_conflict(a, b)
    cheap = PairFeatures(
        title_fit=title_fit(a, b, idf),
        shared_figure=1.0 if a.figures & b.figures else 0.0,
        opening=opening_cosine(a, b, weigh_opening),
        closest_sentences=1.0,  # the best case, until measured
        opening_meaning=1.0,
        title_predicate=1.0,
        name_conflict=conflict,
    )
    if floor > 0.0 and (conflict or cheap.probability() < floor):
        return None
    return replace(
        cheap,
        closest_sentences=closest_sentences(a, b, weigh_opening),
        opening_meaning=opening_meaning(a, b, weigh_opening),
        title_predicate=title_predicate(a, b),
    )
