"""What an article is compared by: the lemmas of its title, lead and opening, names, figures.

An event is who, where and how much, told in a headline and a lead; so a fingerprint keeps
the content lemmas of both (in order, title apart from lead: the reader's rule is that each
title must fit the other article), the names among them and the figures. Two outlets often
word the headline and lead of one event differently and agree only further on (the quote,
the second figure, the place), so the opening of the text (BODY_LEMMAS content lemmas) is
kept as well, with where each of its sentences starts: one outlet's lead is often another's
third sentence, and a retold quote matches sentence to sentence. The title's verbs say what
happened: a hospitalisation and a diagnosis share every name and differ there. It is stored with
the story (story_fingerprints.terms) as prefixed tokens, so a new article is compared with
the last 48 hours without reading or analysing them again.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass

from services.stories.entities import names
from services.text.lemmas import Lemmatizer, split_lead
from services.text.stopwords import stop_words
from services.text.tokenizers import tokenizer_for

TITLE_WEIGHT = 2  # a headline is the densest statement of the event
NAME_WEIGHT = 3  # who, where and how much tell look-alike events apart
BODY_LEMMAS = 200  # the text's opening: ~300 words, more than the median article's whole text
_BODY_SCAN = 3000  # characters read for it (lemmatising a long text whole costs time)

_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")
_TITLE, _LEAD, _NAME, _FIGURE_TAG, _LANGUAGE, _BODY = "T:", "L:", "N:", "#:", "@:", "B:"
_SENTENCE, _VERB = "S:", "V:"


def figures(text: str) -> frozenset[str]:
    """The numbers written in `text` ("3,5" and "3.5" are one figure)."""
    return frozenset(match.replace(",", ".") for match in _FIGURE.findall(text))


@dataclass(frozen=True, slots=True)
class EventFingerprint:
    language: str
    title: tuple[str, ...]  # content lemmas of the title, in order
    lead: tuple[str, ...]  # content lemmas of the lead, in order
    names: frozenset[str]  # lemmas of people, organisations, places, abbreviations, numbers
    figures: frozenset[str]  # numbers as written in the title and lead
    body: tuple[str, ...] = ()  # content lemmas of the title and the text's opening, in order
    sentence_starts: tuple[int, ...] = ()  # where each sentence of `body` starts (title: 0)
    verbs: tuple[str, ...] = ()  # lemmas of the title's verbs: what happened (Russian)

    @property
    def opening(self) -> tuple[str, ...]:
        """The text's opening lemmas; title and lead for a fingerprint stored without them."""
        return self.body or self.title + self.lead

    @property
    def sentences(self) -> tuple[tuple[str, ...], ...]:
        """The opening cut at its sentence starts; one sentence for a fingerprint stored
        without them."""
        opening = self.opening
        if not opening:
            return ()
        starts = [start for start in self.sentence_starts if 0 < start < len(opening)]
        bounds = [0, *starts, len(opening)]
        return tuple(opening[begin:end] for begin, end in zip(bounds, bounds[1:], strict=False))

    @property
    def words(self) -> frozenset[str]:
        """Every content lemma of the title and lead."""
        return frozenset(self.title) | frozenset(self.lead)

    def weighted_terms(self) -> list[str]:
        """Terms for the TF-IDF cosine: title lemmas count TITLE_WEIGHT times, names
        NAME_WEIGHT times (the two multiply)."""
        terms: list[str] = []
        for lemmas, weight in ((self.title, TITLE_WEIGHT), (self.lead, 1)):
            for lemma in lemmas:
                terms.extend([lemma] * weight * (NAME_WEIGHT if lemma in self.names else 1))
        return terms

    def term_frequencies(self) -> dict[str, float]:
        """Sublinear term frequencies (1 + log count) of `weighted_terms`."""
        counts = Counter(self.weighted_terms())
        return {term: 1.0 + math.log(count) for term, count in counts.items()}

    def opening_frequencies(self) -> dict[str, float]:
        """Sublinear frequencies of the opening's lemmas, names counting NAME_WEIGHT times."""
        counts = Counter(self.opening)
        return {
            term: 1.0 + math.log(count * (NAME_WEIGHT if term in self.names else 1))
            for term, count in counts.items()
        }

    def encode(self) -> tuple[str, ...]:
        """Tokens to store (no token holds a space)."""
        return (
            (_LANGUAGE + self.language,)
            + tuple(_TITLE + lemma for lemma in self.title)
            + tuple(_LEAD + lemma for lemma in self.lead)
            + tuple(_NAME + name for name in sorted(self.names))
            + tuple(_FIGURE_TAG + figure for figure in sorted(self.figures))
            + tuple(_BODY + lemma for lemma in self.body)
            + tuple(_SENTENCE + str(start) for start in self.sentence_starts)
            + tuple(_VERB + verb for verb in self.verbs)
        )

    @classmethod
    def decode(cls, tokens: tuple[str, ...] | list[str]) -> EventFingerprint:
        """The fingerprint `encode` stored. Bare tokens (fingerprints stored before names
        and figures were kept) read as lead lemmas."""
        language = ""
        title: list[str] = []
        lead: list[str] = []
        found_names: set[str] = set()
        found_figures: set[str] = set()
        body: list[str] = []
        starts: list[int] = []
        found_verbs: list[str] = []
        for token in tokens:
            tag, value = token[:2], sys.intern(token[2:])  # one copy of each lemma in memory
            if tag == _TITLE:
                title.append(value)
            elif tag == _LEAD:
                lead.append(value)
            elif tag == _NAME:
                found_names.add(value)
            elif tag == _FIGURE_TAG:
                found_figures.add(value)
            elif tag == _LANGUAGE:
                language = value
            elif tag == _BODY:
                body.append(value)
            elif tag == _SENTENCE and value.isdigit():
                starts.append(int(value))
            elif tag == _VERB:
                found_verbs.append(value)
            else:
                lead.append(token)
        return cls(
            language,
            tuple(title),
            tuple(lead),
            frozenset(found_names),
            frozenset(found_figures),
            tuple(body),
            tuple(starts),
            tuple(found_verbs),
        )


def fingerprint(title: str, text: str, language: str, lemmatizer: Lemmatizer) -> EventFingerprint:
    """The fingerprint of an article from its title and the beginning of its text."""
    lead, _ = split_lead(text)
    found = names((title, lead), language, lemmatizer)
    own = stop_words(language)
    foreign = (stop_words("ru") | stop_words("en")) - own

    def content(source: str) -> tuple[str, ...]:
        # A foreign stop word written as a name is one: "TWICE", "More" in a Russian text.
        return tuple(
            sys.intern(lemma)
            for lemma in lemmatizer.lemmas(source, language)
            if (len(lemma) > 1 or lemma.isdigit())
            and lemma not in own
            and (lemma not in foreign or lemma in found)
        )

    body: list[str] = []
    starts: list[int] = []
    headline = content(title)
    sentences = (content(s) for s in tokenizer_for(language).to_sentences(text[:_BODY_SCAN]))
    for sentence in (headline, *sentences):
        if sentence and len(body) < BODY_LEMMAS:
            starts.append(len(body))
            body.extend(sentence[: BODY_LEMMAS - len(body)])
    return EventFingerprint(
        language=language,
        title=headline,
        lead=content(lead),
        names=found,
        figures=figures(title) | figures(lead),
        body=tuple(body),
        sentence_starts=tuple(starts),
        verbs=tuple(sys.intern(verb) for verb in lemmatizer.verbs(title, language)),
    )
