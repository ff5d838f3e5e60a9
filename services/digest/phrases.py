"""The few words a digest says itself, in Russian, English and Kazakh.

Digests are rendered by services (the scheduler has no user conversation to borrow
the bot's i18n from), so their headings live here, in one small catalogue.
Dates and times are formatted by Babel's CLDR data, which knows the grammar
(Russian "21 марта", Kazakh "21 наурыз").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from babel.dates import format_date

from services.storage.models import Language

_PHRASES: Final[dict[str, dict[Language, str]]] = {
    "title": {
        "ru": "Дайджест новостей · {date}",
        "en": "News digest · {date}",
        "kk": "Жаңалықтар дайджесті · {date}",
    },
    "continued": {"ru": "продолжение", "en": "continued", "kk": "жалғасы"},
    "also": {"ru": "также", "en": "also", "kk": "сондай-ақ"},
    "and_more": {"ru": "и ещё {count}", "en": "and {count} more", "kk": "тағы {count}"},
    "nothing_new": {
        "ru": "Ничего нового с {since}.",
        "en": "Nothing new since {since}.",
        "kk": "{since} бері жаңа ештеңе жоқ.",
    },
    "new_since": {
        "ru": "Новое с {since}",
        "en": "New since {since}",
        "kk": "{since} бергі жаңалықтар",
    },
}


def phrase(key: str, language: Language, **values: object) -> str:
    """The phrase `key` in `language` (Russian when missing), with `values` filled in."""
    variants = _PHRASES[key]
    return (variants.get(language) or variants["ru"]).format(**values)


def long_date(day: date, language: Language) -> str:
    """'21 марта', '21 March', '21 наурыз'."""
    return format_date(day, "d MMMM", locale=language)


def clock_time(moment: datetime) -> str:
    """'09:05' in the moment's own time zone (the same in all three languages)."""
    return moment.strftime("%H:%M")


def day_and_time(moment: datetime, language: Language) -> str:
    """'20 мар., 18:40': a time on another day than the digest's."""
    return f"{format_date(moment.date(), 'd MMM', locale=language)}, {clock_time(moment)}"


def moment_label(moment: datetime, today: date, language: Language) -> str:
    """A local moment as the reader wants it: just the time today, day and time otherwise."""
    return clock_time(moment) if moment.date() == today else day_and_time(moment, language)
