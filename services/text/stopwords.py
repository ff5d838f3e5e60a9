"""Stop words for Russian, English and Kazakh: the words that say nothing about a topic.

Russian and English come from stopwordsiso (the stopwords-iso collection); it has no Kazakh
list, so ours ships with the package as data/stopwords_kk.txt.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import stopwordsiso

__all__ = ["stop_words"]


def _read_packaged(name: str) -> frozenset[str]:
    text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    words = (line.strip().lower() for line in text.splitlines())
    return frozenset(word for word in words if word and not word.startswith("#"))


@cache
def stop_words(language: str) -> frozenset[str]:
    """Lower-case stop words of `language` (ru, en, kk); empty for any other language."""
    if language == "kk":
        return _read_packaged("stopwords_kk.txt")
    if language in ("ru", "en"):
        words = frozenset(word.lower() for word in stopwordsiso.stopwords(language))
        if language == "ru":  # the list spells "ещё" both ways only sometimes
            words |= {word.replace("ё", "е") for word in words}
        return words
    return frozenset()
