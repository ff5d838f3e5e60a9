"""Building replies that Telegram accepts: user text escaped, length bounded.

The rules of Telegram HTML themselves (escaping, links, lengths) are services/text/html.py,
shared with the digest renderer; this module adds what replies need on top of them.

Every reply is Telegram HTML. Texts from the catalogues are trusted markup;
anything that came from a user or a web page passes through `quote` (escaped and
clipped) before it is put into a reply, which `fill` does for every parameter.
"""

from __future__ import annotations

from services.text import html
from services.text.html import MESSAGE_LIMIT, telegram_length

ECHO_LIMIT = 120


class Html(str):
    """Markup we produced ourselves: `fill` inserts it as it is."""

    __slots__ = ()


def quote(text: str, limit: int = ECHO_LIMIT) -> Html:
    """User or web text made safe to show: clipped, then HTML-escaped."""
    return Html(html.escape(html.clip(text, limit)))


def link(url: str, text: str, limit: int = ECHO_LIMIT) -> Html:
    """A link with escaped text; an address that is not http(s) is shown as text only."""
    return Html(html.link(url, html.clip(text or url, limit)))


def fill(template: str, **params: object) -> str:
    """Put parameters into a translated template; plain strings are escaped."""
    safe = {
        name: value if isinstance(value, Html) or not isinstance(value, str) else quote(value)
        for name, value in params.items()
    }
    return template.format(**safe)


def join_within(parts: list[str], *, limit: int = MESSAGE_LIMIT, more: str = "…") -> str:
    """Join whole lines up to `limit` (UTF-16 units, as Telegram counts); the rest becomes `more`."""
    out: list[str] = []
    used = 0
    for index, part in enumerate(parts):
        extra = telegram_length(part) + (1 if out else 0)
        reserve = 0 if index == len(parts) - 1 else telegram_length(more) + 1
        if used + extra + reserve > limit:
            out.append(more)
            break
        out.append(part)
        used += extra
    return "\n".join(out)
