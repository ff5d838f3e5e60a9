"""Offline sentence and word tokenizers with sumy's `to_sentences` / `to_words` interface.

sumy's own `Tokenizer` loads NLTK's punkt models, which must be downloaded at run time and
so fail on a server without network. These need nothing beyond installed packages:

- Russian and Kazakh (Cyrillic): razdel. razdel refuses to end a sentence before a
  lower-case word, which is right for ordinary text but finds no boundary at all in
  case-folded text (some feeds and corpora lower-case everything), so a paragraph without a
  single capital letter is split by razdel's own rules minus that one.
- English: NLTK's Punkt algorithm with a built-in abbreviation list instead of a trained
  model, so "Mr. Smith" and "U.S. officials" stay in one sentence.

Two sentences glued without a space ("году.По последним данным", "family.Once the") are
parted before splitting, since neither splitter sees a boundary there; numbers ("3.5"),
abbreviations ("т.е.", "ул.Ленина"), initials ("В.В.Путин"), domains ("ria.ru") and names
written with a dot ("Яндекс.Такси") are left alone (`unglue_sentences`).

Words are runs of letters, with inner hyphens and apostrophes ("из-за", "it's"); numbers and
punctuation are not words, as in sumy.
"""

from __future__ import annotations

import re
from functools import cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from razdel import sentenize, tokenize
from razdel.segmenters.sentenize import RULES, SentSegmenter

__all__ = [
    "EnglishTokenizer",
    "RazdelTokenizer",
    "Tokenizer",
    "tokenizer_for",
    "unglue_sentences",
]

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_IS_WORD = re.compile(r"^[^\W\d_]+(?:['’\-]?[^\W\d_]+)*$")
_LINES = re.compile(r"\s*\n\s*")
_SPACES = re.compile(r"\s+")
_ENDS_WITH_INITIALS = re.compile(r"(?:^|\s)(?:[A-Z]\.){1,3}$")
# A word, a sentence end and the next word with no space between: "году.По", "сделал.Но".
# The word must not continue a dotted token ("www.Example", "т.е.Путин", "1.Пункт").
_STOP_BEFORE_WORD = re.compile(r"[.!?…][\"»”’)]*[^\W\d_]")
_GLUED = re.compile(
    r"(?<![\w.\-/@:])([^\W\d_]{2,}|\d{2,})([\"»”’)]*[.!?…]+[\"»”’)]*)([^\W\d_]{2,})"
    r"(?![.\-@/][^\W\d_])(\s?)"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Abbreviations that end with a period but rarely end an English sentence (lower case,
# without the final period, as Punkt expects them).
_ENGLISH_ABBREVIATIONS = _words(
    """
    mr mrs ms dr prof rev gen lt col maj capt sgt cpl adm gov sen rep pres supt insp det
    st ave rd blvd mt ft jr sr co corp inc ltd bros dept est approx vs etc al e.g i.e cf
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    u.s u.k u.n u.s.a e.u no nos vol p pp fig ch
    a.m p.m d.c n.y l.a
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo
    mont neb nev n.h n.j n.m n.c n.d okla ore pa r.i s.c s.d tenn tex va vt wash wis wyo
    """
)


# Abbreviations written before a name, where "ул.Ленина" is one sentence (lower case).
_NAME_ABBREVIATIONS = _words(
    """
    ул пр просп пер пл наб ш бул им ст св обл р оз пос дер с акад проф доц ген тов гр
    мр мс dr mr mrs ms st mt vs gen gov sen rep col capt lt sgt www
    """
)
# Cyrillic domain endings, so that "сайт.рф" in lower-case text stays one word.
_CYRILLIC_DOMAINS = _words("рф рус орг ком онлайн сайт москва дети укр бел қаз")
# Units and numerals written with a dot ("5 млн.руб"): in lower-case text no capital says
# that a sentence starts after them.
_UNIT_ABBREVIATIONS = _words("тыс млн млрд трлн руб долл коп мин сек час км кг тн экз стр")


def _unglued(match: re.Match[str]) -> str:
    left, stop, right, space = match.groups()
    whole = match.group(0)
    if left.isdigit():  # "составит 1,79.Оперативные новости": a figure ends the sentence
        if space and right[0].isupper() and right[1:].islower():
            return f"{left}{stop} {right}{space}"
        return whole
    capital_next = left[-2:].islower() and right[0].isupper() and right[1:].islower()
    # In lower-case text only Cyrillic words are parted: Latin ones there are mostly domains.
    folded_next = (
        left.islower()
        and right.islower()
        and len(left) >= 3
        and bool(space)
        and not left.isascii()
        and right not in _CYRILLIC_DOMAINS
        and left not in _UNIT_ABBREVIATIONS
    )
    if not (capital_next or folded_next) or left.lower() in _NAME_ABBREVIATIONS:
        return whole
    if left[0].isupper() and (not space or (right.isascii() and len(right) <= 3)):
        return whole  # "Яндекс.Такси»", "Лада.Онлайн.", "Ria.Ru": a name with a dot in it
    return f"{left}{stop} {right}{space}"


def unglue_sentences(line: str) -> str:
    """`line` with a space put back between two sentences written without one."""
    if not _STOP_BEFORE_WORD.search(line):
        return line
    return _GLUED.sub(_unglued, line)


class Tokenizer:
    """The two methods sumy's parsers and summarizers call on a tokenizer."""

    language: str

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Sentences of `paragraph`, stripped, in order; a line break always ends one."""
        sentences: list[str] = []
        for line in _LINES.split(paragraph):
            sentences.extend(self._line_sentences(unglue_sentences(line)))
        return tuple(filter(None, (_SPACES.sub(" ", s).strip() for s in sentences)))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The words of `sentence` in order; numbers and punctuation are left out."""
        return tuple(_WORD.findall(sentence))

    def _line_sentences(self, line: str) -> list[str]:
        raise NotImplementedError


def _is_case_folded(text: str) -> bool:
    return text.lower() == text


_CASELESS_SENTENIZE = SentSegmenter(rules=[rule for rule in RULES if rule.name != "lower_right"])


class RazdelTokenizer(Tokenizer):
    """razdel's rules for Russian and Kazakh text, case-folded paragraphs included."""

    def __init__(self, language: str = "ru") -> None:
        self.language = language

    def _line_sentences(self, line: str) -> list[str]:
        segmenter = _CASELESS_SENTENIZE if _is_case_folded(line) else sentenize
        return [substring.text for substring in segmenter(line)]

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(token.text for token in tokenize(sentence) if _IS_WORD.match(token.text))


class EnglishTokenizer(Tokenizer):
    """Punkt's sentence boundaries with a fixed English abbreviation list; no model files."""

    def __init__(self) -> None:
        self.language = "en"
        parameters = PunktParameters()
        parameters.abbrev_types = set(_ENGLISH_ABBREVIATIONS)
        self._punkt = PunktSentenceTokenizer(parameters)

    def _line_sentences(self, line: str) -> list[str]:
        sentences: list[str] = []
        for sentence in self._punkt.tokenize(line):
            if sentences and _ENDS_WITH_INITIALS.search(sentences[-1]):
                sentences[-1] = f"{sentences[-1]} {sentence}"  # "J.J. Abrams", "George W. Bush"
            else:
                sentences.append(sentence)
        return sentences


@cache
def tokenizer_for(language: str) -> Tokenizer:
    """The tokenizer for a language code (ru, kk, en); razdel's for anything else."""
    if language == "en":
        return EnglishTokenizer()
    return RazdelTokenizer(language if language in ("ru", "kk") else "ru")
