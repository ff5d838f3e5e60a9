"""Every text the bot says, in Russian, English and Kazakh: one gettext catalogue.

Replies, digest headings and the names of the languages all live in
locales/<lang>/LC_MESSAGES/messages.po, compiled to .mo next to them (both are
committed and shipped in the wheel), so wording is edited in one place per language.
English source strings are the message ids. Handlers translate with aiogram's
`gettext`, whose I18n the bot points at LOCALES_DIR; services, which render digests
outside any chat and import no aiogram, read the same .mo files through `translate`.
`N_` marks a text that is translated later (command descriptions, error codes, phrases).

After changing texts, regenerate the template, merge it and compile (tests check
that every text is translated and that the .mo files match their .po sources):
    pybabel extract -F services/text/i18n/babel.cfg -k N_ -o services/text/i18n/messages.pot \
        bot handlers services
    pybabel update -i services/text/i18n/messages.pot -d services/text/i18n/locales -D messages
    pybabel compile -d services/text/i18n/locales -D messages
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from services.text.language import Language

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE: Language = "ru"
LANGUAGES: tuple[Language, ...] = ("ru", "en", "kk")


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a text for the catalogue without translating it here."""
    return message


# Each language's name, shown in that language itself on the /language buttons.
_NAMES: dict[Language, str] = {"ru": N_("Russian"), "en": N_("English"), "kk": N_("Kazakh")}
# Telegram sends IETF tags ("ru", "en-GB", "kk"); Kazakh is sometimes reported as "kz".
_TAGS: dict[str, Language] = {"ru": "ru", "en": "en", "kk": "kk", "kz": "kk"}
# People typing a language may also use the three-letter codes or the short "қазақ".
_TYPED: dict[str, Language] = {**_TAGS, "rus": "ru", "eng": "en", "kaz": "kk", "қазақ": "kk"}


@lru_cache(maxsize=len(LANGUAGES) + 1)
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of `language` (the message ids themselves when there is none)."""
    return gettext.translation(DOMAIN, LOCALES_DIR, languages=[language], fallback=True)


def translate(language: str, message: str, **values: object) -> str:
    """`message` in `language`, with `values` filled into its {placeholders}."""
    text = translations(language).gettext(message)
    return text.format(**values) if values else text


def language_from_code(code: str | None) -> Language:
    """Our language for a Telegram language_code: ru, en or kk, Russian when unknown."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return _TAGS.get(base, DEFAULT_LANGUAGE)


def language_name(language: Language) -> str:
    """The language's own name for itself: 'Русский', 'English', 'Қазақша'."""
    return translate(language, _NAMES[language])


@lru_cache(maxsize=1)
def language_words() -> dict[str, Language]:
    """Words people use for the three languages, in each of them, casefolded: codes and names."""
    words = dict(_TYPED)
    for language, name in _NAMES.items():
        for locale in LANGUAGES:
            words[translate(locale, name).casefold()] = language
    return words


def language_of_word(text: str) -> Language | None:
    """The language a person named ('English', 'қазақша', 'ru'), or None."""
    return language_words().get(" ".join(text.split()).casefold())
