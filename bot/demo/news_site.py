"""A local news site on 127.0.0.1: feeds, article pages, and every fault a real site has.

Used by the ingestion tests, the offline demo and the benchmarks, so it imports no
pytest. Pages look like Russian and Kazakh news sites (RIA/TASS/Kazinform/Tengrinews
style): navigation, a photo with a caption, a view counter, "Читайте также" blocks,
share and subscribe prompts, a sidebar of other headlines and a footer, around the
article body that `bot.demo.news_corpus` defines as the truth.

    async with NewsSite(articles=40) as site:
        site.url("/rss/all.xml")          # a feed of every article
        site.url(NewsSite.FAULT_500)      # a fault endpoint
        site.hits["/rss/all.xml"]         # how often a path was requested

Run it on its own (for the demo or a benchmark in another process):
    python -m bot.demo.news_site --articles 500 --port 0   # prints its base URL
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.demo.news_corpus import FAMILIES, SiteArticle, build_articles

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

STYLE_BRANDS = {
    "ria": ("РИА Новости", "Подписывайтесь на РИА Новости в Telegram", "Читайте также"),
    "tass": (
        "ТАСС",
        "Узнавайте о новостях первыми — подписывайтесь на ТАСС в Telegram",
        "Читайте также",
    ),
    "kazinform": (
        "Kazinform",
        "Жаңалықтарды бірінші болып Telegram арнамыздан оқыңыз",
        "Сондай-ақ оқыңыз",
    ),
    "tengri": ("Tengrinews", "Подписывайтесь на наш Telegram-канал", "Читайте также"),
    "reuters": ("Reuters", "Subscribe to our newsletter", "Read also"),
}
NAVIGATION = {
    "ru": ("Главная", "Политика", "Экономика", "В мире", "Общество", "Происшествия", "Спорт"),
    "kk": ("Басты бет", "Саясат", "Экономика", "Әлем", "Қоғам", "Спорт"),
    "en": ("Home", "Politics", "Business", "World", "Markets", "Sport"),
}
FOOTERS = {
    "ru": (
        "© 2026 Сетевое издание. Все права защищены.",
        "При полном или частичном использовании материалов ссылка обязательна.",
        "Правила применения рекомендательных технологий",
    ),
    "kk": ("© 2026 Барлық құқықтар қорғалған.", "Материалдарды пайдаланғанда сілтеме міндетті."),
    "en": ("© 2026 All rights reserved.", "Terms of use · Privacy policy · Cookie settings"),
}


@dataclass(frozen=True, slots=True)
class SiteSource:
    """A healthy feed of the site, as a sources.toml entry would name it."""

    url: str
    name: str
    language: str


@functools.cache
def gzip_bomb(decompressed_mib: int = 64) -> bytes:
    """A single gzip member of zeros: ~1 KiB per MiB it expands to."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 9, zlib.Z_RLE)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(decompressed_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


