"""Lemmas: the one normal form of a word that the topic index and topic queries share.

Topic matching compares words, so "Казахстана", "Казахстане" and "казахстанско-российского"
have to meet "Казахстан" somewhere. Each word is reduced to a lemma by its alphabet and the
article's language:

- Russian (Cyrillic): pymorphy3's dictionary lemma. A capitalised word prefers a proper-noun
  reading: a surname in "-ов/-ев" with any case ending is that surname even where the
  dictionary does not know it ("Токаев" would otherwise be the genitive plural of "токай",
  "Бектенова" the plural of "бектен"), then the dictionary's surname, place, organisation
  and first-name readings in that order, so "Пескова" is the spokesman and not sand.
- Kazakh (a Cyrillic word with Kazakh letters, or any Cyrillic word of a Kazakh article): a
  light suffix stripper (`kazakh_stem`), then Kazakh letters folded to their Russian
  look-alikes (қ→к, ә→а, ұ→у …) so that "Тоқаевтың" meets "Токаев" and a query typed on a
  Russian keyboard still finds Kazakh text.
- Latin: the Snowball English stemmer ("Kazakhstan's" → "kazakhstan").

Everything is case-folded and "ё" is written "е". A hyphenated compound is split into its
parts; a first part that is an adjective stem ("казахстанско-", "российско-") becomes that
adjective, so "казахстанско-российского" gives "казахстанский российский" and so does
"российско-казахстанских" (reversed). A suffix hyphenated to an abbreviation or a number
("ЕАЭО-ға", "2024-м") is dropped.

Words come from one compiled pattern rather than razdel's tokenizer: lemmas need only words
(runs of letters and digits joined by inner hyphens or apostrophes), razdel also emits
punctuation that would be thrown away, and on a 1,000-word article the pattern takes
0.2 ms against razdel's 3.5 ms. Sentences, which are razdel's strength, come from razdel
(`split_lead`). Every lemma is made of letters and digits only, so SQLite's unicode61
tokenizer sees exactly one token per lemma.

Lemmatising is CPU work: call it from a worker thread when on the event loop.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

import pymorphy3
import razdel
import snowballstemmer

__all__ = [
    "ArticleLemmas",
    "Position",
    "Lemmatizer",
    "default_lemmatizer",
    "kazakh_stem",
    "split_lead",
    "words",
]

Route = Literal["ru", "kk", "en"]

_WORD = re.compile(r"[^\W_]+(?:[-‐‑'’][^\W_]+)*")
_HYPHENS = re.compile(r"[-‐‑]")
_APOSTROPHES = re.compile(r"['’]")
_KAZAKH_LETTERS = frozenset("әғқңөұүһі")
_KAZAKH_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")
_PROPER_TAGS = ("Surn", "Geox", "Orgn", "Abbr", "Name", "Patr")
_HYPHEN_SUFFIX_MAX = 6  # "ЖЭО-ларын", "2024-го": endings written after a hyphen
_SURNAME = re.compile(r"^(\w{3,}?[ое]в)(?:а|у|ым|е|ой|ы|ых|ыми)?$")
# Adjectives that do not follow the regular "-ский" pattern of the place they come from.
_IRREGULAR_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "москва": ("московский",),
    "франция": ("французский",),
    "турция": ("турецкий",),
    "беларусь": ("белорусский",),
    "белоруссия": ("белорусский",),
    "америка": ("американский",),
    "сша": ("американский",),
    "узбекистан": ("узбекский",),
    "кыргызстан": ("кыргызский", "киргизский"),
    "киргизия": ("киргизский",),
    "таджикистан": ("таджикский",),
    "туркменистан": ("туркменский",),
    "грузия": ("грузинский",),
    "армения": ("армянский",),
    "астана": ("астанинский",),
    "алматы": ("алматинский",),
}
_TOPONYM_SUFFIXES = ("ский", "ийский", "инский", "анский")
# Lead: the sentences that say what the story is about (inverted pyramid).
_LEAD_SENTENCES = 2
_LEAD_MAX_WORDS = 60
_LEAD_SCAN_CHARS = 2000


# Kazakh endings a light stemmer may take off, each with the letters it can follow (Kazakh
# picks a suffix's first consonant by the sound before it): case (genitive, dative,
# locative, ablative, accusative, instrumental), the locative-attributive "-дағы"
# ("Астанадағы"), the adjective-forming "-лық" ("ресейлік"), plural and 3rd-person possessive.
_KK_VOWEL = "аәеиоөуұүыіэюя"
_KK_NASAL = "мнң"
_KK_VOICED = "лрйузж"
_KK_HARD = "кқпстфхшщчцһбвгдғ"
_KK_RULES: tuple[tuple[str, str], ...] = (
    ("ның нің", _KK_VOWEL + _KK_NASAL),
    ("дың дің", _KK_VOICED),
    ("тың тің", _KK_HARD),
    ("ға ге да де дағы дегі", _KK_VOWEL + _KK_NASAL + _KK_VOICED),
    ("қа ке та те тағы тегі", _KK_HARD),
    ("нда нде ндағы ндегі", "ыі"),  # after a possessive ending only
    ("нан нен", _KK_NASAL + "ыі"),
    ("дан ден", _KK_VOWEL + _KK_VOICED),
    ("тан тен", _KK_HARD),
    ("ны ні", _KK_VOWEL),
    ("ды ді", _KK_NASAL + _KK_VOICED),
    ("ты ті", _KK_HARD),
    ("мен", _KK_VOWEL + _KK_NASAL + _KK_VOICED),
    ("бен", "жз"),
    ("пен", _KK_HARD),
    ("лар лер лық лік", _KK_VOWEL + "рйу"),
    ("дар дер дық дік", "лмнңзж"),
    ("тар тер тық тік", _KK_HARD),
    ("сы сі", _KK_VOWEL),
    ("ы і", _KK_NASAL + _KK_VOICED + _KK_HARD),
    ("н", "ыі"),  # accusative after a possessive: "станциясын"
)
_KK_ENDINGS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    sorted(
        ((ending, frozenset(after)) for endings, after in _KK_RULES for ending in endings.split()),
        key=lambda rule: len(rule[0]),
        reverse=True,
    )
)
_KK_VOWELS = frozenset(_KK_VOWEL)
_KK_DEVOICE = {"ғ": "қ", "г": "к", "б": "п"}
_KK_MIN_ROOT = 3  # "осы" (this) must not shrink to "ос", a root that Өскемен also reaches


def kazakh_stem(word: str) -> str:
    """Strip Kazakh endings one after another while a root of three letters with a vowel remains.

    An ending comes off only after a sound it can follow ("-ті" after a voiceless consonant,
    so "Президенті" loses "-і", not "-ті").

    Stripping until nothing more comes off (not just once) is what makes the forms of one word
    agree: a nominative that happens to end like a suffix ("Ақорда", "Қазақстан") loses that
    tail, and so do its inflected forms ("Ақордада" → "ақорда" → "ақор") once their real
    ending is gone. A single pass (services.text.stemmers) gives those two different keys.
    A final "ғ", "г" or "б" is written "қ", "к", "п": Kazakh voices those before a vowel
    ending, so "одағы" (its union) comes back to "одақ".
    """
    stem = word.lower()
    changed = True
    while changed:
        changed = False
        for ending, after in _KK_ENDINGS:
            root = stem[: -len(ending)]
            if (
                stem.endswith(ending)
                and len(root) >= _KK_MIN_ROOT
                and root[-1] in after
                and any(char in _KK_VOWELS for char in root)
            ):
                stem = root
                changed = True
                break
    return stem[:-1] + _KK_DEVOICE[stem[-1]] if stem and stem[-1] in _KK_DEVOICE else stem


def words(text: str) -> list[str]:
    """The words of `text` as written: letters and digits, inner hyphens and apostrophes kept."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


