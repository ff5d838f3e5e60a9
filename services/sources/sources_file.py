"""SOURCES_FILE (TOML `[[sources]]` tables) read, checked, and loaded into the database.

The file is the operator's list: every entry is added or updated at start, never
duplicated (SourceRepository.upsert keys on the URL). Mistakes stop the load with one
message naming the file, the entry and the field, before anything is written, so a
typo never half-loads a list.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit

from services.storage import SourceRepository
from services.storage.models import LANGUAGES, Source, SourceKind
from services.storage.own_sources import OwnSourceRepository

KINDS: tuple[str, ...] = get_args(SourceKind)
_FIELDS = frozenset({"url", "name", "language", "kind"})


class SourcesFileError(Exception):
    """The sources file is missing or malformed; the message says where and what."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    url: str
    name: str
    language: str | None = None
    kind: str = "feed"


def read_sources_file(path: Path) -> list[SourceSpec]:
    """The entries of the file at `path`, checked; SourcesFileError on any mistake."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourcesFileError(f"{path}: the sources file does not exist") from None
    except OSError as exc:
        raise SourcesFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SourcesFileError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - {"sources"})
    if unknown:
        raise SourcesFileError(
            f"{path}: unknown top-level key {unknown[0]!r}; expected [[sources]]"
        )
    entries = document.get("sources", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise SourcesFileError(f"{path}: 'sources' must be a list of [[sources]] tables")
    specs: list[SourceSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        spec = _spec(entry, f"{path}: [[sources]] #{number}")
        if spec.url in seen:
            raise SourcesFileError(
                f"{path}: [[sources]] #{number} repeats the url of #{seen[spec.url]}: {spec.url}"
            )
        seen[spec.url] = number
        specs.append(spec)
    return specs


async def load_sources_file(
    path: Path, sources: SourceRepository, own: OwnSourceRepository | None = None
) -> list[Source]:
    """Add or update every source of the file; returns them as stored. A listed feed that
    chats had added as their own becomes shared: the operator lists it for everyone."""
    loaded = [
        await sources.upsert(spec.url, name=spec.name, language=spec.language, kind=spec.kind)
        for spec in read_sources_file(path)
    ]
    if own is not None:
        await own.share_urls([source.url for source in loaded])
    return loaded


def check_source_url(url: str) -> str:
    """`url` stripped, when it is an absolute http(s) URL with a host; ValueError otherwise."""
    value = url.strip()
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise ValueError("expected an http(s) address such as https://tass.ru/rss/v2.xml")
    return value


def _spec(entry: dict[str, Any], where: str) -> SourceSpec:
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise SourcesFileError(
            f"{where}: unknown field {unknown[0]!r}; fields are url, name, language, kind"
        )
    url, name = entry.get("url"), entry.get("name")
    if not isinstance(url, str) or not url.strip():
        raise SourcesFileError(f"{where}: 'url' is missing")
    try:
        url = check_source_url(url)
    except ValueError as exc:
        raise SourcesFileError(f"{where}: 'url' {url!r}: {exc}") from None
    if not isinstance(name, str) or not name.strip():
        raise SourcesFileError(f"{where} ({url}): 'name' is missing")
    language = entry.get("language")
    if language is not None and language not in LANGUAGES:
        raise SourcesFileError(
            f"{where} ({url}): 'language' must be one of {', '.join(LANGUAGES)}, not {language!r}"
        )
    kind = entry.get("kind", "feed")
    if kind not in KINDS:
        raise SourcesFileError(f"{where} ({url}): 'kind' must be feed or page, not {kind!r}")
    return SourceSpec(url=url, name=name.strip(), language=language, kind=kind)