class NewsSite:
    """The site; `articles` generated articles (the newest published at `newest`), or the
    articles given."""

    FAULT_SLOW = "/faults/slow.xml"  # answers after `slow_seconds` (or `release_slow()`)
    FAULT_TRICKLE = "/faults/trickle.xml"  # sends one byte at a time, for ever
    FAULT_500 = "/faults/500.xml"
    FAULT_404 = "/faults/404.xml"
    FAULT_MALFORMED = "/faults/malformed.xml"
    FAULT_HTML_AS_FEED = "/faults/html-as-feed.xml"  # a web page with an RSS content type
    FAULT_HUGE = "/faults/huge.xml"  # 50 MiB, chunked, no Content-Length
    FAULT_GZIP_BOMB = "/faults/gzip-bomb.xml"  # 64 KiB on the wire, 64 MiB inflated
    FAULT_BAD_GZIP = "/faults/bad-gzip.xml"  # says gzip, is not
    FAULT_REDIRECT_LOOP = "/faults/redirect-loop.xml"
    FAULT_RETRY_AFTER = "/faults/retry-after.xml"  # 429 with Retry-After: 120
    FAULT_CP1251_PAGE = "/faults/cp1251.html"  # windows-1251, charset only in <meta>
    FAULT_KOI8_PAGE = "/faults/koi8.html"  # KOI8-R, no charset anywhere
    FEED_EMPTY = "/rss/empty.xml"
    FEED_CONDITIONAL = "/rss/conditional.xml"  # ETag/Last-Modified; 304 when they match
    FEED_RELATIVE = "/rss/relative.xml"  # item links relative to the feed
    FEED_NO_DATES = "/rss/no-dates.xml"  # items without pubDate and guid
    FEED_LYING_TYPE = "/rss/lying-type.xml"  # RSS served as text/html
    FEED_GONE = "/rss/gone.xml"  # two items' pages answer 404, one with a description, one without
    FEED_SYNDICATED = "/rss/syndicated.xml"  # one story under three URLs
    FEED_CP1251 = "/rss/cp1251.xml"  # windows-1251, encoding only in the XML declaration
    FEED_RDF = "/rss/rdf.xml"  # RSS 1.0
    FEED_ALL = "/rss/all.xml"
    FEED_CP1251_PAGE = "/rss/cp1251-page.xml"  # one item: the windows-1251 page
    GONE_PAGE = "/news/society/gone-article.html"
    PAGE_WITHOUT_FEED = "/about.html"  # a web page that announces no feed
    HOME = "/"

    def __init__(
        self,
        *,
        articles: int | Sequence[SiteArticle] = 24,
        newest: datetime | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 30.0,
        huge_mib: int = 50,
    ) -> None:
        self.articles: list[SiteArticle] = (
            build_articles(articles, newest) if isinstance(articles, int) else list(articles)
        )
        self._by_path = {article.path: article for article in self.articles}
        self._host = host
        self._port = port
        self.slow_seconds = slow_seconds
        self.huge_mib = huge_mib
        self.hits: Counter[str] = Counter()
        self.last_headers: dict[str, dict[str, str]] = {}  # path → headers of its last request
        self.slow_in_flight = 0
        self.slow_max_in_flight = 0
        self.not_modified_answers = 0
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._release: asyncio.Event | None = None

    # --- life cycle --------------------------------------------------------------

    async def start(self) -> NewsSite:
        app = web.Application()
        app.middlewares.append(self._count)
        routes = [
            ("/", self._home),
            ("/news/{section}/{slug}.html", self._article),
            ("/mirror/{section}/{slug}.html", self._mirror),
            ("/rss/all.xml", self._feed_all),
            ("/atom/{language}.xml", self._feed_atom),
            ("/redirect", self._redirect),
            (self.FEED_EMPTY, self._feed_empty),
            (self.FEED_CONDITIONAL, self._feed_conditional),
            (self.FEED_RELATIVE, self._feed_relative),
            (self.FEED_NO_DATES, self._feed_no_dates),
            (self.FEED_LYING_TYPE, self._feed_lying_type),
            (self.FEED_GONE, self._feed_gone),
            (self.FEED_SYNDICATED, self._feed_syndicated),
            (self.FEED_CP1251, self._feed_cp1251),
            (self.FEED_RDF, self._feed_rdf),
            (self.FEED_CP1251_PAGE, self._feed_cp1251_page),
            (self.PAGE_WITHOUT_FEED, self._about),
            ("/rss/{section}.xml", self._feed_section),
            (self.FAULT_SLOW, self._slow),
            (self.FAULT_TRICKLE, self._trickle),
            (self.FAULT_500, self._status(500)),
            (self.FAULT_404, self._status(404)),
            (self.FAULT_MALFORMED, self._malformed),
            (self.FAULT_HTML_AS_FEED, self._html_as_feed),
            (self.FAULT_HUGE, self._huge),
            (self.FAULT_GZIP_BOMB, self._gzip_bomb),
            (self.FAULT_BAD_GZIP, self._bad_gzip),
            (self.FAULT_REDIRECT_LOOP, self._redirect_loop),
            ("/faults/redirect-loop-b.xml", self._redirect_loop_b),
            ("/faults/redirect-chain/{left}", self._redirect_chain),
            (self.FAULT_RETRY_AFTER, self._retry_after),
            (self.FAULT_CP1251_PAGE, self._cp1251_page),
            (self.FAULT_KOI8_PAGE, self._koi8_page),
        ]
        for path, handler in routes:
            app.router.add_get(path, handler)
        self._release = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        port = sockets[0].getsockname()[1]
        self.base_url = f"http://{self._host}:{port}"
        return self

    async def close(self) -> None:
        self.release_slow()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> NewsSite:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- test API ----------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def release_slow(self) -> None:
        """Let every request waiting on the slow endpoint be answered now."""
        if self._release is not None:
            self._release.set()

    def sources(self) -> list[SiteSource]:
        """One healthy feed per section, named like an outlet's rubric."""
        found: list[SiteSource] = []
        for family in FAMILIES:
            if any(article.section == family.section for article in self.articles):
                brand = STYLE_BRANDS[family.style][0]
                found.append(
                    SiteSource(
                        self.url(f"/rss/{family.section}.xml"),
                        f"{brand}: {family.section}",
                        family.language,
                    )
                )
        return found

    def article(self, path: str) -> SiteArticle:
        return self._by_path[path]

    # --- middleware ----------------------------------------------------------------

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.hits[request.path] += 1
        self.last_headers[request.path] = dict(request.headers)
        return await handler(request)

    # --- pages ---------------------------------------------------------------------

    async def _home(self, request: web.Request) -> web.Response:
        items = "".join(
            f'<li><a href="{article.path}">{escape(article.title)}</a></li>'
            for article in self.articles[:20]
        )
        body = (
            '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Новости</title>'
            '<link rel="alternate" type="application/rss+xml" title="Все новости" href="/rss/all.xml">'
            '<link rel="alternate" type="application/atom+xml" title="Жаңалықтар" href="/atom/kk.xml">'
            f"</head><body><h1>Главные новости</h1><ul>{items}</ul></body></html>"
        )
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    async def _article(self, request: web.Request) -> web.Response:
        article = self._by_path.get(request.path)
        if article is None:
            raise web.HTTPNotFound(text="Страница не найдена")
        page = render_page(article, self._sidebar(article), canonical=self.url(article.path))
        response = web.Response(text=page, content_type="text/html", charset="utf-8")
        response.enable_compression()
        return response

    async def _mirror(self, request: web.Request) -> web.Response:
        """A partner site's copy of an article: same text, no canonical link."""
        article = self._by_path.get(request.path.replace("/mirror/", "/news/", 1))
        if article is None:
            raise web.HTTPNotFound(text="Страница не найдена")
        page = render_page(article, self._sidebar(article), canonical=None)
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    def _sidebar(self, article: SiteArticle) -> list[SiteArticle]:
        others = [other for other in self.articles if other.index != article.index]
        return others[:6]

    # --- feeds ---------------------------------------------------------------------

    def _rss_response(
        self,
        items: Sequence[SiteArticle],
        *,
        relative: bool = False,
        dates: bool = True,
        guids: bool = True,
        full_description: bool = False,
    ) -> web.Response:
        feed = render_rss(
            items,
            self.base_url,
            relative=relative,
            dates=dates,
            guids=guids,
            full_description=full_description,
        )
        response = web.Response(
            body=feed.encode("utf-8"),
            content_type="application/rss+xml",
            charset="utf-8",
        )
        response.enable_compression()
        return response

    async def _feed_all(self, request: web.Request) -> web.Response:
        return self._rss_response(self.articles)

    async def _feed_section(self, request: web.Request) -> web.Response:
        section = request.match_info["section"]
        items = [article for article in self.articles if article.section == section]
        if not items:
            raise web.HTTPNotFound(text="Лента не найдена")
        return self._rss_response(items)

    async def _feed_atom(self, request: web.Request) -> web.Response:
        language = request.match_info["language"]
        items = [article for article in self.articles if article.language == language]
        body = render_atom(items, self.base_url, language)
        return web.Response(body=body.encode("utf-8"), content_type="application/atom+xml")

    async def _feed_empty(self, request: web.Request) -> web.Response:
        return self._rss_response([])

    async def _feed_conditional(self, request: web.Request) -> web.Response:
        items = self.articles[:3]
        etag = f'"feed-{len(items)}-{items[0].slug if items else "none"}"'
        modified = format_datetime(
            items[0].published if items else datetime(2026, 1, 1, tzinfo=UTC), usegmt=True
        )
        if request.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == modified
        ):
            self.not_modified_answers += 1
            return web.Response(status=304, headers={"ETag": etag, "Last-Modified": modified})
        response = self._rss_response(items)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = modified
        return response

    async def _feed_relative(self, request: web.Request) -> web.Response:
        return self._rss_response(self.articles[:3], relative=True)

    async def _feed_no_dates(self, request: web.Request) -> web.Response:
        return self._rss_response(self.articles[3:5], dates=False, guids=False)

    async def _feed_lying_type(self, request: web.Request) -> web.Response:
        body = render_rss(self.articles[5:7], self.base_url)
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    async def _feed_gone(self, request: web.Request) -> web.Response:
        gone = SiteArticle(
            index=-1,
            slug="gone-article",
            section="society",
            language="ru",
            style="tengri",
            title="Материал, который сняли с сайта",
            dateline="",
            paragraphs=(
                "В Павлодарской области завершили ремонт трассы, соединяющей регион с Омской "
                "областью России. Движение по ней открыто в обе стороны.",
                "Как сообщили в управлении дорог, на участке протяжённостью сорок километров "
                "заменили асфальт и установили новое освещение.",
            ),
            published=self.articles[0].published
            if self.articles
            else datetime(2026, 1, 1, tzinfo=UTC),
            author=None,
            caption="",
            views=0,
        )
        empty = replace(gone, slug="gone-empty", title="Пустая запись", paragraphs=("",))
        return self._rss_response([gone, empty, *self.articles[7:8]], full_description=True)

    async def _feed_syndicated(self, request: web.Request) -> web.Response:
        first = self.articles[0]
        links = [
            self.url(first.path) + "?utm_source=rss&utm_medium=feed&utm_campaign=main#comments",
            self.url(first.path.replace("/news/", "/mirror/", 1)),
            self.url(first.path),
        ]
        return web.Response(
            text=render_rss([first, first, first], self.base_url, links=links),
            content_type="application/rss+xml",
            charset="utf-8",
        )

    async def _feed_cp1251(self, request: web.Request) -> web.Response:
        body = render_rss(self.articles[:2], self.base_url, encoding="windows-1251")
        return web.Response(
            body=body.encode("windows-1251", "xmlcharrefreplace"),
            headers={"Content-Type": "application/rss+xml"},
        )

    async def _feed_cp1251_page(self, request: web.Request) -> web.Response:
        first = self.articles[0]
        return web.Response(
            text=render_rss([first], self.base_url, links=[self.url(self.FAULT_CP1251_PAGE)]),
            content_type="application/rss+xml",
            charset="utf-8",
        )

    async def _about(self, request: web.Request) -> web.Response:
        body = (
            '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>О нас</title>'
            "</head><body><h1>О редакции</h1><p>Мы пишем о Казахстане и России.</p></body></html>"
        )
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    async def _feed_rdf(self, request: web.Request) -> web.Response:
        return web.Response(
            text=render_rdf(self.articles[:2], self.base_url),
            content_type="application/rdf+xml",
            charset="utf-8",
        )

    # --- faults --------------------------------------------------------------------

    async def _slow(self, request: web.Request) -> web.Response:
        assert self._release is not None
        self.slow_in_flight += 1
        self.slow_max_in_flight = max(self.slow_max_in_flight, self.slow_in_flight)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), self.slow_seconds)
        finally:
            self.slow_in_flight -= 1
        return self._rss_response(self.articles[:1])

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            for _ in range(100_000):
                await response.write(b" ")
                await asyncio.sleep(0.02)
        return response

    @staticmethod
    def _status(status: int) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(status=status, text=f"error {status}", content_type="text/plain")

        return handler

    async def _malformed(self, request: web.Request) -> web.Response:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            "<title>Сломанная лента</title><item><title>Без конца</title"
            "<link>/news/x.html</lin></description>&&&<<</channel"
        )
        return web.Response(text=body, content_type="application/rss+xml", charset="utf-8")

    async def _html_as_feed(self, request: web.Request) -> web.Response:
        article = self.articles[0]
        page = render_page(article, [], canonical=None)
        return web.Response(text=page, content_type="application/rss+xml", charset="utf-8")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        await response.prepare(request)
        chunk = b"<!-- " + b"x" * (1024 * 1024 - 9) + b" -->"
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            for _ in range(self.huge_mib):
                await response.write(chunk)
            await response.write(b"</channel></rss>")
        return response

    async def _gzip_bomb(self, request: web.Request) -> web.Response:
        body = await asyncio.to_thread(gzip_bomb)
        return web.Response(
            body=body, headers={"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"}
        )

    async def _bad_gzip(self, request: web.Request) -> web.Response:
        return web.Response(
            body=b"this is plainly not gzip data " * 10,
            headers={"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"},
        )

    async def _redirect_loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/faults/redirect-loop-b.xml")

    async def _redirect_loop_b(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(self.FAULT_REDIRECT_LOOP)

    async def _redirect_chain(self, request: web.Request) -> web.Response:
        left = int(request.match_info["left"])
        if left <= 0:
            return self._rss_response(self.articles[:1])
        raise web.HTTPFound(f"/faults/redirect-chain/{left - 1}")

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query.get("to", "/"))

    async def _retry_after(self, request: web.Request) -> web.Response:
        return web.Response(status=429, text="Too Many Requests", headers={"Retry-After": "120"})

    async def _cp1251_page(self, request: web.Request) -> web.Response:
        article = self.articles[0]
        page = render_page(article, [], canonical=None, charset="windows-1251")
        return web.Response(
            body=page.encode("windows-1251", "xmlcharrefreplace"),
            headers={"Content-Type": "text/html"},
        )

    async def _koi8_page(self, request: web.Request) -> web.Response:
        article = self.articles[0]
        page = render_page(article, [], canonical=None, charset=None)
        return web.Response(
            body=page.encode("koi8-r", "xmlcharrefreplace"),
            headers={"Content-Type": "text/html"},
        )


