"""From a fetched page (or, failing that, the feed's own text) to a clean article.

trafilatura finds the main text, title, author and date; services/ingest/clean.py removes
what it leaves behind; the language is detected; and the article gets the two keys
duplicates are caught by: its canonical URL and a hash of its normalised text (the
same story syndicated under several URLs hashes the same).

A page is parsed once, by trafilatura's own loader (`trafilatura.load_html`): it strips
control characters and comments and copes with an XML declaration before `<html>`, so
what trafilatura extracts from a page on its own, it extracts here too. The charset is
ours (`decode_text`), because only we know the HTTP header's word on it.

Everything here is plain CPU work on bytes and strings with no I/O, so ingestion runs
`extract_article` in a worker pool, one call per article.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
import trafilatura

from services.ingest.clean import clean_text, strip_site_name
from services.ingest.fetch import decode_text
from services.text.language import Language, detect_language

log = logging.getLogger(__name__)

# Below this many characters a page is taken to have yielded too little (a paywall, a
# video page, a cookie wall): the feed's own text is used when it says more.
MIN_PAGE_CHARS = 400
# An article needs at least this much text to be worth storing and summarising.
MIN_ARTICLE_CHARS = 60
# Short texts hash together with their title, so two different briefs that share a
# stock sentence are not taken for the same story.
HASH_TITLE_BELOW_CHARS = 200

_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "yclid", "ysclid", "dclid", "gbraid", "wbraid", "msclkid", "igshid"}
    | {"mc_cid", "mc_eid", "_openstat", "_hsenc", "_hsmi", "mkt_tok", "utm", "rb_clickid"}
)
_TRACKING_PREFIXES = ("utm_", "_ga", "pk_", "mtm_", "oly_")
_HASH_DROP = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class FeedText:
    """What the feed itself says about an entry: the fallback when the page fails."""

    title: str = ""
    text: str = ""
    author: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    url: str
    canonical_url: str
    title: str
    text: str  # cleaned, one paragraph per line
    author: str | None
    published_at: datetime | None  # aware UTC
    language: Language
    content_hash: str
    from_feed: bool  # the text came from the feed, not the page


@dataclass(frozen=True, slots=True)
class PageContent:
    """What trafilatura found on a page, before cleaning."""

    title: str
    text: str
    author: str | None
    published_at: datetime | None
    canonical_url: str | None
    site_name: str | None = None  # og:site_name, to tell a site's name on a headline


def extract_article(
    content: bytes | None,
    *,
    url: str,
    content_type: str | None = None,
    feed: FeedText | None = None,
    language_hint: Language = "ru",
) -> ExtractedArticle | None:
    """The article at `url` from its page bytes (None when the page could not be had),
    falling back to the feed's text; None when neither has enough text to keep."""
    feed = feed or FeedText()
    page: PageContent | None = None
    if content:
        page = extract_page(content, url=url, content_type=content_type)
    title = strip_site_name(
        _first(feed.title, page.title if page else ""),
        site_names=[page.site_name] if page and page.site_name else [],
        host=urlsplit(url).hostname or "",
    )
    page_text = clean_text(page.text, title=title) if page else ""
    feed_text = clean_text(feed.text, title=title) if feed.text else ""
    from_feed = len(page_text) < MIN_PAGE_CHARS and len(feed_text) > len(page_text)
    text = feed_text if from_feed else page_text
    if len(text) < MIN_ARTICLE_CHARS:
        return None
    canonical = (page.canonical_url if page else None) or canonical_url(url)
    return ExtractedArticle(
        url=url,
        canonical_url=canonical,
        title=title or text.split("\n", 1)[0][:200],
        text=text,
        author=_first(feed.author or "", page.author if page and page.author else "") or None,
        published_at=feed.published_at or (page.published_at if page else None),
        language=detect_language(f"{title}\n{text}", default=language_hint),
        content_hash=content_hash(text, title),
        from_feed=from_feed,
    )


