"""`summarize` and `resummarize` as an operator runs them: a URL, a file, stdin, a JSONL batch."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.cli import build_parser
from bot.config import Settings
from services.clock.clocks import SystemClock
from services.storage import ArticleRepository, Database
from services.storage.models import NewArticle

MakeSettings = Callable[..., Settings]

LEAD = "Правительство Казахстана утвердило республиканский бюджет на следующий год без поправок."
PARAGRAPHS = [
    LEAD,
    "Фото: пресс-служба правительства Республики Казахстан.",
    "Доходы бюджета вырастут на десять процентов по сравнению с прошлым годом, сообщил министр.",
    "Основная часть расходов будет направлена на социальную сферу и образование в регионах.",
    "Читайте также: как менялся бюджет страны за последние десять лет.",
    "Парламент рассмотрит проект бюджета в следующем месяце на совместном заседании палат.",
]
PAGE = (
    "<!doctype html><html><head><title>Бюджет утвержден</title></head><body>"
    "<article><h1>Бюджет утвержден</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article></body></html>"
)


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


async def run(settings: Settings, *argv: str) -> int:
    args = parse(*argv)
    return int(await args.handler(args, settings))


def stdin_of(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), "utf-8"))


@pytest.fixture
async def news_page() -> AsyncIterator[str]:
    async def article(_: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html", charset="utf-8")

    async def missing(_: web.Request) -> web.Response:
        return web.Response(status=404, text="no such page")

    app = web.Application()
    app.router.add_get("/news/budget", article)
    app.router.add_get("/news/missing", missing)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/news"))
    finally:
        await server.close()


async def test_a_url_is_fetched_extracted_and_printed_as_title_and_summary(
    make_settings: MakeSettings, news_page: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "summarize", "--sentences", "2", f"{news_page}/budget")

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == "Бюджет утвержден"
    assert lines[1] == ""
    assert lines[2] == LEAD
    assert len(lines) == 4
    assert lines[3] in PARAGRAPHS
    assert "Фото" not in lines[3] and "Читайте" not in lines[3]


async def test_a_url_that_cannot_be_fetched_is_one_clear_line(
    make_settings: MakeSettings, news_page: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "summarize", f"{news_page}/missing")

    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("summarize: cannot fetch")
    assert len(error.strip().splitlines()) == 1


async def test_a_private_address_is_refused_unless_allowed(
    make_settings: MakeSettings, news_page: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(allow_private_networks=False)
    code = await run(settings, "summarize", f"{news_page}/budget")

    assert code == 2
    assert "cannot fetch" in capsys.readouterr().err


async def test_an_html_file_is_extracted_like_a_page(
    make_settings: MakeSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "budget.html"
    page.write_text(PAGE, encoding="utf-8")

    code = await run(make_settings(), "summarize", "--sentences", "1", str(page))

    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["Бюджет утвержден", "", LEAD]


async def test_plain_text_from_stdin_gets_a_summary_without_a_title(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_of(monkeypatch, "\n".join(PARAGRAPHS))

    code = await run(make_settings(), "summarize", "--sentences", "3", "-")

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == 3
    assert lines[0] == LEAD
    assert all(line in PARAGRAPHS for line in lines)


async def test_text_with_no_usable_sentence_says_so_and_fails(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_of(monkeypatch, "1234 !!! ???")

    code = await run(make_settings(), "summarize", "-")

    assert code == 1
    assert "no sentence that can stand alone" in capsys.readouterr().err


async def test_a_missing_file_is_one_clear_line(
    make_settings: MakeSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "summarize", str(tmp_path / "nope.txt"))

    assert code == 2
    assert capsys.readouterr().err.strip() == f"summarize: no such file: {tmp_path / 'nope.txt'}"


def test_the_number_of_sentences_is_checked_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        parse("summarize", "--sentences", "7", "-")
    assert "expected a number from 1 to 5" in capsys.readouterr().err


async def test_a_jsonl_batch_answers_every_line_in_order_and_bad_lines_with_an_error(
    make_settings: MakeSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english = "The government approved the national budget for next year without any changes."
    lines: list[Any] = [
        {"text": "\n".join(PARAGRAPHS), "title": "Бюджет", "sentences": 2},
        "this is not json",
        {"text": english, "language": "en"},
        {"title": "no text"},
        {"text": "Қазақстан үкіметі келесі жылға арналған бюджетті бекітті деп хабарлады."},
        {"text": english, "sentences": 0},
        {"text": english, "language": "de"},
        ["a", "list"],
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n\n",
        encoding="utf-8",
    )

    code = await run(make_settings(), "summarize", "--jsonl", str(batch))

    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # some lines were bad
    assert len(answers) == len(lines)
    assert answers[0]["language"] == "ru"
    assert len(answers[0]["summary"]) == 2
    assert answers[0]["summary"][0] == LEAD
    assert answers[1] == {"error": answers[1]["error"], "line": 2}
    assert answers[1]["error"].startswith("not JSON")
    assert answers[2] == {"summary": [english], "language": "en"}
    assert answers[3]["line"] == 4 and "text" in answers[3]["error"]
    assert answers[4]["language"] == "kk" and len(answers[4]["summary"]) == 1
    assert answers[5]["line"] == 6 and "sentences" in answers[5]["error"]
    assert answers[6]["line"] == 7 and "language" in answers[6]["error"]
    assert answers[7]["line"] == 8 and "object" in answers[7]["error"]


async def test_a_clean_jsonl_batch_from_stdin_succeeds(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_of(monkeypatch, json.dumps({"text": "\n".join(PARAGRAPHS), "sentences": 1}) + "\n")

    code = await run(make_settings(), "summarize", "--jsonl", "-")

    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"summary": [LEAD], "language": "ru"}


async def test_resummarize_replaces_the_stored_summaries_with_the_configured_algorithm(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(summary_algorithm="lead")
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    db = await Database.open(settings.database_path)
    try:
        articles = ArticleRepository(db, SystemClock())
        ids = []
        for n, text in enumerate(["\n".join(PARAGRAPHS), "Коротко."]):
            article_id = await articles.add(
                NewArticle(
                    url=f"https://example.org/{n}",
                    canonical_url=f"https://example.org/{n}",
                    content_hash=f"hash-{n}",
                    language="ru",
                    title="Бюджет",
                    text=text,
                    summary=["старое резюме"],
                    published_at=datetime(2026, 3, 1, tzinfo=UTC),
                )
            )
            assert article_id is not None
            ids.append(article_id)
    finally:
        await db.close()

    code = await run(settings, "resummarize")

    assert code == 0
    assert "resummarized 2 articles with lead (1 without a summary)" in capsys.readouterr().out
    db = await Database.open(settings.database_path)
    try:
        stored = {a.id: a.summary for a in await ArticleRepository(db, SystemClock()).get_many(ids)}
    finally:
        await db.close()
    assert stored[ids[0]] == [PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3]]
    assert stored[ids[1]] == []


async def test_resummarize_rejects_a_bad_span(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(make_settings(), "resummarize", "--since", "soon")

    assert code == 2
    assert "--since" in capsys.readouterr().err