# --- rendering ---------------------------------------------------------------------


def _dateline_html(article: SiteArticle) -> str:
    return f"<strong>{escape(article.dateline)}</strong> " if article.dateline else ""


def render_page(
    article: SiteArticle,
    sidebar: Iterable[SiteArticle],
    *,
    canonical: str | None,
    charset: str | None = "utf-8",
) -> str:
    """An article page in its outlet's style, with all the furniture around the body."""
    brand, subscribe, read_also = STYLE_BRANDS[article.style]
    language = article.language
    nav = "".join(
        f'<li><a href="/{index}">{escape(item)}</a></li>'
        for index, item in enumerate(NAVIGATION[language])
    )
    related = list(sidebar)
    sidebar_items = "".join(
        f'<li class="list-item"><a href="{other.path}">{escape(other.title)}</a>'
        f'<span class="list-item__date">{other.published:%H:%M}</span></li>'
        for other in related
    )
    paragraphs = [escape(paragraph) for paragraph in article.paragraphs]
    # Real sites put furniture inside the article body, where extractors keep it: a photo
    # with its caption as a paragraph, a "Читайте также" link, a view counter, a prompt.
    body: list[str] = [f'<p class="article__text">{_dateline_html(article)}{paragraphs[0]}</p>']
    body.append(
        f'<img src="/img/{article.slug}-2.jpg" alt=""><p><em>{escape(article.caption)}</em></p>'
    )
    for position, paragraph in enumerate(paragraphs[1:], start=1):
        body.append(f'<p class="article__text">{paragraph}</p>')
        if position == 1 and related:
            body.append(f"<p><strong>{escape(read_also)}:</strong> {escape(related[0].title)}</p>")
        if position == 2 and len(related) > 1:
            body.append(
                f'<div class="article__block--related"><p>{escape(read_also)}</p>'
                f'<p><a href="{related[1].path}">{escape(related[1].title)}</a></p></div>'
            )
    body.append(f'<p class="views">{article.views}</p>')
    body.append(f"<p><b>{escape(subscribe)}</b></p>")
    if article.style == "tengri":
        # Tengrinews-style pages repeat the headline as the first line of the body.
        body.insert(0, f"<p><b>{escape(article.title)}</b></p>")
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    canonical_link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    author_meta = (
        f'<meta name="author" content="{escape(article.author)}">' if article.author else ""
    )
    author_line = (
        f'<div class="article__author">{escape(article.author)}</div>' if article.author else ""
    )
    footer = "".join(f"<p>{escape(line)}</p>" for line in FOOTERS[language])
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
{meta_charset}
<title>{escape(article.title)} — {escape(brand)}</title>
{canonical_link}
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:type" content="article">
<meta name="description" content="{escape(article.lead[:200])}">
{author_meta}
<meta property="article:published_time" content="{article.published.isoformat()}">
<link rel="alternate" type="application/rss+xml" href="/rss/all.xml" title="{escape(brand)}">
</head>
<body>
<header class="header">
  <div class="header__logo"><a href="/">{escape(brand)}</a></div>
  <nav class="header__nav"><ul>{nav}</ul></nav>
  <div class="header__actions"><a class="header__subscribe" href="/subscribe">Подписаться</a>
  <a class="header__search" href="/search">Поиск</a></div>
