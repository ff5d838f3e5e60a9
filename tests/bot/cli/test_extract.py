"""`extract` as an operator runs it: a URL, a saved page, stdin, a JSONL batch."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.cli import build_parser
from bot.config import Settings

MakeSettings = Callable[..., Settings]
PAGES = Path(__file__).parents[2] / "data" / "pages"


def expected(name: str) -> dict[str, Any]:
    return dict(json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8")))


def printed(name: str) -> list[str]:
    """What `extract` prints for a fixture page: its title, a blank line, its paragraphs."""
    page = expected(name)
    return [page["title"], "", *page["paragraphs"]]


async def run(settings: Settings, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    return int(await args.handler(args, settings))


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), "utf-8"))


@pytest.fixture
async def news_site() -> AsyncIterator[str]:
    """A site on loopback serving a fixture page, its charset in the HTTP header."""

    async def ria(_: web.Request) -> web.Response:
        body = (PAGES / "ria_style.html").read_bytes()
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

    async def missing(_: web.Request) -> web.Response:
        return web.Response(status=404, text="no such page")

    app = web.Application()
    app.router.add_get("/20260320/kazakhstan-1934567.html", ria)
    app.router.add_get("/missing", missing)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def test_a_url_prints_the_title_and_the_cleaned_text_as_ingestion_stores_them(
    make_settings: MakeSettings, news_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "extract", f"{news_site}/20260320/kazakhstan-1934567.html")

    assert code == 0
    assert capsys.readouterr().out.splitlines() == printed("ria_style")


async def test_a_url_that_cannot_be_fetched_is_one_clear_line(
    make_settings: MakeSettings, news_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "extract", f"{news_site}/missing")

    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("extract: cannot fetch")
    assert len(error.strip().splitlines()) == 1


async def test_a_saved_page_with_its_address_reads_like_the_fetched_one(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    page = expected("site_name_on_title")
    path = PAGES / "site_name_on_title.html"

    code = await run(make_settings(), "extract", "--url", page["url"], str(path))

    assert code == 0
    assert capsys.readouterr().out.splitlines() == printed("site_name_on_title")


async def test_a_page_with_an_xml_declaration_is_not_empty(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "extract", str(PAGES / "xml_declaration.html"))

    assert code == 0
    assert capsys.readouterr().out.splitlines() == printed("xml_declaration")


async def test_stdin_is_read_as_bytes_so_the_page_s_own_charset_counts(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_of(monkeypatch, (PAGES / "stray_latin1_in_utf8.html").read_bytes())

    code = await run(make_settings(), "extract", "-")

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == printed("stray_latin1_in_utf8")
    assert "eine schöne Überraschung" in out


async def test_a_page_without_an_article_says_so_and_fails(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_of(monkeypatch, b"<html><body><nav><a href='/'>Home</a></nav></body></html>")

    code = await run(make_settings(), "extract", "-")

    assert code == 1
    assert "no article text" in capsys.readouterr().err


async def test_a_missing_file_is_one_clear_line(
    make_settings: MakeSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "extract", str(tmp_path / "nothing.html"))

    assert code == 2
    assert capsys.readouterr().err.strip() == f"extract: no such file: {tmp_path / 'nothing.html'}"


async def test_a_batch_answers_every_line_in_order_and_a_bad_line_does_not_stop_it(
    make_settings: MakeSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "de.html").write_bytes((PAGES / "stray_latin1_in_utf8.html").read_bytes())
    ria = expected("ria_style")
    lines = [
        {"html": (PAGES / "ria_style.html").read_text(encoding="utf-8"), "url": ria["url"]},
        {"path": "saved/de.html"},
        "this is not json",
        {"path": str(PAGES / "title_with_its_own_dash.html"), "url": "https://sports-kz.example/"},
        {"url": "https://news.example/a"},
        {"html": "<html><body><p>Коротко.</p></body></html>"},
        {"path": "saved/absent.html"},
    ]
    batch = tmp_path / "pages.jsonl"
    batch.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n\n",
        encoding="utf-8",
    )

    code = await run(make_settings(), "extract", "--jsonl", str(batch))

    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert len(answers) == len(lines)
    assert answers[0] == {
        "title": ria["title"],
        "text": "\n".join(ria["paragraphs"]),
        "language": "ru",
    }
    assert answers[1]["text"].splitlines() == expected("stray_latin1_in_utf8")["paragraphs"]
    assert answers[2] == {"error": answers[2]["error"], "line": 3}
    assert answers[2]["error"].startswith("not JSON")
    assert answers[3]["title"] == "Россия - Казахстан: итоги товарищеского матча"
    assert answers[4] == {"error": 'expected either "html" or "path": a string', "line": 5}
    assert answers[5] == {"title": "", "text": "", "language": None}
    assert answers[6]["line"] == 7 and answers[6]["error"].startswith("cannot read saved/absent")


async def test_a_batch_reads_stdin_too(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = expected("caption_after_text")
    line = {"path": str(PAGES / "caption_after_text.html"), "url": page["url"]}
    stdin_of(monkeypatch, (json.dumps(line) + "\n").encode())

    code = await run(make_settings(), "extract", "--jsonl", "-")

    answers = [json.loads(out) for out in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert answers == [
        {"title": page["title"], "text": "\n".join(page["paragraphs"]), "language": "ru"}
    ]
