"""One article from a link someone sent the bot: fetched, extracted, summarised.

It only joins the project's own parts: the guarded HTTP client (services/ingest/fetch.py,
so a link to a private address or a gigabyte file is refused there), the article
extractor (services/ingest/extract.py, CPU work run off the event loop) and the summarizer
(services/summary/summarizer.py, its own worker pool). Failures come out as exceptions the
caller can put into words: any `FetchError` from the client, or `NoArticle` when
the page holds nothing that reads as an article.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from services.ingest.extract import ExtractedArticle, extract_article
from services.ingest.fetch import Fetcher
from services.summary.summarizer import Summarizer
from services.text.language import Language

# What a page can be served as and still hold an article.
_PAGE_TYPES = frozenset(
    {"", "text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml"}
)


class NoArticle(Exception):
    """The page was fetched but holds no article (not a web page, or too little text)."""


@dataclass(frozen=True, slots=True)
class LinkSummary:
    url: str  # where the article was found, after redirects
    title: str
    source: str  # the site's host name, without "www."
    language: Language
    sentences: tuple[str, ...]  # empty when no sentence was worth keeping


def site_name(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class LinkSummaries:
    """Summaries of pages by URL, for /summary and links sent to the bot."""

    def __init__(
        self, fetcher: Fetcher, summarizer: Summarizer, executor: Executor | None = None
    ) -> None:
        self._fetcher = fetcher
        self._summarizer = summarizer
        self._executor = executor  # None: asyncio's default thread pool

    async def summarize(
        self,
        url: str,
        *,
        sentences: int = 3,
        language_hint: Language = "ru",
        language: Language | None = None,
    ) -> LinkSummary:
        """Fetch and summarise `url`; raises FetchError or NoArticle.

        `language`, when given, is the summary's language whatever the page was detected as
        (someone who says what language a page is in knows better than the detector).
        """
        page = await self._fetcher.fetch(url)
        if page.media_type not in _PAGE_TYPES:
            raise NoArticle(f"{page.media_type} is not a web page")
        loop = asyncio.get_running_loop()
        article: ExtractedArticle | None = await loop.run_in_executor(
            self._executor,
            partial(
                extract_article,
                page.content,
                url=page.final_url,
                content_type=page.content_type,
                language_hint=language_hint,
            ),
        )
        if article is None:
            raise NoArticle("no article text on the page")
        language = language or article.language
        summary = await self._summarizer.summarize(
            article.text, language=language, sentences=sentences, title=article.title
        )
        return LinkSummary(
            url=page.final_url,
            title=article.title,
            source=site_name(page.final_url),
            language=language,
            sentences=tuple(summary),
        )
