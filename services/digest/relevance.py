"""How much a story is about a query: where the query's words stand, and what shape the text has.

BM25 over lemmas (services/topics) finds the articles that mention a query, but it rewards
repetition and a short text as much as a headline: an astronomy piece about "облако газа и
пыли" scores for "нефть OR газ", a TV programme for "футбол" through a channel's name. A
reader judges a story by its headline and lead, so relevance here is a level by where each
concept of the query stands:

    title                        1.0
    lead                         0.8
    body, kept coming back to    0.3 … 0.5 (by how often, for the body's length)
    body, one passing mention    0.1 (0.25 in a short text)

several concepts ("Украина Путин") average their levels, and an article that names one of
them nowhere gets half. Listings — TV programmes, timetables, fixtures, horoscopes — are
recognised by shape (many short lines with clock times; a line per zodiac sign) and go last
whatever they mention.

Everything works on what the index already stored (the article's lemmas in reading order)
plus the lead of the text, so judging an article costs tens of microseconds; a
`ArticleProfile` is built once per article and answers every topic.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from services.text.lemmas import Lemmatizer, default_lemmatizer, words
from services.topics.query import AllOf, Node, Query

__all__ = [
    "BODY_FOCUSED",
    "LEAD",
    "PASSING",
    "TITLE",
    "ArticleProfile",
    "ProfileCache",
    "QueryTerms",
    "is_listing",
    "profile_article",
    "query_terms",
    "title_lemmas",
]

TITLE = 1.0
LEAD = 0.8
BODY_FOCUSED = 0.3  # at least two mentions; up to +0.2 for density
PASSING = 0.1
PASSING_SHORT = 0.25  # one mention in a short text is less of an aside
SHORT_BODY = 80  # lemmas
_DENSE = 2.0  # mentions per 100 body lemmas that earn the whole density bonus

_CLOCK = re.compile(r"(?<![0-9:.,])(?:[01]?[0-9]|2[0-3])[:.][0-5][0-9](?![0-9])")
_LISTING_MIN_LINES = 8
_LISTING_SHORT_LINE = 90  # characters
_LISTING_MIN_TIMES = 8
_LEAD_SCAN = 2000
_LEAD_WORDS = 60
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[^\W\d_]|[«\"“„(\d])")
_SIGN_STEMS = (
    ("овен", "овн"),
    ("телец", "тельц"),
    ("близнец",),
    ("рак",),
    ("лев", "льв"),
    ("дев",),
    ("вес",),
    ("скорпион",),
    ("стрел",),
    ("козерог",),
    ("водоле",),
    ("рыб",),
)
_SIGN_OF = {stem[:3]: number for number, stems in enumerate(_SIGN_STEMS) for stem in stems}
# a sign among a line's first three words: "Овен.", "Гороскоп Телец.", "♈ Овен (21.03–19.04)"
_SIGN_AT_START = re.compile(
    r"^\W*(?:[^\W\d_]+\W+){0,2}?"
    r"(овн|овен|тел[ье]ц|близнец|рак|л[еь]в|дев|вес|скорпион|стрел[еь]?ц|козерог|водоле|рыб)"
    r"[^\W\d_]{0,3}\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """What a query looks for, as lemma sets: one per concept that must be there."""

    concepts: tuple[frozenset[str], ...]

    @property
    def lemmas(self) -> frozenset[str]:
        return frozenset().union(*self.concepts)


def query_terms(query: Query) -> QueryTerms:
    """The query's concepts: each included part of an AND, alternatives (OR, alias groups)
    pooled; excluded words are not looked for."""
    root = query.root
    parts: Iterable[Node] = root.include if isinstance(root, AllOf) else (root,)
    concepts = [Query(part).wanted_lemmas() for part in parts]
    return QueryTerms(tuple(concept for concept in concepts if concept))


@dataclass(frozen=True, slots=True)
class ArticleProfile:
    """An article as relevance reads it: which lemmas its title and lead hold, the body's
    lemmas (one space-padded string, counted with `str.count`), and whether it is a listing."""

    title: frozenset[str]
    lead: frozenset[str]
    body: str  # " lemma lemma … lemma "
    body_length: int
    listing: bool

    def mentions(self, concept: frozenset[str]) -> int:
        """How often the body says one of the concept's lemmas."""
        return sum(self.body.count(f" {lemma} ") for lemma in concept)

    def level(self, concept: frozenset[str]) -> float:
        """Where the concept stands in this article (see the module docstring)."""
        if not self.title.isdisjoint(concept):
            return TITLE
        if not self.lead.isdisjoint(concept):
            return LEAD
        mentions = self.mentions(concept)
        if mentions >= 2:
            density = 100.0 * mentions / max(self.body_length, 1)
            return BODY_FOCUSED + 0.2 * min(density / _DENSE, 1.0)
        if mentions == 1:
            return PASSING_SHORT if self.body_length < SHORT_BODY else PASSING
        return 0.0

    def relevance(self, terms: QueryTerms) -> float:
        """0 … 1: the mean level of the query's concepts, halved when one is missing."""
        if not terms.concepts:
            return 0.0
        levels = [self.level(concept) for concept in terms.concepts]
        mean = sum(levels) / len(levels)
        return mean if min(levels) > 0 else mean / 2


