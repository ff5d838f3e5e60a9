"""The few words a digest says itself, from the one catalogue (services/text/i18n).

Digests are rendered by services (the scheduler has no user conversation to borrow
the bot's i18n from), so their headings are read from the same .mo files the replies
use, through the stdlib's gettext. Dates and times are formatted by Babel's CLDR
data, which knows the grammar (Russian "21 марта", Kazakh "21 наурыз").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from babel.dates import format_date

from services.storage.models import Language
from services.text.i18n import N_, translate

_PHRASES: Final[dict[str, str]] = {
    "title": N_("News digest · {date}"),
    "weekly_title": N_("Weekly digest · {date}"),
    "alert_title": N_("Just in"),
    "alerts_title": N_("More news on your topics"),
    "continued": N_("continued"),
    "also": N_("also"),
    "and_more": N_("and {count} more"),
    "nothing_new": N_("Nothing new since {since}."),
    "new_since": N_("New since {since}"),
}


def phrase(key: str, language: Language, **values: object) -> str:
    """The phrase `key` in `language`, with `values` filled in."""
    return translate(language, _PHRASES[key], **values)


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
