"""The names of the summary algorithms, apart from the algorithms themselves.

Settings check SUMMARY_ALGORITHM against these at start-up; keeping them here lets that
check run without loading sumy and NumPy into every command.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM"]

ALGORITHMS: Final = (
    "news",
    "lead",
    "lexrank",
    "textrank",
    "lsa",
    "luhn",
    "kl",
    "sumbasic",
    "edmundson",
)
""""news" is the project's ranking; "lead" the first sentences; the rest are sumy's."""

DEFAULT_ALGORITHM: Final = "news"