def split_lead(text: str) -> tuple[str, str]:
    """(lead, rest): the first sentences of the first paragraph, at most about 60 words.

    A news story says in its lead what it is about; ranking and topic focus lean on that.
    """
    stripped = text.strip()
    if not stripped:
        return "", ""
    first_paragraph = stripped.split("\n", 1)[0]
    scan = first_paragraph[:_LEAD_SCAN_CHARS]
    end = 0
    word_count = 0
    for index, sentence in enumerate(razdel.sentenize(scan)):
        sentence_words = len(_WORD.findall(sentence.text))
        if index > 0 and (
            index >= _LEAD_SENTENCES or word_count + sentence_words > _LEAD_MAX_WORDS
        ):
            break
        end = sentence.stop
        word_count += sentence_words
    if end == 0 or word_count > _LEAD_MAX_WORDS:  # one long run-on "sentence": cut it by words
        cut = list(_WORD.finditer(scan))[:_LEAD_MAX_WORDS]
        end = cut[-1].end() if cut else len(scan)
    lead_end = len(text) - len(text.lstrip()) + end
    return text[:lead_end].strip(), text[lead_end:].strip()


Position = tuple[int, int]
"""Where a lemma stands: (field, index), field 0 = title, 1 = lead, 2 = body."""


@dataclass(frozen=True, slots=True)
class ArticleLemmas:
    """An article as the topic index sees it: lemma sequences of its title, lead and body.

    `positions` (where each lemma stands, for phrases and for counting mentions) is worked
    out on first use and kept: most articles are only ever asked which words they hold.
    """

    title: tuple[str, ...]
    lead: tuple[str, ...]
    body: tuple[str, ...]
    vocabulary: frozenset[str] = field(compare=False, repr=False)
    _memo: dict[str, Mapping[str, tuple[Position, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(cls, title: Iterable[str], lead: Iterable[str], body: Iterable[str]) -> ArticleLemmas:
        fields = (tuple(title), tuple(lead), tuple(body))
        return cls(*fields, frozenset().union(*fields))

    @classmethod
    def from_columns(cls, title: str, lead: str, body: str) -> ArticleLemmas:
        """Rebuild from the space-separated lemma text stored in the index."""
        return cls.build(title.split(), lead.split(), body.split())

    @property
    def positions(self) -> Mapping[str, tuple[Position, ...]]:
        found = self._memo.get("positions")
        if found is None:
            where: dict[str, list[Position]] = {}
            for number, lemmas in enumerate(self.fields()):
                for index, lemma in enumerate(lemmas):
                    where.setdefault(lemma, []).append((number, index))
            found = {lemma: tuple(places) for lemma, places in where.items()}
            self._memo["positions"] = found
        return found

    def text(self) -> str:
        """All lemmas in reading order, space-separated (the article's stored lemma text)."""
        return " ".join(self.title + self.lead + self.body)

    def fields(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return self.title, self.lead, self.body

    def phrase_positions(self, phrase: Sequence[str]) -> list[Position]:
        """Where `phrase` starts, within one field (a phrase never runs from title into lead)."""
        fields = self.fields()
        size = len(phrase)
        return [
            (number, index)
            for number, index in self.positions.get(phrase[0], ())
            if fields[number][index : index + size] == tuple(phrase)
        ]


_VERB_PARTS = frozenset({"VERB", "INFN", "PRTS"})


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    """The Russian analyser: loading its dictionaries takes a while, so it is loaded once."""
    return pymorphy3.MorphAnalyzer()


class Lemmatizer:
    """Words to lemmas, with an LRU cache of word forms (news repeats the same forms all day).

    `cache_size=0` turns the cache off (the benchmark's baseline). Safe to share between
    threads: the morphology dictionary is read-only and each thread has its own Snowball stemmer.
    """

    def __init__(self, cache_size: int = 200_000) -> None:
        self._morph = _morph()
        self._local = threading.local()
        self._token: Callable[[str, bool], tuple[str, ...]]
        self._alternatives: Callable[[str, bool], tuple[tuple[str, ...], ...]]
        if cache_size > 0:
            self._token = lru_cache(maxsize=cache_size)(self._token_uncached)
            self._alternatives = lru_cache(maxsize=cache_size // 10 or 1)(
                self._alternatives_uncached
            )
        else:
            self._token = self._token_uncached
            self._alternatives = self._alternatives_uncached

    # -- articles ---------------------------------------------------------------------------

    def lemmas(self, text: str, language: str = "ru") -> list[str]:
        """The lemmas of `text` in order; `language` is the article's (ru, kk or en)."""
        kazakh = language == "kk"
        result: list[str] = []
        for token in _WORD.findall(unicodedata.normalize("NFC", text)):
            result.extend(self._token(token, kazakh))
        return result

    def verbs(self, text: str, language: str = "ru") -> list[str]:
        """Lemmas of the words of `text` that pymorphy3 reads first as a verb, an infinitive
        or a short participle ("подписал", "подписать", "подписан"): what a headline says
        happened. Russian only; none for other languages."""
        if language != "ru":
            return []
        found: list[str] = []
        for word in _WORD.findall(unicodedata.normalize("NFC", text)):
            readings = self._parse(word.lower())
            if readings and readings[0].tag.POS in _VERB_PARTS:
                found.append(_clean(readings[0].normal_form))
        return found

    def article(self, title: str, text: str, language: str = "ru") -> ArticleLemmas:
        """Title, lead and body lemmas of an article (see `ArticleLemmas`)."""
        lead, body = split_lead(text)
        return ArticleLemmas.build(
            self.lemmas(title, language), self.lemmas(lead, language), self.lemmas(body, language)
        )

    # -- queries ----------------------------------------------------------------------------

    def query_word(self, word: str, *, derive: bool = True) -> tuple[tuple[str, ...], ...]:
        """Lemma alternatives for each part of a word typed in a query.

        The query's language is unknown, so every reading an article could have indexed the
        word under is offered: its Russian lemma with and without a capital, its Kazakh stem
        and, for a place name standing alone with `derive`, the adjective made from it
        ("Казахстан" → казахстанский; not inside a name such as "Республика Казахстан").
        A compound gives one tuple per part, like `lemmas` does; a word with no letters or
        digits gives none.
        """
        return self._alternatives(unicodedata.normalize("NFC", word), derive)

    def is_function_word(self, word: str) -> bool:
        """Whether a query word says nothing on its own (a preposition, conjunction, particle).

        A search box ignores such words unless they are inside a quoted phrase.
        """
        folded = _fold(word)
        if not folded or len(_HYPHENS.split(folded)) > 1:
            return False
        if folded.isascii():
            return folded in _ENGLISH_FUNCTION_WORDS
        if _route(folded, kazakh=False) != "ru" or folded in _KAZAKH_FUNCTION_WORDS:
            return folded in _KAZAKH_FUNCTION_WORDS
        parses = self._parse(folded)
        return bool(parses) and parses[0].tag.POS in _RUSSIAN_FUNCTION_POS

    # -- the work ---------------------------------------------------------------------------

    def _token_uncached(self, token: str, kazakh: bool) -> tuple[str, ...]:
        parts = _compound_parts(token)
        result: list[str] = []
        last = len(parts) - 1
        for index, part in enumerate(parts):
            route = _route(part, kazakh)
            folded = _fold(part)
            if not folded:
                continue
            if index < last and route == "ru":
                adjective = self._compound_adjective(folded)
                if adjective:
                    result.append(adjective)
                    continue
            lemma = self._lemma(folded, route, part[:1].isupper())
            if lemma:
                result.append(lemma)
        return tuple(result)

    def _alternatives_uncached(self, word: str, derive: bool) -> tuple[tuple[str, ...], ...]:
        tokens = _WORD.findall(word)
        if not tokens:
            return ()
        parts = [part for token in tokens for part in _compound_parts(token)]
        derive = derive and len(parts) == 1
        alternatives: list[tuple[str, ...]] = []
        last = len(parts) - 1
        for index, part in enumerate(parts):
            folded = _fold(part)
            if not folded:
                continue
            route = _route(part, kazakh=False)
            options: list[str] = []
            if route == "en" or folded.isdigit():
                options.append(self._lemma(folded, "en", False))
            elif route == "kk":
                options.append(self._lemma(folded, "kk", False))
            else:
                adjective = self._compound_adjective(folded) if index < last else None
                if adjective:
                    options.append(adjective)
                else:
                    capital = part[:1].isupper()
                    options.append(self._lemma(folded, "ru", capital))
                    options.append(self._lemma(folded, "ru", not capital))
                    if derive:
                        options.extend(self._place_adjectives(folded))
                options.append(self._lemma(folded, "kk", False))
            alternatives.append(tuple(dict.fromkeys(option for option in options if option)))
        return tuple(alternative for alternative in alternatives if alternative)

    def _lemma(self, folded: str, route: Route, capitalised: bool) -> str:
        if route == "en":
            return _clean(self._english().stemWord(_APOSTROPHES.sub("", folded)))
        if route == "kk":
            return _clean(kazakh_stem(folded).translate(_KAZAKH_FOLD))
        if folded.isdigit():
            return folded
        if capitalised:
            surname = _SURNAME.match(folded)
            if surname:
                return _clean(surname.group(1))
        parses = self._parse(folded)
        if not parses:
            return _clean(folded)
        best = parses[0]
        if capitalised:
            for tag in _PROPER_TAGS:
                proper = [parse for parse in parses if tag in parse.tag]
                if proper:
                    best = max(proper, key=lambda p: (p.score, p.normal_form == folded))
                    break
        return _clean(best.normal_form)

    def _compound_adjective(self, folded: str) -> str | None:
        """A compound's first part as its adjective: "казахстанско" → "казахстанский"."""
        if len(folded) < 4 or folded[-1] not in "ое":
            return None
        stem = folded[:-1]
        for ending in ("ий", "ый", "ой"):
            candidate = stem + ending
            if self._is_adjective(candidate):
                return candidate
        return None

    def _place_adjectives(self, folded: str) -> list[str]:
        """Adjectives made from a place name: Казахстан → казахстанский, Россия → российский."""
        places = {
            parse.normal_form
            for parse in self._parse(folded)
            if "Geox" in parse.tag and parse.tag.POS == "NOUN"
        }
        found: list[str] = []
        for place in sorted(places):
            place_e = _clean(place)
            found.extend(_IRREGULAR_ADJECTIVES.get(place_e, ()))
            stems = {place_e, place_e[:-1], place_e[:-2]} if len(place_e) > 4 else {place_e}
            for stem in sorted(stems):
                for suffix in _TOPONYM_SUFFIXES:
                    candidate = stem + suffix
                    if candidate not in found and self._is_adjective(candidate):
                        found.append(candidate)
        return found

    def _is_adjective(self, word: str) -> bool:
        return self._morph.word_is_known(word) and any(
            parse.tag.POS == "ADJF" and parse.normal_form == word for parse in self._parse(word)
        )

    def _parse(self, word: str) -> list[pymorphy3.analyzer.Parse]:
        """pymorphy3's readings of a word; none for a word its guessers trip over.

        Its analysers look characters up by Unicode name and raise for one without a name
        (a new or private-use character); such a word simply has no Russian reading.
        """
        try:
            return list(self._morph.parse(word))
        except Exception:  # any failure inside the analyser means "no reading"
            return []

    def _english(self) -> snowballstemmer.stemmer:
        stemmer = getattr(self._local, "english", None)
        if stemmer is None:
            stemmer = snowballstemmer.stemmer("english")
            self._local.english = stemmer
        return stemmer


@cache
def default_lemmatizer() -> Lemmatizer:
    """The process-wide cached lemmatiser."""
    return Lemmatizer()


def _compound_parts(token: str) -> list[str]:
    """Parts of a hyphenated word, without a suffix hyphenated to an abbreviation or number."""
    parts = [part for part in _HYPHENS.split(token) if part]
    kept = parts[:1]
    for previous, part in zip(parts, parts[1:], strict=False):
        is_suffix = len(part) <= _HYPHEN_SUFFIX_MAX and part.isalpha() and part.islower()
        after_code = previous.isdigit() or (len(previous) > 1 and previous.isupper())
        if not (is_suffix and after_code):
            kept.append(part)
    return kept


def _route(part: str, kazakh: bool) -> Route:
    """Which lemmatiser a word part goes to: by alphabet, then by the article's language."""
    lower = part.lower()
    if not any("\u0400" <= char <= "\u04ff" for char in lower):
        return "en"  # Latin, digits; Snowball leaves other alphabets as they are
    if kazakh or any(char in _KAZAKH_LETTERS for char in lower):
        return "kk"
    return "ru"


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word.casefold()).replace("ё", "е")


def _clean(lemma: str) -> str:
    """Case-folded, "ё" as "е", and letters and digits only (one unicode61 token)."""
    folded = _fold(lemma)
    return "".join(char for char in folded if char.isalnum())


_RUSSIAN_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO"})


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENGLISH_FUNCTION_WORDS = _word_set(
    """a an the and or but nor of in on at to for from by with without about into onto over
    under between among than as is are was were be been being it its this that these those he
    she they we you i his her their our your not no do does did has have had will would shall
    should can could may might must so if then there here which who whom whose what"""
)
_KAZAKH_FUNCTION_WORDS = _word_set(
    """және мен бен пен да де та те үшін туралы бойынша бұл ол осы сол немесе әлде бірақ
    не ма ме ба бе па пе ғана қана"""
)
