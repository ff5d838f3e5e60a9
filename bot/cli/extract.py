"""`extract`: the title and cleaned text of a page, exactly as ingestion stores them.

    extract [--url URL] URL|PATH|-
        A URL is fetched through the project's guarded fetcher; a file or standard input
        is read as bytes, so the page's own charset declarations count. `--url` gives the
        page's address when it comes from a file or stdin (canonical links, site names on
        titles and relative links depend on it). Prints the title, a blank line, then the
        text, one paragraph a line.
    extract --jsonl PATH|-
        One JSON object a line in, {"html": …, "url"?: …} or {"path": …, "url"?: …} (a saved
        page, read as bytes); one a line out, {"title", "text", "language"}, in the same
        order, with an empty "text" when the page holds no article. A line that cannot be
        read gives {"error": …, "line": n} and the batch goes on.

The same `extract_article` as ingestion, so a page that reads wrong here reads wrong in
the digest, and a fix shows here first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.cli.inputs import InputError, read_bytes
from bot.config import Settings

if TYPE_CHECKING:
    from services.ingest.extract import ExtractedArticle

_UTF8_PAGE = "text/html; charset=utf-8"  # an "html" string in JSON is already text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "extract", help="print the title and cleaned text of a page (URL, file or -)"
    )
    parser.add_argument("source", help="an http(s) URL, an HTML file, or - for stdin")
    parser.add_argument(
        "--url", default=None, help="the page's address when it is read from a file or stdin"
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='batch: SOURCE holds one {"html"|"path", "url"?} a line',
    )
    parser.set_defaults(handler=extract_command)


async def extract_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl:
        return await _batch(args.source)
    try:
        if args.source.startswith(("http://", "https://")):
            article = await _from_url(args.source, settings)
        else:
            data = await asyncio.to_thread(read_bytes, args.source)
            url = args.url or _file_url(args.source)
            article = await asyncio.to_thread(_extract, data, url, None)
    except InputError as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return 2
    if article is None:
        print("extract: the page holds no article text", file=sys.stderr)
        return 1
    print(article.title)
    print()
    print(article.text)
    return 0


def _extract(content: bytes, url: str, content_type: str | None) -> ExtractedArticle | None:
    from services.ingest.extract import extract_article

    return extract_article(content, url=url, content_type=content_type)


async def _from_url(url: str, settings: Settings) -> ExtractedArticle | None:
    from services.ingest.fetch import Fetcher, FetchError

    try:
        async with Fetcher(allow_private_networks=settings.allow_private_networks) as fetcher:
            page = await fetcher.fetch(url)
    except FetchError as exc:
        raise InputError(f"cannot fetch {url}: {exc}") from None
    return await asyncio.to_thread(_extract, page.content, page.final_url, page.content_type)


def _file_url(source: str) -> str:
    return "file:///" + (Path(source).name if source != "-" else "stdin")


# --- batch -------------------------------------------------------------------------------


def _answer(number: int, raw: str, base: Path) -> dict[str, Any]:
    """One output object for one input line; never raises for what the line holds."""
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"error": f"not JSON: {exc.msg}", "line": number}
    if not isinstance(item, dict):
        return {"error": "expected a JSON object", "line": number}
    html, path, url = item.get("html"), item.get("path"), item.get("url")
    if url is not None and not isinstance(url, str):
        return {"error": '"url" must be a string', "line": number}
    if isinstance(html, str) and path is None:
        content, content_type = html.encode("utf-8", "surrogatepass"), _UTF8_PAGE
        url = url or f"file:///line-{number}"
    elif isinstance(path, str) and html is None:
        file = Path(path)
        if not file.is_absolute() and not file.exists():
            file = base / file  # relative to the JSONL file
        try:
            content, content_type = file.read_bytes(), None
        except OSError as exc:
            return {"error": f"cannot read {path}: {exc.strerror or exc}", "line": number}
        url = url or _file_url(path)
    else:
        return {"error": 'expected either "html" or "path": a string', "line": number}
    try:
        article = _extract(content, url, content_type)
    except Exception as exc:  # one page must not stop the batch
        return {"error": f"extraction failed: {type(exc).__name__}: {exc}", "line": number}
    if article is None:
        return {"title": "", "text": "", "language": None}
    return {"title": article.title, "text": article.text, "language": article.language}


async def _batch(source: str) -> int:
    try:
        stream: IO[str] = (
            sys.stdin if source == "-" else Path(source).open(encoding="utf-8-sig")  # noqa: SIM115
        )
    except OSError as exc:
        print(f"extract: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    base = Path.cwd() if source == "-" else Path(source).resolve().parent
    errors = 0
    try:
        number = 0
        while True:
            raw = await asyncio.to_thread(stream.readline)
            if not raw:
                break
            number += 1
            if not raw.strip():
                continue
            answer = await asyncio.to_thread(_answer, number, raw, base)
            errors += "error" in answer
            print(json.dumps(answer, ensure_ascii=False), flush=True)
    except UnicodeDecodeError:
        print(f"extract: {source} is not UTF-8 text", file=sys.stderr)
        return 2
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 1 if errors else 0
