"""Telegram HTML in one place: escaping, links, shortening and the length Telegram counts.

Both the digest renderer and the replies to commands build Telegram HTML, and
Telegram refuses a whole message for one unescaped `<` or one character too many.
So the rules are written once: every text is escaped with `escape`, a link is only
made of an http(s) address short enough to be one, and lengths are counted in UTF-16
code units, as Telegram counts them.
"""

from __future__ import annotations

import html

MESSAGE_LIMIT = 4096  # characters of one message's text
URL_LIMIT = 1024  # longer addresses are shown as text, not linked
ELLIPSIS = "…"


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Text made safe inside Telegram HTML (`<`, `>` and `&`; quotes need no escaping there)."""
    return html.escape(text, quote=False)


def linkable(url: str) -> bool:
    """Whether `url` may be the href of a link: http(s) and at most URL_LIMIT long."""
    return url.startswith(("http://", "https://")) and len(url) <= URL_LIMIT


def link(url: str, text: str) -> str:
    """`text` escaped and linked to `url`; only the escaped text when the address can't be linked."""
    if not linkable(url):
        return escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{escape(text)}</a>'


def clip(text: str, limit: int) -> str:
    """At most `limit` characters on one line, cut anywhere, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + ELLIPSIS


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters on one line, cut at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit] if limit > 0 else ""
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + ELLIPSIS
