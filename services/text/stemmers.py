"""Word stemmers: words that differ only by inflection get one key ("президента" → "президент").

Russian and English use the Snowball algorithms (snowballstemmer), behind a cache: the
pure-Python Snowball is the slowest step of a summary otherwise. Kazakh has none there, so
it gets a light suffix stripper: Kazakh is agglutinative with a fixed suffix order (stem,
plural, possessive, case), so removing one case ending and then one plural ending joins the
common forms of a noun ("Қазақстанның", "Қазақстанда" → "қазақстан"). Only endings that are
rarely the end of a root are stripped; the short accusative and possessive endings ("-ы",
"-ті", "-сы") also end many roots, so a light stemmer leaves them alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

import snowballstemmer

__all__ = ["Stemmer", "kazakh_stem", "stemmer_for"]

Stemmer = Callable[[str], str]

_KK_VOWELS = frozenset("аәеиоөуұүыіэюя")
_KK_CASE = (
    *("ның", "нің", "дың", "дің", "тың", "тің"),  # genitive
    *("нан", "нен", "дан", "ден", "тан", "тен"),  # ablative
    *("да", "де", "та", "те"),  # locative
    *("ға", "ге", "қа", "ке"),  # dative
    *("мен", "бен", "пен"),  # instrumental
)
_KK_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
_KK_GROUPS = tuple(tuple(sorted(group, key=len, reverse=True)) for group in (_KK_CASE, _KK_PLURAL))


def kazakh_stem(word: str) -> str:
    """Strip one case ending, then one plural ending, while a root with a vowel remains."""
    stem = word.lower()
    for group in _KK_GROUPS:
        for suffix in group:
            if stem.endswith(suffix) and _is_root(stem[: -len(suffix)]):
                stem = stem[: -len(suffix)]
                break
    return stem


def _is_root(stem: str) -> bool:
    return len(stem) >= 2 and any(char in _KK_VOWELS for char in stem)


_CACHE_SIZE = 50_000  # words seen recently; news vocabulary repeats from article to article


def _snowball(algorithm: str) -> Stemmer:
    stemmer = snowballstemmer.stemmer(algorithm)

    @lru_cache(maxsize=_CACHE_SIZE)
    def stem(word: str) -> str:
        return str(stemmer.stemWord(word.lower().replace("ё", "е")))

    return stem


@cache
def stemmer_for(language: str) -> Stemmer:
    """A stemmer for a language code (ru, en, kk); lower-casing alone for anything else."""
    if language == "ru":
        return _snowball("russian")
    if language == "en":
        return _snowball("english")
    if language == "kk":
        return lru_cache(maxsize=_CACHE_SIZE)(kazakh_stem)
    return str.lower
