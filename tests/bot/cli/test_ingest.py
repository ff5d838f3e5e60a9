"""`ingest` as an operator runs it: a table per source, exit 1 only when every source failed."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli import build_parser
from bot.cli.ingest import SKIPPED
from bot.config import Settings
from bot.demo.news_site import NewsSite
from services.clock.clocks import SystemClock
from services.storage import ArticleRepository, Database, SourceRepository
from services.storage.postgres import PostgresDatabase
from services.storage.replicas import role_lock
from tests.postgres_server import PostgresServer

MakeSettings = Callable[..., Settings]


def sources_file(tmp_path: Path, site: NewsSite, *paths: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        "".join(f'[[sources]]\nurl = "{site.url(p)}"\nname = "{p}"\n' for p in paths),
        encoding="utf-8",
    )
    return path


async def run(settings: Settings, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    return int(await args.handler(args, settings))


async def test_a_pass_prints_counts_per_source_and_succeeds_if_any_source_worked(
    tmp_path: Path,
    make_settings: MakeSettings,
    news_site: NewsSite,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(
        sources_file=sources_file(tmp_path, news_site, "/rss/politics.xml", NewsSite.FAULT_500)
    )

    code = await run(settings, "ingest")

    out = capsys.readouterr().out
    politics = sum(a.section == "politics" for a in news_site.articles)
    assert code == 0
    assert f"/rss/politics.xml  {politics:>5} {0:>5} {0:>6}  ok" in out
    assert "FAILED: the server answered HTTP 500 (Internal Server Error); next try" in out
    assert f"Total: {politics} new, 0 duplicate, 0 failed; 1 of 2 sources ok" in out
    db = await Database.open(settings.database_path)
    try:
        since = SystemClock().now() - timedelta(days=1)
        assert await ArticleRepository(db, SystemClock()).count_since(since) == politics
    finally:
        await db.close()


async def test_a_second_pass_reports_duplicates(
    tmp_path: Path,
    make_settings: MakeSettings,
    news_site: NewsSite,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(sources_file=sources_file(tmp_path, news_site, NewsSite.FEED_ALL))
    await run(settings, "ingest")
    capsys.readouterr()

    assert await run(settings, "ingest") == 0

    count = len(news_site.articles)
    assert (
        f"Total: 0 new, {count} duplicate, 0 failed; 1 of 1 sources ok" in capsys.readouterr().out
    )


async def test_when_every_source_fails_the_exit_code_says_so(
    tmp_path: Path,
    make_settings: MakeSettings,
    news_site: NewsSite,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(
        sources_file=sources_file(tmp_path, news_site, NewsSite.FAULT_404, NewsSite.FAULT_MALFORMED)
    )

    assert await run(settings, "ingest") == 1
    assert "0 of 2 sources ok" in capsys.readouterr().out


async def test_due_only_skips_sources_backing_off(
    tmp_path: Path,
    make_settings: MakeSettings,
    news_site: NewsSite,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(sources_file=sources_file(tmp_path, news_site, NewsSite.FAULT_500))
    await run(settings, "ingest")
    capsys.readouterr()

    assert await run(settings, "ingest", "--due-only") == 0

    assert "No source is due: 1 backing off" in capsys.readouterr().out
    assert news_site.hits[NewsSite.FAULT_500] == 1


async def test_without_sources_it_says_how_to_add_one(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(make_settings(), "ingest") == 0
    assert "No enabled sources. Add one with `add-source URL`" in capsys.readouterr().out


def test_a_malformed_sources_file_stops_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[sources]]\nurl = "https://tass.ru/rss/v2.xml"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("SOURCES_FILE", str(bad))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite"))
    monkeypatch.setenv("TOPICS_FILE", str(tmp_path / "topics.toml"))

    assert main(["ingest"]) == 2

    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"SOURCES_FILE: {bad}: [[sources]] #1 (https://tass.ru/rss/v2.xml): 'name' is missing"
    )


async def test_sources_of_the_file_are_in_the_database_after_a_pass(
    tmp_path: Path, make_settings: MakeSettings, news_site: NewsSite
) -> None:
    settings = make_settings(sources_file=sources_file(tmp_path, news_site, NewsSite.FEED_EMPTY))

    await run(settings, "ingest")

    db = await Database.open(settings.database_path)
    try:
        stored = await SourceRepository(db, SystemClock()).list_all()
    finally:
        await db.close()
    assert [(s.url, s.healthy, s.last_success_at is not None) for s in stored] == [
        (news_site.url(NewsSite.FEED_EMPTY), True, True)
    ]


async def test_on_postgresql_a_pass_waits_for_no_replica_and_none_overlaps_it(
    tmp_path: Path,
    make_settings: MakeSettings,
    news_site: NewsSite,
    postgres_server: PostgresServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = await postgres_server.fresh_database()
    settings = make_settings(
        database_url=url,
        sources_file=sources_file(tmp_path, news_site, NewsSite.FEED_ALL, NewsSite.FAULT_SLOW),
    )
    replica = await PostgresDatabase.open(url)
    try:
        replicas_role = role_lock(replica, "ingest")
        assert await replicas_role.try_acquire()

        assert await run(settings, "ingest") == 0

        assert capsys.readouterr().out.strip() == SKIPPED
        assert news_site.hits[NewsSite.FEED_ALL] == 0
        await replicas_role.release()

        cron = asyncio.create_task(run(settings, "ingest"))
        while news_site.slow_in_flight == 0:  # the pass is under way, waiting on a source
            await asyncio.sleep(0.05)
        assert not await replicas_role.try_acquire()
        news_site.release_slow()
        assert await cron == 0

        assert f"Total: {len(news_site.articles)} new" in capsys.readouterr().out
        assert await replicas_role.try_acquire()  # given back when the pass is done
        await replicas_role.release()
    finally:
        await replica.close()
        await postgres_server.drop(url)
