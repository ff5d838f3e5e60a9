"""Translations of every reply into Russian, English and Kazakh.

The texts live in gettext catalogues (locales/<lang>/LC_MESSAGES/messages.po,
compiled to .mo next to them) so that wording is edited in one place per language
and never scattered through the handlers. English source strings are the message
ids; handlers mark them with aiogram's `gettext` (`_`) and `N_` marks texts that
are translated later (command descriptions, error codes).

After changing texts, regenerate the template, merge it and compile (tests check
that every text is translated and that the .mo files match their .po sources):
    pybabel extract -F bot/i18n/babel.cfg -k N_ -k __ -o bot/i18n/messages.pot .
    pybabel update -i bot/i18n/messages.pot -d bot/i18n/locales -D messages
    pybabel compile -d bot/i18n/locales -D messages
"""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n

from services.storage.models import LANGUAGES, Language

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE: Language = "ru"

# Telegram sends IETF tags ("ru", "en-GB", "kk"); Kazakh is sometimes reported as "kz".
_ALIASES: dict[str, Language] = {"kz": "kk"}


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a text for the catalogue without translating it here."""
    return message


def language_from_code(code: str | None) -> Language:
    """Our language for a Telegram language_code: ru, en or kk, Russian when unknown."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    for language in LANGUAGES:
        if base == language:
            return language
    return _ALIASES.get(base, DEFAULT_LANGUAGE)


def build_i18n() -> I18n:
    """Load the compiled catalogues; Russian is the fallback locale."""
    return I18n(path=LOCALES_DIR, default_locale=DEFAULT_LANGUAGE, domain=DOMAIN)
