"""Whether a sentence leans on the one before it, so that it cannot open a summary.

A summary is read far from its article. A sentence whose subject is a pronoun ("Он заявил",
"They said"), whose place or time points back ("Там отмечается", "Тогда"), that goes on from
an earlier sentence ("Кроме того", "However", "Сондай-ақ"), or that quotes someone without
saying who ("«Мы готовы».", '"We are ready," he said.') tells the reader nothing on its own
when it comes first. Such sentences may follow another in a summary, never open it.

The rule is narrow on purpose: only the opening words are read, and only words that point
back count. A named subject is fine, and so are openers that point forward ("О том, что…",
"В то время как…", "Those who…", "It is expected that…") or to the present ("В этом году",
"This week", "Осы жылы").

Russian openers are read through their lemmas (services/text/lemmas.py, pymorphy3), so every
case form of a pronoun counts: "Его", "Ими", "Этой", "Таких". Kazakh pronouns and their case
forms are listed (ол "he/she/it", бұл/осы/сол/мұн- "this/that", and the connectives
сондай-ақ "also", сонымен "so", алайда/бірақ/дегенмен "but/however", ал "while",
сондықтан "therefore"); "он" in Kazakh is "ten", so Russian rules are not applied to it.
"""

from __future__ import annotations

import re
from functools import cache

from services.text.lemmas import Lemmatizer, default_lemmatizer

__all__ = ["leans_on_context"]

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- Russian ----------------------------------------------------------------------------------

_RU_ANAPHORS = _words("он она оно они этот это тот такой таков там тогда туда оттуда здесь тут")
"""Lemmas that point back: third-person pronouns, demonstratives and their adverbs."""
_RU_CONNECTIVES = tuple(
    phrase.split()
    for phrase in (
        "также",
        "кроме того",
        "однако",
        "тем не менее",
        "вместе с тем",
        "в свою очередь",
        "между тем",
        "впрочем",
        "поэтому",
        "зато",
        "к тому же",
        "более того",
        "таким образом",
        "следовательно",
        "в частности",
        "причем",
        "притом",
        "но",
        "а",
        "и",
        "ведь",
    )
)
_RU_PREPOSITIONS = _words(
    """
    в во на с со к ко по о об обо при у от до из из-за для без после перед за под над между
    через про кроме помимо вместо благодаря согласно несмотря вслед
    """
)
_RU_PRESENT_TIME = _words("год месяц неделя сезон квартал выходные лето зима весна осень")
"""After "этот" these name the present ("в этом году"), not something said before."""
_RU_FORWARD = re.compile(
    r"^\s*(?:же\s+)?(?:время|пор|момент|случае)?\s*,?\s*"
    r"(?:что|как|чтобы|кто|когда|где|чем|если|котор\w*)\b",
    re.IGNORECASE,
)
"""After "то"/"том"/"тех": a clause that follows ("О том, что…", "В то время как…")."""


@cache
def _lemmatizer() -> Lemmatizer:
    return default_lemmatizer()


def _ru_lemma(word: str) -> str:
    lemmas = _lemmatizer().lemmas(word.lower(), "ru")
    return lemmas[0] if len(lemmas) == 1 else word.lower().replace("ё", "е")


def _ru_anaphor_at(words: list[str], index: int, text: str, end: int) -> bool:
    """Whether words[index] points back (a pronoun or demonstrative used anaphorically)."""
    word = words[index].lower().replace("ё", "е")
    lemma = _ru_lemma(word)
    if lemma not in _RU_ANAPHORS and word not in ("нем", "нему", "ней", "них"):
        return False
    if lemma in ("тот", "это", "этот") and _RU_FORWARD.match(text[end:]):
        return False
    following = words[index + 1 : index + 2]
    return not (
        lemma in ("этот", "это") and following and _ru_lemma(following[0]) in _RU_PRESENT_TIME
    )


def _russian_leans(text: str) -> bool:
    matches = list(_WORD.finditer(text[:200]))[:4]
    words = [match.group(0) for match in matches]
    if not words:
        return False
    folded = [word.lower().replace("ё", "е") for word in words]
    if any(folded[: len(phrase)] == phrase for phrase in _RU_CONNECTIVES):
        return True
    if _ru_anaphor_at(words, 0, text, matches[0].end()):
        return True
    return (
        len(words) > 1
        and folded[0] in _RU_PREPOSITIONS
        and _ru_anaphor_at(words, 1, text, matches[1].end())
    )


