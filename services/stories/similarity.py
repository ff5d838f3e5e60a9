"""Are two articles one event? A few measurements and a tiny logistic model over them.

The reader's rule: same only if both report the same single event (incident, statement,
decision, match, release); time, place and figures agree; each title fits the other article.
What the decision reads, each in [0, 1]:

- `tfidf`: cosine of the weighted title+lead lemmas under IDF (the event's rare words —
  names, places, figures — count, common news vocabulary does not);
- `title_fit`: how much of each title the other article says, in meaning: a title word
  counts when the other's title or lead has it, or (Russian) a near-synonym whose navec
  cosine reaches NEAR_SYNONYM; names and figures have no synonyms, so they must match
  exactly ("Лавров met Нуртлеу" does not fit "Лавров met Саидов"). IDF-weighted, averaged
  over both directions;
- `shared_figure`: 1 when the two leads share a number (a count, a date, a score);
- `opening`: cosine of the title and the text's opening (fingerprint.BODY_LEMMAS lemmas,
  names weighted as in `tfidf`) under the openings' own IDF: outlets that word the headline of one event differently still retell the same
  quote, place and second figure a few sentences in;
- `name_conflict`: 1 when each title names someone or something (a person, a place, a
  team) that the other article never mentions in its title, lead or opening: a title must
  fit the other article, and a name cannot be paraphrased ("Карлсен обыграл Накамуру" and
  "Накамура обыграл Каруану" are two matches).

P(same) = logistic(WEIGHTS · features + BIAS); same when it reaches THRESHOLD. The weights
and bias are fitted by `benchmarks/clustering.py --fit` on labelled Russian pairs (a logistic
regression with a light L2 penalty); the benchmark reports them cross-validated. On 398
labelled Russian pairs: precision 0.885, recall 0.792 cross-validated (0.888, 0.799 on the
whole set); the three features before the opening and name conflict: 0.877, 0.735. THRESHOLD
sits a little above even odds on purpose: a wrong merge hides an event from the reader,
a missed one only shows a second report of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from services.stories.embeddings import Vector, word_vector
from services.stories.fingerprint import EventFingerprint

NEAR_SYNONYM = 0.5
WEIGHTS = (1.82, 3.45, 0.77, 4.00, -0.58)  # tfidf, title_fit, shared_figure, opening, name_conflict
BIAS = -4.37
THRESHOLD = 0.55
ABBREVIATION = 4  # letters: a name this short is usually an abbreviation
EMBEDDED_LANGUAGES = frozenset({"ru"})  # navec knows Russian words only

Idf = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class PairFeatures:
    tfidf: float
    title_fit: float
    shared_figure: float
    opening: float
    name_conflict: float

    def values(self) -> tuple[float, ...]:
        """The measurements in the order of WEIGHTS."""
        return (self.tfidf, self.title_fit, self.shared_figure, self.opening, self.name_conflict)

    def probability(self) -> float:
        """P(same event) under the fitted model."""
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
    """How well each title fits the other article, averaged over both directions."""
    by_meaning = a.language in EMBEDDED_LANGUAGES and b.language in EMBEDDED_LANGUAGES
    return (
        title_coverage(a, b, idf, by_meaning=by_meaning)
        + title_coverage(b, a, idf, by_meaning=by_meaning)
    ) / 2


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
    a: EventFingerprint, b: EventFingerprint, tfidf: float, idf: Idf, opening_idf: Idf
) -> PairFeatures:
    """The measurements of one pair, given their TF-IDF cosine (the index computes it)."""
    return PairFeatures(
        tfidf=tfidf,
        title_fit=title_fit(a, b, idf),
        shared_figure=1.0 if a.figures & b.figures else 0.0,
        opening=opening_cosine(a, b, opening_idf),
        name_conflict=1.0 if name_conflict(a, b) else 0.0,
    )
