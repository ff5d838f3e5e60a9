"""aiogram's I18n over the one catalogue (services/text/i18n), Russian as the fallback locale.

The catalogue itself, the language helpers and the markers live in services, so that
digests rendered outside any chat speak from the same .mo files as the replies do.
"""

from __future__ import annotations

from aiogram.utils.i18n import I18n

from services.text.i18n import DEFAULT_LANGUAGE, DOMAIN, LOCALES_DIR, N_, language_from_code

__all__ = ["DEFAULT_LANGUAGE", "DOMAIN", "LOCALES_DIR", "N_", "build_i18n", "language_from_code"]


def build_i18n() -> I18n:
    """Load the compiled catalogues; Russian is the fallback locale."""
    return I18n(path=LOCALES_DIR, default_locale=DEFAULT_LANGUAGE, domain=DOMAIN)
