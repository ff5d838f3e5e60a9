"""The one renderer: a `Digest` as Telegram HTML messages, or as plain text for the CLI and demo.

Telegram takes at most 4096 characters per message and rejects HTML that is not
well-formed. So every piece of text is escaped, a digest is split only between
items (each message opens the tags it closes, and repeats its topic's heading),
and an item too long for a message of its own is trimmed, never cut mid-tag.
Lengths are counted in UTF-16 code units of the raw HTML: Telegram counts UTF-16
units of the text after parsing, which the raw markup can only exceed, so a
part that passes here passes there.
"""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser

from services.clock.zones import zone_of
from services.digest.model import Digest, DigestItem, DigestSection, SourceLink
from services.digest.phrases import long_date, moment_label, phrase
from services.digest.snippets import emphasize
from services.storage.models import Language
from services.text.html import (
    ELLIPSIS,
    MESSAGE_LIMIT,
    escape,
    link,
    shorten,
    telegram_length,
)

TITLE_LIMIT = 300  # characters of a headline shown
ALSO_LIMIT = 4  # other outlets linked by name; the rest are counted
_BLOCK_GAP = "\n\n"


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(zone_of(timezone))


class _ItemView:
    """An item's pieces as plain strings, so HTML and text renderings say the same thing."""

    def __init__(self, item: DigestItem, digest: Digest) -> None:
        self.item = item
        self.title = shorten(item.title, TITLE_LIMIT) or item.url
        when = moment_label(
            _local(item.published_at, digest.timezone), digest.local_date, digest.language
        )
        self.meta = f"{item.source} · {when}" if item.source else when
        self.also = item.also[:ALSO_LIMIT]
        self.also_hidden = len(item.also) - len(self.also)
        self.summary = " ".join(sentence.strip() for sentence in item.summary if sentence.strip())
        self.language = digest.language

    def also_suffix(self, links: tuple[SourceLink, ...], *, as_html: bool) -> str:
        if not self.item.also:
            return ""
        names = [link(out.url, out.name) if as_html else out.name for out in links]
        hidden = len(self.item.also) - len(links)
        if hidden:
            names.append(phrase("and_more", self.language, count=hidden))
        return f" · {phrase('also', self.language)}: {', '.join(names)}"


def _item_html(view: _ItemView, *, summary: str, title: str, with_links: bool = True) -> str:
    headline = f"<b>{link(view.item.url, title) if with_links else escape(title)}</b>"
    also = view.also_suffix(view.also if with_links else (), as_html=True)
    lines = [f"• {headline}", f"<i>{escape(view.meta)}</i>{also}"]
    if summary:
        lines.append(emphasize(summary, view.item.highlights))
    return "\n".join(lines)


def _fit_item_html(view: _ItemView, budget: int) -> str:
    """The item's HTML within `budget`, trimming the summary first, then links, then the title."""
    full = _item_html(view, summary=view.summary, title=view.title)
    if telegram_length(full) <= budget:
        return full
    bare = _item_html(view, summary="", title=view.title)
    if telegram_length(bare) < budget:
        low, high = 0, len(view.summary)
        best = bare
        while low <= high:  # the longest summary prefix that still fits
            middle = (low + high) // 2
            candidate = _item_html(view, summary=shorten(view.summary, middle), title=view.title)
            if telegram_length(candidate) <= budget:
                best, low = candidate, middle + 1
            else:
                high = middle - 1
        return best
    plain = _item_html(view, summary="", title=view.title, with_links=False)
    if telegram_length(plain) <= budget:
        return plain
    overhead = telegram_length(_item_html(view, summary="", title="", with_links=False))
    return _item_html(
        view, summary="", title=shorten(view.title, max(budget - overhead, 1)), with_links=False
    )


def _heading_block(section: DigestSection, language: Language, continued: bool) -> str:
    """A topic's heading followed by the gap to its first item in this message."""
    title = escape(section.title)
    if continued:
        title += f" ({escape(phrase('continued', language))})"
    return f"<b>▍{title}</b>{_BLOCK_GAP}"


