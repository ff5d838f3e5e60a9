"""Boilerplate removal: every body paragraph stays, nothing of the page furniture does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.ingest.clean import (
    clean_text,
    is_boilerplate,
    repeats_title,
    strip_dateline,
    strip_site_name,
    strip_trailing_credit,
)
from services.ingest.extract import extract_page

PAGES = Path(__file__).parents[2] / "data" / "pages"
BODY = "Президент Казахстана провёл переговоры с президентом России в Астане."


@pytest.mark.parametrize(
    "dateline",
    [
        "МОСКВА, 20 мар — РИА Новости.",
        "МОСКВА, 20 мар – РИА Новости, Анна Иванова.",
        "АСТАНА, 20 марта. /ТАСС/.",
        "МОСКВА, 20 марта. /Корр. ТАСС Иван Петров/.",
        "Москва. 20 марта. INTERFAX.RU -",
        "Астана. 20 марта. Kazakhstan Today -",
        "АСТАНА, 20 марта. КазТАГ –",
        "АСТАНА. KAZINFORM —",
        "НУР-СУЛТАН. KAZINFORM -",
        "MOSCOW, March 20 (Reuters) -",
        "ASTANA, March 20, 2026 (Reuters) -",
        "MOSCOW (AP) —",
        "АЛМАТЫ, 20 марта —",
        "НИЖНИЙ НОВГОРОД, 5 апреля 2025 г. —",
    ],
)
def test_agency_datelines_are_cut_from_the_lead(dateline: str) -> None:
    assert strip_dateline(f"{dateline} {BODY}") == BODY


@pytest.mark.parametrize(
    "lead",
    [
        "ЕАЭС — это союз пяти государств с общим рынком товаров и услуг.",
        "США и Китай договорились о снижении пошлин.",
        "Москва — крупнейший торговый партнёр региона, заявил министр.",
        "В Астане 20 марта прошли переговоры.",
    ],
)
def test_a_lead_without_a_dateline_is_left_alone(lead: str) -> None:
    assert strip_dateline(lead) == lead


@pytest.mark.parametrize(
    "line",
    [
        "Фото: РИА Новости / Сергей Гунеев",
        "Фото: Ақорда",
        "Photo: A view of the Baiterek monument in Astana. REUTERS/Pavel Mikheyev",
        "Источник фото: пресс-служба акимата",
        "Фото из открытых источников",
        "Иллюстративное фото",
        "© Sputnik / Владимир Федоренко",
        "Коллаж: Tengrinews.kz",
        "48213",
        "12 870",
        "1,2K",
        "👁 3 412",
        "20.03.2026 12:40",
        "1 234 просмотра",
        "Подписывайтесь на РИА Новости в Telegram",
        "Узнавайте о новостях первыми — подписывайтесь на наш Telegram-канал!",
        "Больше новостей — в нашем Telegram-канале",
        "Читайте также: Очереди на границе с Россией",
        "Поделиться",
        "Подписаться",
        "Жаңалықтарды бірінші болып Telegram арнамыздан оқыңыз",
        "Сондай-ақ оқыңыз: Қазақстан мен Ресей арасындағы тауар айналымы өсті",
        "Read also: Kazakhstan's central bank holds key rate",
        "Sign up here.",
        "Follow us on Telegram",
        "Ошибка в тексте? Выделите её и нажмите Ctrl+Enter",
        "При полном или частичном использовании материалов ссылка обязательна.",
        "Foto: dpa",
        "Image source, Getty Images",
        "Getty Images",
    ],
)
def test_captions_counters_and_prompts_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Об этом сообщил Telegram-канал ведомства, опубликовав видео с места открытия.",
        "Дуров заявил, что Telegram не будет раскрывать данные пользователей.",
        "Фотографии с места событий опубликовала пресс-служба МЧС.",
        "В 2025 году товарооборот составил 27 млрд долларов.",
        "Сондай-ақ тараптар күзде өтетін форумға дайындықты талқылады.",
        "Читатели издания поделились мнениями о реформе.",
        "Подписание соглашения намечено на апрель.",
    ],
)
def test_body_sentences_that_mention_the_same_words_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert clean_text(f"{BODY}\n{line}") == f"{BODY}\n{line}"


@pytest.mark.parametrize(
    "line",
    [
        "3 декабря, 02:54 · Автор: Дмитрий Волков",
        "Вчера, 14:20",
        "Обновлено: 12 марта 2026, 10:15",
        "Автор: Дмитрий Волков",
        "ВКонтакте Одноклассники Telegram WhatsApp",
        "Facebook, Twitter, Email",
        "2020-05-17T20:57:41+03:00…https://1prime.ru/i/logo/social_logo.png Агентство экономической информации ПРАЙМ",
        "Anthony ZurcherNorth America reporter@awzurcheron Twitter",
    ],
)
def test_page_chrome_printed_metadata_and_bylines_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    ["286,35 €", "$1,250", "12,5%", "−15 °C", "+7 (727) 272-13-00", "8 800 080-77-77", "1 500 тг"],
)
def test_figures_with_a_currency_a_unit_or_a_phone_number_are_text(line: str) -> None:
    assert not is_boilerplate(line)
    assert clean_text(f"{BODY}\n{line}") == f"{BODY}\n{line}"


@pytest.mark.parametrize(
    "line",
    [
        "Главный редактор издания заявил, что газета продолжит выходить.",
        "Российские военные 3 декабря заявили о новом ударе.",
        "Корреспондент агентства сообщил, что переговоры продолжатся завтра.",
        "Сделка закрыта 20 марта, сообщил @tokayev_online в своём блоге.",
    ],
)
def test_sentences_about_dates_authors_and_handles_are_kept(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "Лавров заявил, что никому не под силу «вбить клин» между Казахстаном и Россией "
            "Фото: politnavigator.net",
            "Лавров заявил, что никому не под силу «вбить клин» между Казахстаном и Россией",
        ),
        (
            "A view of the Baiterek monument in Astana. Photo: REUTERS/Pavel Mikheyev",
            "A view of the Baiterek monument in Astana.",
        ),
        ("Пограничный пункт Жайсан. © Sputnik / Владимир Федоренко", "Пограничный пункт Жайсан."),
        (
            "President Biden spoke on Monday. AFP via Getty Images",
            "President Biden spoke on Monday.",
        ),
        ("Министр показал фото: на нём видно новое здание.", None),
        ("Фото: ТАСС", None),
        ("Он сказал: Фото: это не главное. Главное впереди, добавил он.", None),
    ],
)
def test_a_credit_closing_a_line_is_cut_and_the_text_before_it_stays(
    line: str, kept: str | None
) -> None:
    assert strip_trailing_credit(line) == (kept or line)


def test_a_byline_glued_to_the_lead_is_cut() -> None:
    lead = "Donald Trump has won the New Hampshire primary, cementing his lead in the race."
    glued = f"Anthony ZurcherNorth America reporter@awzurcheron Twitter{lead}"
    assert clean_text(glued) == lead


@pytest.mark.parametrize(
    ("title", "host", "site_names", "expected"),
    [
        (
            "Шахтер обыграл Динамо в дерби ⋆ СПОРТ.UA",
            "sport.ua",
            [],
            "Шахтер обыграл Динамо в дерби",
        ),
        (
            "Senate passes 2026 budget - Premium Times Nigeria",
            "www.premiumtimesng.com",
            [],
            "Senate passes 2026 budget",
        ),
        ("Курс тенге укрепился | Tengrinews.kz", "tengrinews.kz", [], "Курс тенге укрепился"),
        (
            "Итоги года в экономике - РИА Новости",
            "ria.ru",
            ["РИА Новости"],
            "Итоги года в экономике",
        ),
        ("Россия - Казахстан: итоги", "sports.kz", ["Sports.kz"], "Россия - Казахстан: итоги"),
        ("Переговоры в Москве - Казахстан", "kazakhstan.kz", [], "Переговоры в Москве - Казахстан"),
        (
            "Итоги года в экономике - Россия",
            "ria.ru",
            ["РИА Новости"],
            "Итоги года в экономике - Россия",
        ),
        ("Переговоры продолжатся | Главное", "news.kz", [], "Переговоры продолжатся | Главное"),
    ],
)
def test_a_site_name_is_cut_from_a_title_only_when_it_names_the_site(
    title: str, host: str, site_names: list[str], expected: str
) -> None:
    assert strip_site_name(title, site_names=site_names, host=host) == expected


def test_a_read_also_label_takes_its_headline_with_it_but_not_a_paragraph() -> None:
    text = f"{BODY}\nЧитайте также\nВ Казахстане заявили о росте экспорта зерна\nЧитайте также\nНовый абзац текста, который продолжает статью.\nКонец."
    assert clean_text(text) == (f"{BODY}\nНовый абзац текста, который продолжает статью.\nКонец.")


def test_a_first_line_repeating_the_headline_is_dropped_even_twice() -> None:
    title = "Токаев и Путин обсудили поставки газа"
    text = f"{title}\nТокаев и Путин обсудили поставки газа.\n{BODY}"
    assert clean_text(text, title=title) == BODY


def test_a_first_line_that_only_resembles_the_headline_stays() -> None:
    title = "Токаев и Путин обсудили поставки газа"
    lead = "Токаев и Путин обсудили поставки газа в северные регионы и строительство трёх ТЭЦ."
    assert not repeats_title(lead, title)
    assert clean_text(f"{lead}\n{BODY}", title=title).startswith(lead)


def test_the_dateline_is_cut_after_a_repeated_headline() -> None:
    title = "Переговоры в Астане"
    text = f"Переговоры в Астане\nАСТАНА. KAZINFORM — {BODY}"
    assert clean_text(text, title=title) == BODY


def test_whitespace_is_normalised_and_blank_and_repeated_lines_go() -> None:
    text = f"  {BODY}\u00a0 \n\n\n{BODY}\nВторой\u00a0абзац   текста.\n"
    assert clean_text(text) == f"{BODY}\nВторой абзац текста."


def test_a_text_that_is_all_boilerplate_cleans_to_nothing() -> None:
    assert clean_text("Фото: ТАСС\n12 345\nПодписывайтесь на нас в Telegram\n") == ""


def page_cases() -> list[str]:
    return sorted(path.stem for path in PAGES.glob("*.html"))


@pytest.mark.parametrize("name", page_cases())
def test_realistic_pages_keep_every_body_paragraph_and_none_of_the_rest(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    page = extract_page((PAGES / f"{name}.html").read_bytes(), url=expected["url"])
    assert page is not None

    cleaned = clean_text(page.text, title=expected["title"])

    assert cleaned.splitlines() == expected["paragraphs"]
    leftovers = [noise for noise in expected["noise"] if noise in cleaned]
    assert leftovers == []
    # The extractor alone keeps some of the furniture: the cleaner is what removed it.
    assert any(noise in page.text for noise in expected["noise"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), st.text(max_size=100))
def test_any_text_cleans_without_error_to_lines_of_the_input(text: str, title: str) -> None:
    cleaned = clean_text(text, title=title)
    normalised = clean_text(text)  # without a title: nothing but boilerplate and datelines go
    assert len(cleaned) <= len(normalised) + 1
    for line in cleaned.splitlines()[1:]:
        assert line in normalised.splitlines()
