"""SOURCES_FILE: loaded into the database without duplicates; mistakes named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.sources.sources_file import SourcesFileError, load_sources_file, read_sources_file
from services.storage import Database, SourceRepository

SHIPPED = Path(__file__).parents[3] / "config" / "sources.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_sources_are_added_then_updated_never_duplicated(
    tmp_path: Path, db: Database, clock: ManualClock
) -> None:
    repository = SourceRepository(db, clock)
    first = write(
        tmp_path,
        '[[sources]]\nurl = "https://tass.ru/rss/v2.xml"\nname = "ТАСС"\nlanguage = "ru"\n'
        '[[sources]]\nurl = "https://astanatimes.com/feed/"\nname = "Astana Times"\n',
    )
    await load_sources_file(first, repository)
    second = write(
        tmp_path,
        '[[sources]]\nurl = "https://tass.ru/rss/v2.xml"\nname = "ТАСС (лента)"\nlanguage = "ru"\n',
    )
    await load_sources_file(second, repository)

    stored = await repository.list_all()
    assert [(s.url, s.name, s.language, s.kind) for s in stored] == [
        ("https://tass.ru/rss/v2.xml", "ТАСС (лента)", "ru", "feed"),
        ("https://astanatimes.com/feed/", "Astana Times", None, "feed"),
    ]


def test_the_shipped_file_is_valid_and_covers_all_three_languages() -> None:
    specs = read_sources_file(SHIPPED)

    assert len(specs) >= 12
    assert {spec.language for spec in specs} >= {"ru", "kk", "en"}
    assert all(spec.url.startswith("https://") for spec in specs)


def test_an_empty_file_means_no_sources(tmp_path: Path) -> None:
    assert read_sources_file(write(tmp_path, "# nothing yet\n")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[sources]\nurl = 1", r"not valid TOML: .*line 1"),
        ('[[sources]]\nname = "A"\n', r"\[\[sources\]\] #1: 'url' is missing"),
        (
            '[[sources]]\nurl = "ftp://x/feed"\nname = "A"\n',
            r"#1: 'url' 'ftp://x/feed': expected an http",
        ),
        ('[[sources]]\nurl = "https://x.kz/rss"\n', r"#1 \(https://x.kz/rss\): 'name' is missing"),
        (
            '[[sources]]\nurl = "https://x.kz/rss"\nname = "X"\nlanguage = "de"\n',
            r"'language' must be one of ru, en, kk, not 'de'",
        ),
        (
            '[[sources]]\nurl = "https://x.kz/rss"\nname = "X"\nkind = "api"\n',
            r"'kind' must be feed or page",
        ),
        (
            '[[sources]]\nurl = "https://x.kz/rss"\nname = "X"\nlangauge = "ru"\n',
            r"unknown field 'langauge'",
        ),
        (
            '[[sources]]\nurl = "https://x.kz/rss"\nname = "X"\n[[sources]]\nurl = "https://x.kz/rss"\nname = "Y"\n',
            r"#2 repeats the url of #1",
        ),
        ('[source]\nurl = "https://x.kz/rss"\n', r"unknown top-level key 'source'"),
        ('sources = "https://x.kz/rss"\n', r"must be a list of \[\[sources\]\] tables"),
    ],
)
def test_mistakes_are_named_with_the_file_entry_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourcesFileError, match=message) as caught:
        read_sources_file(path)
    assert str(caught.value).startswith(str(path))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourcesFileError, match="does not exist"):
        read_sources_file(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes('name = "Лента"'.encode("cp1251"))
    with pytest.raises(SourcesFileError, match="not UTF-8"):
        read_sources_file(path)


async def test_a_malformed_file_writes_nothing(
    tmp_path: Path, db: Database, clock: ManualClock
) -> None:
    repository = SourceRepository(db, clock)
    path = write(
        tmp_path,
        '[[sources]]\nurl = "https://tass.ru/rss/v2.xml"\nname = "ТАСС"\n[[sources]]\nurl = "bad"\nname = "B"\n',
    )
    with pytest.raises(SourcesFileError):
        await load_sources_file(path, repository)
    assert await repository.list_all() == []
