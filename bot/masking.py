"""The one way secrets are kept out of text: log lines and Telegram error descriptions alike.

A bot token is a password to the bot and surfaces in URLs (`…/bot<token>/getUpdates`)
that exceptions echo; the part after "123456:" is what makes it a password, so it is
masked on its own too. Longer secrets are replaced first, so a token goes whole before
its private half is looked for.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"
MIN_SECRET_LENGTH = 8  # shorter values would mask ordinary words


class SecretMasker:
    """Replaces every given secret, and the private half of a bot token, with a placeholder."""

    def __init__(self, secrets: Iterable[str], *, placeholder: str = MASK) -> None:
        found: set[str] = set()
        for secret in secrets:
            if len(secret) < MIN_SECRET_LENGTH:
                continue
            found.add(secret)
            _, colon, private = secret.partition(":")
            if colon and len(private) >= MIN_SECRET_LENGTH:
                found.add(private)
        self._secrets = sorted(found, key=len, reverse=True)
        self.placeholder = placeholder

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def mask(self, text: str) -> str:
        """`text` with every secret replaced by the placeholder."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, self.placeholder)
        return text
