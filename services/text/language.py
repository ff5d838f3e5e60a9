"""Which of our three languages (ru, kk, en) a text is written in.

The audience reads Russian, Kazakh and English, so a full language identifier is
not needed: the alphabet tells Latin from Cyrillic, and Kazakh's own letters
(ә ғ қ ң ө ұ ү һ і), which Russian never uses, tell Kazakh from Russian. Kazakh
text without those letters is rare past a sentence, so a few frequent Kazakh
function words back the letter count up for short texts.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["ru", "kk", "en"]

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Kazakh words that are frequent in news and do not exist in Russian.
_KAZAKH_WORDS = frozenset(
    {"және", "мен", "бұл", "деп", "үшін", "бойынша", "туралы", "жыл", "жылы", "оның", "жоқ"}
    | {"қазақстан", "республикасы", "елімізде", "хабарлайды", "дейді", "тиіс", "болады", "еді"}
)
_WORD = re.compile(r"[^\W\d_]+")
# Share of Kazakh-only letters among Cyrillic letters above which a text is Kazakh.
# Kazakh news runs at 4-8 %; Russian text quoting a Kazakh name stays far below 1 %.
_KAZAKH_SHARE = 0.012
_SAMPLE_CHARS = 20_000


def detect_language(text: str, *, default: Language = "ru") -> Language:
    """The language of `text`: "kk", "ru" or "en"; `default` when it has no letters.

    Only the first 20,000 characters are read: a long article does not change
    its language halfway, and detection must stay cheap.
    """
    sample = text[:_SAMPLE_CHARS]
    cyrillic = latin = kazakh = 0
    for char in sample:
        if not char.isalpha():
            continue
        if "\u0400" <= char <= "\u04ff":
            cyrillic += 1
            if char in KAZAKH_LETTERS:
                kazakh += 1
        elif char.isascii():
            latin += 1
    if cyrillic == 0 and latin == 0:
        return default
    if latin > cyrillic:
        return "en"
    if kazakh / cyrillic >= _KAZAKH_SHARE:
        return "kk"
    words = [word.casefold() for word in _WORD.findall(sample)]
    if words and sum(word in _KAZAKH_WORDS for word in words) / len(words) >= 0.05:
        return "kk"
    return "ru"