def digest_heading(digest: Digest) -> str:
    """'Дайджест новостей · 21 марта' (plain text); a weekly digest and alerts say so."""
    day = long_date(digest.local_date, digest.language)
    if digest.kind == "weekly":
        return phrase("weekly_title", digest.language, date=day)
    if digest.kind == "alert":
        return phrase("alert_title", digest.language)
    if digest.kind == "alerts":
        return phrase("alerts_title", digest.language)
    return phrase("title", digest.language, date=day)


class _Packer:
    """Fills messages block by block, starting a new one when the next block does not fit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self._blocks: list[str] = []
        self._length = 0
        self.items_in_current = 0

    def room(self) -> int:
        """What a block may take in the current message (its gap included)."""
        gap = telegram_length(_BLOCK_GAP) if self._blocks else 0
        return self.limit - self._length - gap

    def add(self, block: str, *, items: int = 0) -> None:
        if self._blocks:
            self._length += telegram_length(_BLOCK_GAP)
        self._blocks.append(block)
        self._length += telegram_length(block)
        self.items_in_current += items

    def flush(self) -> None:
        if self._blocks:
            self.parts.append(_BLOCK_GAP.join(self._blocks))
        self._blocks, self._length, self.items_in_current = [], 0, 0


def render_html(digest: Digest, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The digest as Telegram HTML messages, each at most `limit` long and valid on its own.

    An empty digest renders to no messages at all.
    """
    if digest.is_empty:
        return []
    packer = _Packer(limit)
    packer.add(f"<b>{escape(digest_heading(digest))}</b>")
    for section in digest.sections:
        heading_here = False  # the section's heading is in the current message
        shown_before = False  # some of the section's items went out in an earlier message
        for item in section.items:
            view = _ItemView(item, digest)
            block = _item_html(view, summary=view.summary, title=view.title)
            prefix = "" if heading_here else _heading_block(section, digest.language, shown_before)
            if telegram_length(prefix + block) > packer.room() and packer.items_in_current:
                packer.flush()
                prefix = _heading_block(section, digest.language, shown_before)
            if telegram_length(prefix + block) > packer.room():
                block = _fit_item_html(view, packer.room() - telegram_length(prefix))
            packer.add(prefix + block, items=1)
            heading_here = shown_before = True
    packer.flush()
    return packer.parts


def render_text(digest: Digest) -> str:
    """The digest as plain text with the links spelled out (CLI, demo, logs)."""
    if digest.is_empty:
        return ""
    lines = [digest_heading(digest)]
    for section in digest.sections:
        if not section.items:
            continue
        lines += ["", section.title, "─" * min(max(len(section.title), 8), 40)]
        for item in section.items:
            view = _ItemView(item, digest)
            lines.append(f"• {view.title}")
            lines.append(f"  {view.meta}{view.also_suffix(view.also, as_html=False)}")
            if view.summary:
                lines.append(f"  {view.summary}")
            lines.append(f"  {item.url}")
            lines.extend(f"    {out.name}: {out.url}" for out in item.also)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_nothing_new(language: Language, since: datetime, now: datetime, timezone: str) -> str:
    """'Ничего нового с 09:00.' for /digest when nothing came in (times shown in `timezone`)."""
    label = moment_label(_local(since, timezone), _local(now, timezone).date(), language)
    return escape(phrase("nothing_new", language, since=label))


class _PlainText(HTMLParser):
    """Telegram HTML back to text, links followed by their address in brackets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            text = "".join(self._link_text)
            self.chunks.append(text)
            if self._href != text:
                self.chunks.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        (self._link_text if self._href is not None else self.chunks).append(data)


def html_to_plain(part: str, *, limit: int = MESSAGE_LIMIT) -> str:
    """A rendered HTML message as plain text of at most `limit` (the fallback when HTML is refused)."""
    parser = _PlainText()
    parser.feed(part)
    parser.close()
    text = "".join(parser.chunks)
    if telegram_length(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        cost = telegram_length(line) + (1 if kept else 0)
        if used + cost > limit - 1:
            break
        kept.append(line)
        used += cost
    shortened = "\n".join(kept)
    return shortened + ELLIPSIS if kept else shorten(text, limit // 2)