def extract_page(
    html: bytes | str, *, url: str, content_type: str | None = None
) -> PageContent | None:
    """trafilatura's reading of a page (its bytes, or text already decoded); None when it
    finds no article in it."""
    if isinstance(html, bytes):
        html = decode_text(html, content_type).text
    tree = trafilatura.load_html(html)
    if tree is None:
        return None
    canonical = _canonical_link(tree, url)
    published, site_name, meta_title = _page_meta(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        date_extraction_params={
            "extensive_search": False,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if document is None or isinstance(document, dict):
        return None
    return PageContent(
        title=meta_title or _headline(tree) or (document.title or "").strip(),
        text=document.text or "",
        author=(document.author or "").strip() or None,
        published_at=published or _parse_date(document.date),
        canonical_url=canonical,
        site_name=site_name,
    )


def canonical_url(url: str) -> str:
    """`url` without tracking parameters (utm_*, fbclid, gclid, yclid …) and fragment,
    with the scheme and host lower-cased. Meaningful parameters (an article id, a page)
    stay, in their order: courlan's strict mode drops those too, so this is our own."""
    parts = urlsplit(url.strip())
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in _TRACKING_NAMES and not name.lower().startswith(_TRACKING_PREFIXES)
    ]
    netloc = parts.netloc.lower()
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def content_hash(text: str, title: str = "") -> str:
    """SHA-256 of the text with case, ё/е, punctuation and spacing normalised away."""
    normalised = _HASH_DROP.sub(" ", text.casefold().replace("ё", "е")).strip()
    if len(normalised) < HASH_TITLE_BELOW_CHARS:
        normalised = (
            _HASH_DROP.sub(" ", title.casefold().replace("ё", "е")).strip() + "\n" + normalised
        )
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _canonical_link(tree: lxml.html.HtmlElement, url: str) -> str | None:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            absolute = urljoin(url, href)
            if urlsplit(absolute).scheme in ("http", "https"):
                return canonical_url(absolute)
    return None


_PUBLISHED_META = frozenset(
    {"article:published_time", "og:published_time", "datepublished", "pubdate", "date"}
)


def _page_meta(tree: lxml.html.HtmlElement) -> tuple[datetime | None, str | None, str | None]:
    """The publication time a page states in its metadata, to the second and with its zone
    (trafilatura's date finder may report the day only, which would place an article at
    midnight), the site's name (og:site_name) and the headline (og:title)."""
    published: datetime | None = None
    site_name: str | None = None
    title: str | None = None
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("itemprop") or meta.get("name") or "").lower()
        if published is None and key in _PUBLISHED_META:
            published = _parse_date((meta.get("content") or "").strip())
        elif site_name is None and key == "og:site_name":
            site_name = _squeeze(meta.get("content")) or None
        elif title is None and key in ("og:title", "twitter:title"):
            title = _squeeze(meta.get("content")) or None
    return published, site_name, title


def _headline(tree: lxml.html.HtmlElement) -> str:
    """The page's headline without og:title: its only `<h1>` when `<title>` begins with it
    (the rest is the site's name), else `<title>` whole. trafilatura would cut `<title>` at
    its first dash, and "Россия - Казахстан: итоги" is a headline, not "Россия" on a site
    named "Казахстан: итоги"; a site name on `<title>` is cut later, by `strip_site_name`."""
    heading = tree.find(".//title")
    title = _squeeze(heading.text_content()) if heading is not None else ""
    h1s = [_squeeze(h1.text_content()) for h1 in tree.iter("h1")]
    if len(h1s) == 1 and h1s[0] and title.startswith(h1s[0]):
        return h1s[0]
    return title


def _squeeze(text: str | None) -> str:
    return " ".join((text or "").split())


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _first(*values: str) -> str:
    return next((value.strip() for value in values if value and value.strip()), "")
