"""RSS and Atom feeds read with feedparser, as real sites serve them.

Sites send feeds as text/html, with relative links, without dates or guids, in
windows-1251 with the encoding only in the XML declaration, or send a web page where
the feed should be. feedparser copes with most of it; this module decodes the bytes
with the project's one charset routine (services/ingest/fetch.py), resolves links, keeps
entries it can identify, and turns what is not a feed into a readable `FeedError`.
For add-source it also finds a page's feed through `<link rel="alternate">`.

Parsing is CPU work: call `parse_feed` from a worker pool.
"""

from __future__ import annotations

import io
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml.etree import ParserError

from services.ingest.fetch import decode_text
from services.text.language import Language

log = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml"}
    | {"text/xml", "application/x-rss+xml"}
)
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section"}
)


class FeedError(Exception):
    """A document that is not a usable feed; `str(error)` is fit to show a user."""


class NotAFeed(FeedError):
    """A web page (or other document) where a feed was expected."""

    def __init__(self, message: str, *, feed_links: list[str] | None = None) -> None:
        super().__init__(message)
        self.feed_links = feed_links or []


class MalformedFeed(FeedError):
    """Broken XML from which no entry could be recovered."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    link: str  # absolute
    guid: str | None
    title: str
    text: str  # plain text of the entry's content or description, whichever says more
    author: str | None
    published_at: datetime | None  # aware UTC


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    url: str
    title: str
    language: Language | None
    version: str  # feedparser's name: "rss20", "atom10", "rss10" …
    entries: tuple[FeedEntry, ...]
    skipped: int  # entries without any link to identify them


def parse_feed(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """The feed in `content` (fetched from `url`); FeedError when it is not one."""
    text = decode_text(content, content_type).text
    if not text.strip():
        raise MalformedFeed("the feed is empty: the server sent no content")
    # feedparser reads a path or URL given as a string: hand it a stream, never a str.
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
    )
    entries: list[FeedEntry] = []
    skipped = 0
    for raw in parsed.entries:
        entry = _entry(raw, url)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    if not parsed.version and not entries:
        if _HTML_START.match(text):
            links = discover_feeds(text, url=url)
            hint = f"; the page points to a feed at {links[0]}" if links else ""
            raise NotAFeed(
                f"the address returns a web page, not an RSS or Atom feed{hint}", feed_links=links
            )
        if parsed.bozo:
            raise MalformedFeed(f"the feed is not valid XML ({_reason(parsed)})")
        raise NotAFeed("the document is not an RSS or Atom feed")
    if parsed.bozo and not entries and parsed.entries:
        raise MalformedFeed(
            f"the feed is not valid XML ({_reason(parsed)}) and no entry could be read"
        )
    if parsed.bozo and not parsed.entries and _looks_truncated(text):
        raise MalformedFeed(f"the feed is not valid XML ({_reason(parsed)})")
    feed_info: Any = parsed.feed
    return ParsedFeed(
        url=url,
        title=_clean_inline(str(feed_info.get("title") or "")) or (urlsplit(url).hostname or url),
        language=feed_language(str(feed_info.get("language") or "")),
        version=str(parsed.version or "unknown"),
        entries=tuple(entries),
        skipped=skipped,
    )


def discover_feeds(html: str, *, url: str) -> list[str]:
    """Feed URLs a page announces with `<link rel="alternate" type="application/rss+xml">`
    (or Atom/RDF), absolute, in page order, without repeats."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(url, href)
            if urlsplit(absolute).scheme in ("http", "https") and absolute not in found:
                found.append(absolute)
    return found


def feed_language(value: str) -> Language | None:
    """ "ru-RU" → "ru", "kk" / "kz" → "kk", "en-us" → "en"; None for anything else."""
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return {"ru": "ru", "kk": "kk", "kz": "kk", "en": "en"}.get(code)  # type: ignore[return-value]


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed's description), one block per line."""
    if "<" not in fragment:
        return _clean_block(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return _clean_block(re.sub(r"<[^>]*>", " ", fragment))
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return _clean_block(root.text_content())


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = _entry_link(raw, feed_url)
    if link is None:
        return None
    texts = [html_to_text(str(item.get("value") or "")) for item in raw.get("content") or []]
    texts.append(html_to_text(str(raw.get("summary") or "")))
    guid = str(raw.get("id") or "").strip() or None
    return FeedEntry(
        link=link,
        guid=guid,
        title=_clean_inline(str(raw.get("title") or "")),
        text=max(texts, key=len),
        author=_clean_inline(str(raw.get("author") or "")) or None,
        published_at=_entry_time(raw),
    )


def _entry_link(raw: Any, feed_url: str) -> str | None:
    candidates = [str(raw.get("link") or "")]
    candidates += [
        str(link.get("href") or "")
        for link in raw.get("links") or []
        if link.get("rel", "alternate") == "alternate"
    ]
    guid = str(raw.get("id") or "")
    if guid.startswith(("http://", "https://")):
        candidates.append(guid)
    for candidate in candidates:
        absolute = urljoin(feed_url, candidate.strip()) if candidate.strip() else ""
        if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).hostname:
            return absolute
    return None


def _entry_time(raw: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if isinstance(value, time.struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except ValueError:
                continue
    return None


def _reason(parsed: Any) -> str:
    exception = parsed.get("bozo_exception")
    message = str(getattr(exception, "getMessage", lambda: exception)()) if exception else ""
    return message or "unreadable"


def _looks_truncated(text: str) -> bool:
    tail = text.rstrip()[-200:].lower()
    return not tail.endswith(("</rss>", "</feed>", "</rdf:rdf>", "</channel>"))


def _clean_inline(value: str) -> str:
    return " ".join(html_to_text(value).split()) if "<" in value else " ".join(value.split())


def _clean_block(value: str) -> str:
    lines = (" ".join(line.split()) for line in value.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
