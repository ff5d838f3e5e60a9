"""Names in a text: the people, organisations and places an event is about, and its figures.

The typographic rule: a capitalised word inside a sentence, an all-caps word (an
abbreviation) or a number. Names are kept as lemmas ("Нуртлеу", "Нуртлеу's", "Нуртлеу" in any
case are one name). slovnet's Russian news NER was measured as an addition (it also finds the
name a headline starts with) and gained nothing on labelled pairs while costing ~4 ms per
article and ~50 MB; benchmarks/clustering.py --ner repeats that measurement.
"""

from __future__ import annotations

import razdel

from services.text.lemmas import Lemmatizer, words


def names(parts: tuple[str, ...], language: str, lemmatizer: Lemmatizer) -> frozenset[str]:
    """Lemmas of the capitalised words inside a sentence, all-caps words and numbers of the
    texts `parts` (a title, a lead: each read alone, a title has no full stop)."""
    found: set[str] = set()
    for part in parts:
        for sentence in razdel.sentenize(part):
            for position, word in enumerate(words(sentence.text)):
                if (
                    word.isdigit()
                    or (position > 0 and word[:1].isupper())
                    or (len(word) > 1 and word.isupper())
                ):
                    found.update(lemmatizer.lemmas(word, language))
    return frozenset(found)