# -- English ----------------------------------------------------------------------------------

_EN_LEANING = re.compile(
    r"(?ix)^(?:"
    r"(?:he|she|they|his|her|their|its|him|them|such|however|also|but|and|meanwhile"
    r"|moreover|furthermore|nevertheless|nonetheless|then|instead|besides|thus|therefore"
    r"|hence|likewise|similarly|otherwise)\b(?!')"
    r"|these\b(?!\s+days\b)"
    r"|those\b(?!\s+(?:who|whose|which|with|in|on|at|of)\b)"
    r"|it\b(?!(?:['’]s|\s+(?:is|was|has\s+been|had\s+been|will\s+be|remains|seems|appears))"
    r"\s+(?:not\s+)?(?:yet\s+|now\s+|also\s+|still\s+|immediately\s+)?(?:clear|unclear|known|unknown|expected"
    r"|believed|thought|understood|likely|unlikely|possible|impossible|hoped|feared|estimated"
    r"|reported|said|time)\b)"
    r"|this\b(?!\s+(?:year|week|month|morning|afternoon|evening|weekend|season|summer|winter"
    r"|spring|autumn|fall|is\s+the\s+moment)\b)"
    r"|that\b(?!\s+(?:year|week|month|morning|afternoon|evening|weekend|season)\b)"
    r"|in\s+addition\b|the\s+latter\b|the\s+former\b|as\s+a\s+result\b|in\s+turn\b"
    r")"
)

# -- Kazakh -----------------------------------------------------------------------------------

_KK_LEANING = _words(
    """
    ол олар оның оған оны онда одан онымен олардың оларға оларды олардан оларда олармен
    бұл бұлар бұның мұның бұған мұны бұны бұдан мұнда мұндай бұндай
    осы осының осыған осыны осыдан осында осындай осылайша
    сол солар соның соған соны содан сонда сондай
    сондай-ақ сонымен сондықтан алайда бірақ дегенмен ал
    """
)
_KK_PRESENT_TIME = _words("жылы жыл жылдың айда айдың аптада аптаның күні")
"""After "осы": "осы жылы" is "this year", not something said before."""

# -- quotations -------------------------------------------------------------------------------

_OPENING_QUOTES = {"«": "»", "„": "“", "“": "”", '"': '"', "'": "'"}
_SPEAKER_PRONOUNS = _words("он она они he she they ол олар")
_MAX_POINTING_ATTRIBUTION = 4  # "— сказал он", "he told reporters": a verb and a pronoun


def _quotation_end(text: str) -> int:
    """Where the quotation opening `text` closes (-1 if it does not), nesting respected."""
    opening = text[0]
    closing = _OPENING_QUOTES[opening]
    if opening == closing:
        for index in range(1, len(text)):
            if text[index] == closing and (
                opening == '"' or index + 1 == len(text) or not text[index + 1].isalpha()
            ):
                return index
        return -1
    depth = 0
    for index, char in enumerate(text):
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
    return -1


def _unattributed_quotation(text: str) -> bool:
    """A sentence that is mostly a quotation and does not name who said it."""
    if text[:1] not in _OPENING_QUOTES:
        return False
    end = _quotation_end(text)
    if end < 0 or end < len(text) / 2:
        return False  # a name in quotes ("«Спартак» выиграл…"), or not a quotation at all
    attribution = [word.lower() for word in _WORD.findall(text[end + 1 :])]
    if not attribution:
        return True
    return len(attribution) <= _MAX_POINTING_ATTRIBUTION and bool(
        _SPEAKER_PRONOUNS.intersection(attribution)
    )


def leans_on_context(sentence: str, language: str) -> bool:
    """Whether `sentence` needs an earlier sentence to be understood (see the module doc).

    `language` is the article's: ru, en or kk (anything else is read as Russian).
    """
    text = sentence.strip()
    if not text:
        return False
    if _unattributed_quotation(text):
        return True
    if text[0] in _OPENING_QUOTES:
        return False  # a quotation with its speaker: who said it is named
    if language == "en":
        return bool(_EN_LEANING.match(text))
    if language == "kk":
        words = [word.lower() for word in _WORD.findall(text[:120])[:2]]
        if not words or words[0] not in _KK_LEANING:
            return False
        return not (words[0] == "осы" and words[1:] and words[1] in _KK_PRESENT_TIME)
    return _russian_leans(text)