</header>
<main class="layout">
<article class="article">
  <div class="article__meta">
    <time datetime="{article.published.isoformat()}">{article.published:%d.%m.%Y %H:%M}</time>
    <span class="article__views">{article.views}</span>
  </div>
  <h1 class="article__title">{escape(article.title)}</h1>
  {author_line}
  <figure class="article__photo">
    <img src="/img/{article.slug}.jpg" alt="{escape(article.title)}">
    <figcaption>{escape(article.caption)}</figcaption>
  </figure>
  <div class="article__body">
    {"".join(body)}
  </div>
  <div class="article__tags"><a href="/tag/kz">Казахстан</a> <a href="/tag/ru">Россия</a></div>
  <div class="article__share"><span>Поделиться</span>
    <a href="https://t.me/share">Telegram</a> <a href="https://vk.com/share">ВКонтакте</a></div>
  <div class="article__subscribe"><p>{escape(subscribe)}</p></div>
</article>
<aside class="sidebar">
  <h2 class="sidebar__title">Главное</h2>
  <ul class="list">{sidebar_items}</ul>
  <div class="sidebar__banner">Реклама</div>
</aside>
</main>
<footer class="footer">{footer}
  <p>Ошибка в тексте? Выделите её и нажмите Ctrl+Enter</p>
