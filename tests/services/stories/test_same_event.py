"""One event, one story: the reader's rule on real-shaped pairs.

Same only if both articles report the same single event (incident, statement, decision,
match, release); time, place and figures agree; each title fits the other article. An event
and its follow-up, a report and a reaction to it, two look-alike events (two forecasts, two
daily counts, two release posts) are different.

Each pair is judged the way ingestion judges it: the first article is in the index among a
morning's other news (which gives the words their rarity), the second arrives.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from services.stories.clustering import StoryIndex
from services.stories.fingerprint import fingerprint
from services.text.lemmas import default_lemmatizer

MORNING = datetime.fromisoformat("2026-05-04T09:00:00+00:00")
FIRST_STORY = 1

OTHER_NEWS = [
    (
        "Нацбанк сохранил базовую ставку на уровне 14,75%",
        "Национальный банк Казахстана сохранил базовую ставку на уровне 14,75% годовых,"
        " говорится в сообщении регулятора.",
    ),
    (
        "В Астане открылся новый терминал аэропорта",
        "В международном аэропорту Астаны открылся новый пассажирский терминал, рассчитанный"
        " на три миллиона пассажиров в год.",
    ),
    (
        "Рыбакина вышла в четвертьфинал турнира в Мадриде",
        "Казахстанская теннисистка Елена Рыбакина обыграла американку и вышла в четвертьфинал"
        " турнира в Мадриде.",
    ),
    (
        "Правительство утвердило план по развитию туризма",
        "Правительство Казахстана утвердило комплексный план развития внутреннего туризма до"
        " 2030 года.",
    ),
    (
        "Цены на нефть выросли после решения ОПЕК+",
        "Мировые цены на нефть марки Brent выросли более чем на 2% после решения ОПЕК+ продлить"
        " сокращение добычи.",
    ),
    (
        "В Алматы продлили режим самоизоляции",
        "Власти Алматы продлили режим самоизоляции еще на две недели, сообщил аким города.",
    ),
    (
        "Apple представила новый iPad",
        "Компания Apple представила планшет iPad с новым процессором и увеличенным экраном.",
    ),
    (
        "В Шымкенте построят новую больницу",
        "В Шымкенте до конца года начнется строительство многопрофильной больницы на 600 коек.",
    ),
    (
        "Сборная Казахстана по футболу сыграет с Арменией",
        "Сборная Казахстана по футболу проведет товарищеский матч со сборной Армении в июне.",
    ),
    (
        "Минфин разместил облигации на 100 млрд тенге",
        "Министерство финансов Казахстана разместило государственные облигации на 100 млрд тенге.",
    ),
]

Article = tuple[str, str]  # title, lead


def one_event(first: Article, second: Article, language: str = "ru") -> bool:
    """Does `second`, arriving after `first` and a morning's other news, join `first`'s story?"""
    lemmatizer = default_lemmatizer()
    index = StoryIndex()
    for number, (title, lead) in enumerate(OTHER_NEWS, start=100):
        index.add(number, number, MORNING, fingerprint(title, lead, "ru", lemmatizer))
    index.add(FIRST_STORY, FIRST_STORY, MORNING, fingerprint(*first, language, lemmatizer))
    return index.story_for(fingerprint(*second, language, lemmatizer), MORNING) == FIRST_STORY


def test_one_statement_retold_by_two_outlets_in_their_own_words_is_one_event() -> None:
    assert one_event(
        (
            "Токаев поручил снизить цены на лекарства до конца года",
            "Президент Казахстана Касым-Жомарт Токаев на заседании правительства поручил до"
            " конца года снизить цены на лекарства на 20 процентов.",
        ),
        (
            "Глава государства потребовал удешевить медикаменты на 20%",
            "Касым-Жомарт Токаев на расширенном заседании правительства потребовал, чтобы до"
            " конца года стоимость лекарств снизилась на 20 процентов.",
        ),
    )


def test_two_forecasts_for_different_days_are_two_events() -> None:
    assert not one_event(
        (
            "Синоптики пообещали дожди и до +18 в Алматы 4 мая",
            "В понедельник, 4 мая, в Алматы ожидаются дожди с грозами, температура воздуха днем"
            " составит +16…+18 градусов, сообщает Казгидромет.",
        ),
        (
            "Казгидромет: во вторник в Алматы похолодает до +9",
            "Во вторник, 5 мая, в Алматы пройдут ливни, температура днем опустится до +7…+9"
            " градусов, сообщили в Казгидромете.",
        ),
    )


def test_the_daily_case_count_of_two_different_days_is_two_events() -> None:
    assert not one_event(
        (
            "В России за сутки выявили 10 633 случая коронавируса",
            "По данным оперативного штаба на 3 мая, за последние сутки в России выявлено"
            " 10 633 новых случая COVID-19 в 81 регионе.",
        ),
        (
            "Число новых случаев коронавируса в России за сутки составило 9623",
            "По данным оперативного штаба на 2 мая, за сутки в России подтверждено 9623 новых"
            " случая коронавируса в 82 регионах.",
        ),
    )


def test_two_release_posts_of_different_groups_are_two_events() -> None:
    assert not one_event(
        (
            "[РЕЛИЗ] Stray Kids выпустили клип «Back Door»",
            "Stray Kids представили клип на заглавную песню «Back Door» со своего нового"
            " мини-альбома. В видео участники устраивают вечеринку за потайной дверью.",
        ),
        (
            "[РЕЛИЗ] ITZY вернулись с клипом «Not Shy»",
            "Группа ITZY выпустила мини-альбом «Not Shy» и клип на одноименную заглавную"
            " композицию. Съемки клипа прошли в пустыне.",
        ),
    )


def test_a_court_decision_and_a_reaction_to_it_are_two_events() -> None:
    assert not one_event(
        (
            "Суд отклонил иск женской сборной США о равной оплате",
            "Федеральный суд Лос-Анджелеса отклонил иск футболисток сборной США о неравной"
            " оплате труда по сравнению с мужской командой.",
        ),
        (
            "Рапино: мы никогда не перестанем бороться за равенство",
            "Капитан сборной США Меган Рапино прокомментировала решение суда, отклонившего иск"
            " футболисток о неравной оплате труда.",
        ),
    )


def test_an_announcement_and_the_clubs_later_word_on_it_are_two_events() -> None:
    assert not one_event(
        (
            "Футболист Смолов вернется в «Сельту» на следующей неделе",
            "Российский нападающий Федор Смолов вернется в испанскую «Сельту» на следующей"
            " неделе, сообщило агентство футболиста.",
        ),
        (
            "Смолову придется пройти карантин перед возвращением в «Сельту»",
            "Нападающий «Сельты» Федор Смолов пропустит первые тренировки команды: после"
            " возвращения в Испанию ему предстоит двухнедельный карантин, сообщил клуб.",
        ),
    )


@pytest.mark.xfail(
    strict=True,
    reason="known limit: a follow-up that retells the event in its lead fits it in words and"
    " names; telling them apart needs to know which fact is new (benchmarks/clustering.py)",
)
def test_a_hospitalisation_and_the_later_news_of_the_treatments_cost_are_two_events() -> None:
    assert not one_event(
        (
            "Актриса Татьяна Иванова госпитализирована с пневмонией",
            "Народную артистку Татьяну Иванову доставили в одну из московских больниц с"
            " подозрением на пневмонию, сообщил ее директор.",
        ),
        (
            "Стало известно, сколько Иванова потратила на лечение пневмонии",
            "Лечение пневмонии обошлось народной артистке Татьяне Ивановой более чем в два"
            " миллиона рублей, рассказал источник в ее окружении.",
        ),
    )


def test_an_english_event_told_by_two_outlets_is_one_event() -> None:
    assert one_event(
        (
            "Air Astana orders 15 new Airbus jets",
            "Kazakhstan's flag carrier Air Astana has placed a firm order for 15 Airbus A321neo"
            " aircraft, the airline said on Tuesday.",
        ),
        (
            "Kazakh flag carrier Air Astana to buy 15 A321neo planes",
            "Air Astana will buy fifteen A321neo narrow-body jets from Airbus, with deliveries"
            " starting in 2027, the company said.",
        ),
        language="en",
    )


def test_two_english_phone_calls_of_one_president_are_two_events() -> None:
    assert not one_event(
        (
            "Tokayev and Putin discuss energy cooperation by phone",
            "President Kassym-Jomart Tokayev and Russian President Vladimir Putin discussed oil"
            " transit through the CPC pipeline and gas supplies in a phone call on Monday, Akorda"
            " said.",
        ),
        (
            "Tokayev, Erdogan agree on dates of Ankara visit",
            "Kazakh President Kassym-Jomart Tokayev and Turkish President Recep Tayyip Erdogan"
            " agreed by phone that Tokayev will visit Ankara in June, the Turkish presidency said.",
        ),
        language="en",
    )