def profile_article(
    title: str,
    text: str,
    stored_lemmas: str | None,
    language: str,
    lemmatizer: Lemmatizer,
) -> ArticleProfile:
    """The profile of one article from its title, text and the lemma text the index stored.

    The stored lemmas run title, lead, body in reading order. The title is lemmatised again
    (from the lemmatiser's cache) to know where it ends; the lead's length is counted in
    words, near enough for ranking, without sentence splitting.
    """
    if stored_lemmas is None:
        stored_lemmas = lemmatizer.article(title, text, language).text()
    title_size = len(lemmatizer.lemmas(title, language))
    lead_size = _lead_size(text)
    pieces = stored_lemmas.split(" ", title_size + lead_size)
    head, body = pieces[: title_size + lead_size], pieces[title_size + lead_size :]
    rest = body[0] if body else ""
    return ArticleProfile(
        title=frozenset(head[:title_size]),
        lead=frozenset(head[title_size:]),
        body=f" {rest} ",
        body_length=rest.count(" ") + 1 if rest else 0,
        listing=is_listing(text),
    )


def _lead_size(text: str) -> int:
    """About how many lemmas the index put in the lead (see services.text.lemmas.split_lead):
    the first two sentences of the first paragraph, at most 60 words."""
    paragraph = text.lstrip()[:_LEAD_SCAN].split("\n", 1)[0]
    sentences = _SENTENCE_END.split(paragraph, 2)[:2]
    first = len(words(sentences[0]))
    both = first + (len(words(sentences[1])) if len(sentences) > 1 else 0)
    if both <= _LEAD_WORDS:
        return both
    return min(first, _LEAD_WORDS)


@lru_cache(maxsize=20_000)
def title_lemmas(title: str, language: str) -> frozenset[str]:
    """The lemmas of a headline, kept: a day's headlines are looked at by every search."""
    return frozenset(default_lemmatizer().lemmas(title, language))


class ProfileCache:
    """The profiles of recently judged articles (an article never changes once stored), so
    that the next digest or search need not read and judge them again."""

    def __init__(self, capacity: int = 4000) -> None:
        self._capacity = capacity
        self._profiles: OrderedDict[int, ArticleProfile] = OrderedDict()

    def get(self, article_id: int) -> ArticleProfile | None:
        found = self._profiles.get(article_id)
        if found is not None:
            self._profiles.move_to_end(article_id)
        return found

    def update(self, profiles: Mapping[int, ArticleProfile]) -> None:
        self._profiles.update(profiles)
        for article_id in profiles:
            self._profiles.move_to_end(article_id)
        while len(self._profiles) > self._capacity:
            self._profiles.popitem(last=False)


def is_listing(text: str) -> bool:
    """Whether the text is a listing rather than a story, by its shape.

    A TV programme, a timetable or a list of fixtures is many short lines most of which
    hold a clock time ("06:00 Новости"), or, flattened into one paragraph, a clock time
    every few words; a horoscope is a line (or a paragraph) for each zodiac sign.
    """
    if text.count(":") >= _LISTING_MIN_TIMES:  # "06:00 … 06:10 …" run into one paragraph
        times = len(_CLOCK.findall(text))
        if times >= _LISTING_MIN_TIMES and times * 8 >= text.count(" ") + 1:
            return True
    if text.count("\n") < 5:
        return False  # too few lines for a programme or a horoscope
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) >= _LISTING_MIN_LINES:
        short = sum(len(line) <= _LISTING_SHORT_LINE for line in lines)
        if short >= 0.6 * len(lines):
            timed = sum(bool(_CLOCK.search(line)) for line in lines)
            if timed >= 0.5 * len(lines):
                return True
    signs = {_SIGN_OF[found.group(1).casefold()[:3]] for found in _SIGN_AT_START.finditer(text)}
    return len(signs) >= 6