</footer>
</body>
</html>
"""


def _xml(text: str) -> str:
    return escape(text, quote=False)


def render_rss(
    items: Sequence[SiteArticle],
    base_url: str,
    *,
    relative: bool = False,
    dates: bool = True,
    guids: bool = True,
    full_description: bool = False,
    links: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> str:
    """An RSS 2.0 feed of `items` (the switches make the odd feeds real sites serve)."""
    entries = []
    for position, article in enumerate(items):
        link = links[position] if links else (article.path if relative else base_url + article.path)
        parts = [f"<title>{_xml(article.title)}</title>", f"<link>{_xml(link)}</link>"]
        if guids:
            parts.append(f'<guid isPermaLink="false">{article.slug}</guid>')
        if dates:
            parts.append(f"<pubDate>{format_datetime(article.published)}</pubDate>")
        description = " ".join(article.paragraphs) if full_description else article.lead
        parts.append(f"<description>{_xml(description)}</description>")
        parts.append(f"<category>{article.section}</category>")
        entries.append(f"<item>{''.join(parts)}</item>")
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0"><channel><title>Новости</title>'
        f"<link>{base_url}/</link><description>Лента новостей</description>"
        f"<language>ru</language>{''.join(entries)}</channel></rss>"
    )


def render_atom(items: Sequence[SiteArticle], base_url: str, language: str) -> str:
    entries = "".join(
        f"<entry><title>{_xml(article.title)}</title>"
        f'<link rel="alternate" href="{base_url}{article.path}"/>'
        f"<id>tag:news.local,2026:{article.slug}</id>"
        f"<updated>{article.published.isoformat()}</updated>"
        f"<summary>{_xml(article.lead)}</summary></entry>"
        for article in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{language}">'
        f"<title>Жаңалықтар</title><id>tag:news.local,2026:{language}</id>"
        f"<updated>{items[0].published.isoformat() if items else '2026-01-01T00:00:00Z'}</updated>"
        f"{entries}</feed>"
    )


def render_rdf(items: Sequence[SiteArticle], base_url: str) -> str:
    entries = "".join(
        f'<item rdf:about="{base_url}{article.path}"><title>{_xml(article.title)}</title>'
        f"<link>{base_url}{article.path}</link><description>{_xml(article.lead)}</description>"
        f"<dc:date>{article.published.isoformat()}</dc:date></item>"
        for article in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{base_url}/"><title>Новости</title><link>{base_url}/</link>'
        f"<description>RSS 1.0</description></channel>{entries}</rdf:RDF>"
    )


async def _serve(articles: int, host: str, port: int) -> None:
    async with NewsSite(articles=articles, host=host, port=port) as site:
        print(site.base_url, flush=True)  # noqa: T201 - the parent process reads this line
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="A local news site for demos and benchmarks.")
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.articles, args.host, args.port))


if __name__ == "__main__":
    main()
