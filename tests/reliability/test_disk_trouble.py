"""A disk that fills up, or a database that cannot be written: a clear error, no damage, recovery.

How the trouble is made without root (no small loop-mounted filesystem here):
- For the `ingest` command, a child process whose files may not grow past a size
  (RLIMIT_FSIZE, which any process may lower for its children): SQLite's writes beyond
  it fail as they would on a full disk ("disk I/O error" rather than "disk is full",
  since the kernel answers EFBIG instead of ENOSPC — the same refused write).
- Inside the process, SQLite's own cap, `PRAGMA max_page_count`: past it every write
  fails with SQLITE_FULL, "database or disk is full", exactly the full-disk error.
- Read-only: `PRAGMA query_only`, which refuses every write with "attempt to write a
  readonly database". (Making the file read-only with chmod would test nothing here:
  the tests may run as root, who writes to read-only files anyway.)
Then the room comes back and the next pass must store what the failed one could not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.demo.news_site import NewsSite
from services.storage import Database
from tests.conftest import START, MakeSettings
from tests.handlers.conftest import Talk
from tests.reliability.processes import BotProcess, child_env

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 24
NO_CAP = 1_073_741_823  # SQLite's default max_page_count


def write_sources(path: Path, site: NewsSite) -> None:
    path.write_text(
        "\n".join(
            f'[[sources]]\nurl = "{feed.url}"\nname = "{feed.name}"\nlanguage = "{feed.language}"\n'
            for feed in site.sources()
        ),
        encoding="utf-8",
    )


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql))


@pytest.mark.slow
async def test_ingest_on_a_disk_that_fills_up_ends_with_one_clear_line_and_no_damage(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "data" / "newsdigest.db"
    await (await Database.open(db_path)).close()  # the schema, before the disk is "full"
    room = db_path.stat().st_size + 60_000
    async with NewsSite(articles=ARTICLES) as site:
        write_sources(tmp_path / "sources.toml", site)
        env = child_env(
            tmp_path, allow_private_networks="true", topics_file=ROOT / "config" / "topics.toml"
        )
        full = await BotProcess(["ingest"], env, tmp_path, max_file_bytes=room).start()
        assert await full.wait(300) == 1, full.log()
        said = full.stderr_lines()
        assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
        stored_while_full = rows(db_path, "SELECT COUNT(*) FROM articles")[0][0]

        again = await BotProcess(["ingest"], env, tmp_path).start()  # room again
        assert await again.wait(300) == 0, again.log()
        expected = sorted(site.url(article.path) for article in site.articles)

    assert said[-1].startswith("Database error: ")
    assert "free space" in said[-1]
    assert not any("Traceback" in line for line in said)  # only inside structured log lines
    assert isinstance(stored_while_full, int)
    assert stored_while_full < ARTICLES
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    urls = sorted(str(row[0]) for row in rows(db_path, "SELECT canonical_url FROM articles"))
    assert urls == expected  # everything, once


@pytest.fixture
async def site_services(
    make_settings: MakeSettings, news_site: NewsSite
) -> AsyncIterator[Services]:
    settings = make_settings(topics_file=ROOT / "config" / "topics.toml")
    async with open_services(settings) as services:
        for feed in news_site.sources():
            await services.sources.upsert(feed.url, name=feed.name, language=feed.language)
        yield services


async def cap_database(services: Services, extra_pages: int) -> None:
    row = await services.db.fetchone("PRAGMA page_count")
    assert row is not None
    # a setting of the connection that writes
    await services.db.execute(f"PRAGMA max_page_count = {int(row[0]) + extra_pages}")


async def test_a_database_that_fills_up_mid_pass_keeps_what_it_stored_and_catches_up_later(
    site_services: Services, news_site: NewsSite
) -> None:
    services = site_services
    await cap_database(services, extra_pages=4)
    report = await services.ingestor.run_pass(force=True)  # refused writes do not end the pass
    assert report.failed_sources > 0
    assert await services.db.integrity_check() == "ok"

    await cap_database(services, extra_pages=NO_CAP // 2)
    await services.ingestor.run_pass(force=True)
    assert await services.db.integrity_check() == "ok"
    stored = await services.articles.fetched_since(START.replace(year=2000))
    assert sorted(a.canonical_url for a in stored) == sorted(
        news_site.url(article.path) for article in news_site.articles
    )


async def test_a_source_that_failed_on_a_full_database_says_so_in_its_error(
    site_services: Services,
) -> None:
    await cap_database(site_services, extra_pages=4)
    await site_services.ingestor.run_pass(force=True)
    errors = [s.last_error or "" for s in await site_services.sources.list_all() if s.last_error]
    assert errors
    assert all("full" in error for error in errors), errors


async def test_a_read_only_database_gets_an_apology_and_works_again_once_writable(
    talk: Talk,
) -> None:
    await talk.services.db.execute("PRAGMA query_only = ON")  # on the connection that writes
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await talk.send(7_001, "/start", language_code="en")
    apology = talk.telegram.last_message(7_001).text
    assert apology.startswith("Sorry, something went wrong on my side")
    assert await talk.services.subscribers.get(7_001) is None
    assert await talk.services.db.integrity_check() == "ok"

    await talk.services.db.execute("PRAGMA query_only = OFF")
    welcome = await talk.send(7_001, "/start", language_code="en")
    assert "Newsdigest" in welcome.text
    assert await talk.services.subscribers.get(7_001) is not None
