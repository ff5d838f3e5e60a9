"""The one message catalogue: complete, compiled from its sources, safe as Telegram HTML,
read alike by the bot's replies (aiogram) and the digests services render (stdlib gettext)."""

from __future__ import annotations

import gettext
import io
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n import build_i18n
from services.digest.phrases import phrase
from services.text.i18n import (
    DOMAIN,
    LANGUAGES,
    LOCALES_DIR,
    language_from_code,
    language_name,
    language_of_word,
    translate,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "services.text.i18n"
TRANSLATED = ("ru", "kk")
HOW_TO_UPDATE = (
    "texts without a translation; add them to the catalogue (services/text/i18n):\n"
    "  pybabel extract -F services/text/i18n/babel.cfg -k N_ --no-location --no-wrap"
    " --sort-output -o services/text/i18n/messages.pot bot handlers services\n"
    "  pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete"
    " -i services/text/i18n/messages.pot -d services/text/i18n/locales -D messages\n"
    "  (translate the new entries in ru and kk messages.po)\n"
    "  pybabel compile -d services/text/i18n/locales -D messages"
)
FIELD = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?([a-z-]+)")


def read_catalogue(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=language)


def texts_in_code() -> set[str]:
    """Every text the code marks for translation (`_`, `gettext`, `ngettext`, `N_`)."""
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "__": None}
    found: set[str] = set()
    for package in ("bot", "handlers", "services"):
        method_map = [("**.py", "python")]
        for _name, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords=keywords
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def strings_of(value: str | tuple[str, ...]) -> list[str]:
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru", "ru"),
        ("en", "en"),
        ("en-GB", "en"),
        ("kk", "kk"),
        ("kz", "kk"),
        ("KK", "kk"),
        ("de", "ru"),
        ("", "ru"),
        (None, "ru"),
    ],
)
def test_telegram_language_code_maps_to_one_of_three_languages(
    code: str | None, expected: str
) -> None:
    assert language_from_code(code) == expected


def test_code_marks_texts_for_translation() -> None:
    assert len(texts_in_code()) > 10


def test_digest_phrases_and_language_names_are_texts_of_the_catalogue() -> None:
    texts = texts_in_code()

    assert {"News digest · {date}", "continued", "and {count} more"} <= texts
    assert {"Russian", "English", "Kazakh"} <= texts


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_in_the_code_is_translated(language: str) -> None:
    catalogue = read_catalogue(language)
    untranslated = []
    for text in sorted(texts_in_code()):
        message = catalogue.get(text)
        if message is None or message.fuzzy or not all(strings_of(message.string)):
            untranslated.append(text[:60])
    assert untranslated == [], HOW_TO_UPDATE


@pytest.mark.parametrize("language", ("ru", "en", "kk"))
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(language))
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    mo_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo_path.open("rb") as mo:
        shipped = gettext.GNUTranslations(mo)
    stale = (
        "the .mo is older than its .po: pybabel compile -d services/text/i18n/locales -D messages"
    )
    assert shipped._catalog == expected._catalog, stale  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_tags(language: str) -> None:
    for message in read_catalogue(language):
        if not message.id:
            continue
        source = " ".join(strings_of(message.id))
        for translated in strings_of(message.string):
            assert set(FIELD.findall(translated)) <= set(FIELD.findall(source)), message.id
            assert sorted(TAG.findall(translated)) == sorted(TAG.findall(source)), message.id


def test_translations_load_for_all_three_languages() -> None:
    i18n = build_i18n()
    assert set(i18n.available_locales) == {"ru", "en", "kk"}
    assert i18n.gettext("All commands", locale="ru") == "Все команды"
    assert i18n.gettext("All commands", locale="kk") == "Барлық командалар"
    assert i18n.gettext("All commands", locale="en") == "All commands"


def test_packaging_ships_every_catalogue_file() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"][PACKAGE]
    package = ROOT.joinpath(*PACKAGE.split("."))
    shipped = [path for path in (package / "locales").rglob("*") if path.is_file()]

    assert len(shipped) == 6
    for path in shipped:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("ru", "Дайджест новостей · 21 марта"),
        ("en", "News digest · 21 марта"),
        ("kk", "Жаңалықтар дайджесті · 21 марта"),
    ],
)
def test_services_read_the_same_catalogue_without_aiogram(language: str, heading: str) -> None:
    assert translate(language, "News digest · {date}", date="21 марта") == heading
    assert phrase("continued", language) == build_i18n().gettext("continued", locale=language)


def test_each_language_is_named_in_itself() -> None:
    assert [language_name(language) for language in LANGUAGES] == ["Русский", "English", "Қазақша"]


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("ru", "ru"),
        ("Russian", "ru"),
        ("орысша", "ru"),
        ("  АНГЛИЙСКИЙ ", "en"),
        ("ағылшынша", "en"),
        ("eng", "en"),
        ("Казахский", "kk"),
        ("kz", "kk"),
        ("қазақ", "kk"),
    ],
)
def test_a_language_is_found_by_any_of_its_names(typed: str, language: str) -> None:
    assert language_of_word(typed) == language


@pytest.mark.parametrize("typed", ["", "deutsch", "r", "русс"])
def test_what_names_no_language_finds_none(typed: str) -> None:
    assert language_of_word(typed) is None
