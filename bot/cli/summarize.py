"""`summarize`: the summary of one article, or of a batch of texts, from a terminal.

    summarize [--sentences N] [--language xx] URL|PATH|-
        The title and summary of one article. A URL is fetched through the project's
        guarded fetcher and extracted like an ingested page; a file or standard input may
        hold an HTML page or plain text.
    summarize --jsonl PATH|-
        One JSON object a line in, {"text", "title"?, "language"?, "sentences"?}; one a
        line out, {"summary": [sentences], "language"}, in the same order. A line that
        cannot be read gives {"error": ..., "line": n} and the batch goes on.
    resummarize [--since SPAN]
        Summarises stored articles again (after a change of SUMMARY_ALGORITHM): every one,
        or those fetched within SPAN.

Both use SUMMARY_ALGORITHM and the same service as ingestion, so what is printed here is
what subscribers read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.cli.inputs import InputError, read_bytes
from bot.config import Settings

if TYPE_CHECKING:
    from services.summary.summarizer import Summarizer

LANGUAGES = ("ru", "en", "kk")
BATCH = 64  # texts handed to the pool at once in --jsonl mode
_HTML_START = ("<!doctype", "<html", "<head", "<body", "<article", "<p", "<div", "<?xml")


def _sentences(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 5, not {value!r}") from None
    if not 1 <= count <= 5:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 5, not {count}")
    return count


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "summarize", help="print the title and summary of an article (URL, file or -)"
    )
    parser.add_argument("source", help="an http(s) URL, a file (HTML or text), or - for stdin")
    parser.add_argument("--sentences", type=_sentences, default=3, help="1-5 (default 3)")
    parser.add_argument(
        "--language", choices=LANGUAGES, default=None, help="default: detected from the text"
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='batch: SOURCE holds one {"text", "title"?, "language"?, "sentences"?} a line',
    )
    parser.set_defaults(handler=summarize_command)

    again = subparsers.add_parser(
        "resummarize", help="summarise stored articles again with SUMMARY_ALGORITHM"
    )
    again.add_argument(
        "--since", default=None, help="only articles fetched within this span: 90m, 24h, 7d …"
    )
    again.set_defaults(handler=resummarize_command)


@dataclass(frozen=True, slots=True)
class _Article:
    title: str
    text: str
    language: str


async def summarize_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl:
        return await _batch(args.source, settings)
    try:
        if args.source.startswith(("http://", "https://")):
            title, summary = await _summarize_url(args.source, args, settings)
        else:
            title, summary = await _summarize_file(args.source, args, settings)
    except InputError as exc:
        print(f"summarize: {exc}", file=sys.stderr)
        return 2
    if title:
        print(title)
        print()
    for sentence in summary:
        print(sentence)
    if not summary:
        print("summarize: the text has no sentence that can stand alone", file=sys.stderr)
        return 1
    return 0


def _summarizer(settings: Settings) -> Summarizer:
    from services.summary.summarizer import Summarizer

    return Summarizer(settings.summary_algorithm, pool="thread", workers=1)


async def _summarize_url(
    url: str, args: argparse.Namespace, settings: Settings
) -> tuple[str, Sequence[str]]:
    """A page fetched, extracted and summarised by the same service as /summary."""
    from services.ingest.fetch import Fetcher, FetchError
    from services.ingest.link_summary import LinkSummaries, NoArticle

    try:
        async with (
            Fetcher(allow_private_networks=settings.allow_private_networks) as fetcher,
            _summarizer(settings) as summarizer,
        ):
            found = await LinkSummaries(fetcher, summarizer).summarize(
                url,
                sentences=args.sentences,
                language_hint=_hint(args.language),
                language=args.language,
            )
    except FetchError as exc:
        raise InputError(f"cannot fetch {url}: {exc}") from None
    except NoArticle:
        raise InputError(f"no article text found at {url}") from None
    return found.title, found.sentences


async def _summarize_file(
    source: str, args: argparse.Namespace, settings: Settings
) -> tuple[str, Sequence[str]]:
    data = await asyncio.to_thread(read_bytes, source)
    article = await asyncio.to_thread(_article_from_bytes, data, source, args.language)
    async with _summarizer(settings) as summarizer:
        summary = await summarizer.summarize(
            article.text,
            language=article.language,
            sentences=args.sentences,
            title=article.title or None,
        )
    return article.title, summary


def _looks_like_html(text: str) -> bool:
    return text.lstrip()[:20].lower().startswith(_HTML_START)


def _article_from_bytes(data: bytes, source: str, language: str | None) -> _Article:
    from services.ingest.extract import extract_article
    from services.ingest.fetch import decode_text
    from services.text.language import detect_language

    text = decode_text(data).text
    if _looks_like_html(text):
        url = "file:///" + (Path(source).name if source != "-" else "stdin")
        extracted = extract_article(data, url=url, language_hint=_hint(language))
        if extracted is None:
            raise InputError("the page holds no article text")
        return _Article(extracted.title, extracted.text, language or extracted.language)
    return _Article("", text, language or detect_language(text))


def _hint(language: str | None) -> Any:
    return language if language in LANGUAGES else "ru"


# --- batch -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Request:
    line: int
    text: str
    title: str | None
    language: str
    sentences: int


def _parse_line(number: int, raw: str) -> _Request | dict[str, Any]:
    from services.text.language import detect_language

    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"error": f"not JSON: {exc.msg}", "line": number}
    if not isinstance(item, dict):
        return {"error": "expected a JSON object", "line": number}
    text, title = item.get("text"), item.get("title")
    language, sentences = item.get("language"), item.get("sentences", 3)
    if not isinstance(text, str):
        return {"error": 'expected "text": a string', "line": number}
    if title is not None and not isinstance(title, str):
        return {"error": '"title" must be a string', "line": number}
    if language is not None and language not in LANGUAGES:
        return {"error": '"language" must be one of ru, en, kk', "line": number}
    if isinstance(sentences, bool) or not isinstance(sentences, int) or not 1 <= sentences <= 5:
        return {"error": '"sentences" must be a whole number from 1 to 5', "line": number}
    detected = language or detect_language(f"{title or ''}\n{text}")
    return _Request(number, text, title, detected, sentences)


async def _batch(source: str, settings: Settings) -> int:
    from services.summary.summarizer import Summarizer

    try:
        stream = sys.stdin if source == "-" else Path(source).open(encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        print(f"summarize: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    errors = 0
    async with Summarizer(settings.summary_algorithm) as summarizer:
        try:
            async for chunk in _chunks(stream):
                answers = await asyncio.gather(
                    *(_answer(summarizer, number, raw) for number, raw in chunk)
                )
                for answer in answers:
                    errors += "error" in answer
                    print(json.dumps(answer, ensure_ascii=False), flush=False)
                sys.stdout.flush()
        except UnicodeDecodeError:
            print(f"summarize: {source} is not UTF-8 text", file=sys.stderr)
            return 2
        finally:
            if stream is not sys.stdin:
                stream.close()
    return 1 if errors else 0


async def _chunks(stream: IO[str]) -> Any:
    """Lists of (line number, line) for the non-blank lines, BATCH at a time."""
    chunk: list[tuple[int, str]] = []
    number = 0
    while True:
        raw = await asyncio.to_thread(stream.readline)
        if not raw:
            break
        number += 1
        if raw.strip():
            chunk.append((number, raw))
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _answer(summarizer: Any, number: int, raw: str) -> dict[str, Any]:
    request = _parse_line(number, raw)
    if isinstance(request, dict):
        return request
    summary = await summarizer.summarize(
        request.text, language=request.language, sentences=request.sentences, title=request.title
    )
    return {"summary": summary, "language": request.language}


# --- maintenance -------------------------------------------------------------------------


async def resummarize_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from bot.cli.digest import parse_span
    from services.summary.summarizer import Summarizer

    try:
        span = parse_span(args.since) if args.since else None
    except argparse.ArgumentTypeError as exc:
        print(f"resummarize: --since: {exc}", file=sys.stderr)
        return 2
    async with open_services(settings) as services, Summarizer(settings.summary_algorithm) as pool:
        since = services.clock.now() - span if span else datetime(1970, 1, 1, tzinfo=UTC)
        articles = await services.articles.fetched_since(since)
        done = empty = 0
        for chunk in _slices(articles, BATCH):
            summaries = await asyncio.gather(
                *(pool.summarize(a.text, language=a.language, title=a.title or None) for a in chunk)
            )
            for article, summary in zip(chunk, summaries, strict=True):
                await services.articles.set_summary(article.id, summary)
                done += 1
                empty += not summary
    print(
        f"resummarized {done} articles with {settings.summary_algorithm}"
        f" ({empty} without a summary)"
    )
    return 0


def _slices(items: list[Any], size: int) -> Iterable[list[Any]]:
    return (items[start : start + size] for start in range(0, len(items), size))
