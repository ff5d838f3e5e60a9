"""Digests: who is due (time zones, DST, catch-up), and which stories go in, ranked and shared."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.demo.telegram_html import parse_html
from services.clock.clocks import ManualClock
from services.digest.service import DigestPolicy, digest_slot, due_date
from services.storage import Database
from services.storage.deliveries import NewDelivery
from services.storage.models import Subscriber
from tests.services.digest_world import World, make_subscriber

MORNING = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 09:00 in Almaty (UTC+5)
CATCH_UP = timedelta(hours=6)


def newsroom(db: Database, clock: ManualClock, policy: DigestPolicy | None = None) -> World:
    """A world whose subscribers signed up two days before MORNING."""
    clock.set(MORNING - timedelta(days=2))
    return World(db, clock, policy)


def due_moments(subscriber: Subscriber, start: datetime, hours: int) -> list[datetime]:
    """Minutes at which the subscriber becomes due (a pass every minute), recording each date."""
    recorded: set[date] = set()
    found = []
    moment = start
    while moment < start + timedelta(hours=hours):
        day = due_date(subscriber, moment, CATCH_UP)
        if day is not None and day not in recorded:
            recorded.add(day)
            found.append(moment)
        moment += timedelta(minutes=1)
    return found


# --- who is due ----------------------------------------------------------------------------


def test_a_subscriber_is_due_at_their_local_digest_time_every_day() -> None:
    almaty = make_subscriber("Asia/Almaty", "09:00")

    moments = due_moments(almaty, datetime(2026, 3, 19, 0, 0, tzinfo=UTC), 72)

    assert [m.isoformat() for m in moments] == [
        "2026-03-19T04:00:00+00:00",
        "2026-03-20T04:00:00+00:00",
        "2026-03-21T04:00:00+00:00",
    ]


def test_a_digest_time_just_after_local_midnight_belongs_to_the_new_local_date() -> None:
    almaty = make_subscriber("Asia/Almaty", "00:30")  # 19:30 UTC the evening before
    evening_utc = datetime(2026, 3, 20, 19, 30, tzinfo=UTC)

    assert due_date(almaty, evening_utc - timedelta(minutes=1), CATCH_UP) is None
    assert due_date(almaty, evening_utc, CATCH_UP) == date(2026, 3, 21)


def test_a_zone_west_of_utc_is_due_on_its_own_calendar_day() -> None:
    los_angeles = make_subscriber(
        "America/Los_Angeles", "23:00"
    )  # 06:00 UTC next day in March (PDT)

    assert due_date(los_angeles, datetime(2026, 3, 21, 6, 0, tzinfo=UTC), CATCH_UP) == date(
        2026, 3, 20
    )


def test_across_the_spring_dst_change_in_london_the_digest_keeps_its_local_time() -> None:
    london = make_subscriber("Europe/London", "09:00")  # GMT until 2026-03-29 01:00 UTC, then BST

    moments = due_moments(london, datetime(2026, 3, 28, 0, 0, tzinfo=UTC), 72)

    assert [m.isoformat() for m in moments] == [
        "2026-03-28T09:00:00+00:00",  # 09:00 GMT
        "2026-03-29T08:00:00+00:00",  # 09:00 BST
        "2026-03-30T08:00:00+00:00",
    ]


def test_a_digest_time_in_the_missing_hour_goes_out_once_just_after_the_change() -> None:
    london = make_subscriber("Europe/London", "01:30")  # 01:00-02:00 does not exist on 2026-03-29

    moments = due_moments(london, datetime(2026, 3, 28, 12, 0, tzinfo=UTC), 36)

    assert [m.isoformat() for m in moments] == ["2026-03-29T01:30:00+00:00"]  # 02:30 BST


def test_a_digest_time_in_the_repeated_autumn_hour_goes_out_once() -> None:
    london = make_subscriber("Europe/London", "01:30")  # 01:00-02:00 happens twice on 2026-10-25

    moments = due_moments(london, datetime(2026, 10, 24, 12, 0, tzinfo=UTC), 36)

    assert [m.isoformat() for m in moments] == ["2026-10-25T00:30:00+00:00"]  # the first 01:30


def test_a_digest_missed_during_downtime_is_sent_late_within_the_catch_up_window() -> None:
    almaty = make_subscriber("Asia/Almaty", "09:00")

    assert due_date(almaty, MORNING + timedelta(hours=5, minutes=59), CATCH_UP) == date(2026, 3, 20)
    assert due_date(almaty, MORNING + timedelta(hours=6), CATCH_UP) is None


def test_catch_up_reaches_back_across_local_midnight() -> None:
    almaty = make_subscriber("Asia/Almaty", "23:30")
    back_at = datetime(2026, 3, 20, 19, 10, tzinfo=UTC)  # 00:10 on the 21st in Almaty

    assert due_date(almaty, back_at, CATCH_UP) == date(2026, 3, 20)
    assert due_date(almaty, back_at, timedelta(minutes=30)) is None


def test_a_slot_before_the_subscriber_signed_up_does_not_count() -> None:
    newcomer = make_subscriber("Asia/Almaty", "09:00", created=MORNING + timedelta(minutes=20))

    assert due_date(newcomer, MORNING + timedelta(minutes=30), CATCH_UP) is None
    assert due_date(newcomer, MORNING + timedelta(days=1), CATCH_UP) == date(2026, 3, 21)


def test_a_zone_or_time_the_database_should_not_hold_still_gets_a_digest() -> None:
    nine_utc = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

    assert due_date(make_subscriber("Mars/Olympus", "09:00"), nine_utc, CATCH_UP) == date(
        2026, 3, 20
    )
    assert due_date(make_subscriber("UTC", "nine"), nine_utc, CATCH_UP) == date(2026, 3, 20)
    assert due_date(
        make_subscriber("UTC", "nine"), nine_utc - timedelta(minutes=1), CATCH_UP
    ) != date(2026, 3, 20)


def test_the_slot_is_computed_in_the_subscribers_zone() -> None:
    assert digest_slot(make_subscriber("Europe/Moscow", "09:00"), date(2026, 3, 20)) == datetime(
        2026, 3, 20, 6, 0, tzinfo=UTC
    )


async def test_paused_blocked_and_already_served_subscribers_are_not_due(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    for chat_id in (1, 2, 3, 4):
        await world.subscriber(chat_id)
    await world.subscribers.update(2, paused=True)
    await world.subscribers.update(3, blocked=True)
    await world.deliveries.create_many([NewDelivery(4, "2026-03-20", [], None, None)])

    due = await world.digests.due(MORNING)

    assert [(s.chat_id, day.isoformat()) for s, day in due] == [(1, "2026-03-20")]


async def test_now_makes_every_active_subscriber_due_for_their_local_date(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, digest_time="21:00")
    await world.subscriber(2, timezone="America/New_York")

    due = await world.digests.due(MORNING, everyone=True)

    assert [(s.chat_id, day.isoformat()) for s, day in due] == [
        (1, "2026-03-20"),
        (2, "2026-03-20"),  # 00:00 in New York
    ]


# --- what goes in --------------------------------------------------------------------------

TOKAYEV_PUTIN = [
    (
        "Tengrinews",
        "Токаев провел телефонный разговор с Путиным",
        "Президент Казахстана Касым-Жомарт Токаев провел телефонный разговор с президентом России Владимиром Путиным. Главы государств обсудили поставки газа.",
    ),
    (
        "ТАСС",
        "Путин и Токаев обсудили по телефону поставки газа",
        "Владимир Путин провел телефонный разговор с Касым-Жомартом Токаевым, сообщили в Кремле. Лидеры России и Казахстана обсудили газовое сотрудничество.",
    ),
    (
        "Kazinform",
        "Касым-Жомарт Токаев и Владимир Путин провели телефонный разговор",
        "Глава государства Касым-Жомарт Токаев поговорил по телефону с Владимиром Путиным. Собеседники обсудили газификацию регионов Казахстана и поставки газа.",
    ),
]


async def publish_syndicated(world: World, start: datetime) -> None:
    for offset, (outlet, title, text) in enumerate(TOKAYEV_PUTIN):
        await world.publish(title, text, outlet=outlet, arrived=start + timedelta(minutes=offset))


async def test_a_story_syndicated_by_three_outlets_appears_once_with_three_sources(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("Токаев", "Казахстан"))
    await publish_syndicated(world, MORNING - timedelta(hours=3))

    batch = await world.digests.build_due(MORNING)

    (built,) = batch.deliveries
    (part,) = built.parts
    text = parse_html(part).text
    assert text.count("• ") == 1
    source_line = text.split("\n")[5]
    shown, others = source_line.split(" · также: ")
    assert {shown.split(" · ")[0], *others.split(", ")} == {"Tengrinews", "ТАСС", "Kazinform"}
    assert len(built.story_ids) == 1


async def test_a_story_matching_two_topics_is_shown_once(db: Database, clock: ManualClock) -> None:
    world = newsroom(db, clock)
    kazakhstan, russia = (
        await world.topic("Токаев", "Казахстан"),
        await world.topic("Путин", "Россия"),
    )
    await world.subscriber(1, kazakhstan, russia)
    await publish_syndicated(world, MORNING - timedelta(hours=3))

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    text = parse_html(built.parts[0]).text
    assert text.count("• ") == 1
    assert "▍Казахстан" in text and "▍Россия" not in text


async def test_a_story_the_chat_already_got_never_comes_again_even_with_a_new_outlet(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("Токаев"))
    await publish_syndicated(world, MORNING - timedelta(hours=3))
    first = await world.digests.build_due(MORNING)
    await world.deliveries.create_many(first.deliveries)

    outlet, title, text = (
        "Интерфакс",
        "Кремль: Путин и Токаев договорились о встрече",
        (
            "Президенты России и Казахстана Владимир Путин и Касым-Жомарт Токаев в ходе телефонного"
            " разговора договорились о встрече. Также обсуждались поставки газа в Казахстан."
        ),
    )
    late = await world.publish(title, text, outlet=outlet, arrived=MORNING + timedelta(hours=2))
    fresh = await world.publish(
        "Токаев открыл новый терминал аэропорта Астаны",
        "Президент Токаев открыл новый международный терминал аэропорта Астаны. Терминал примет 3000 пассажиров в час.",
        arrived=MORNING + timedelta(hours=3),
    )

    second = await world.digests.build_due(MORNING + timedelta(days=1))

    assert late.story_id in first.deliveries[0].story_ids  # the late outlet joined the old story
    assert second.deliveries[0].story_ids == (fresh.story_id,)


async def test_the_first_digest_looks_back_24_hours_and_later_ones_start_where_the_last_ended(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    topic = await world.topic("уран")
    await world.subscriber(1, topic)
    old = await world.publish(
        "Казатомпром снизил прогноз добычи урана",
        "Казатомпром понизил прогноз производства урана на 2026 год. Причиной стал дефицит кислоты.",
        arrived=MORNING - timedelta(hours=30),
    )
    recent = await world.publish(
        "Цены на уран выросли",
        "Спотовые цены на уран выросли на новостях о сокращении добычи в Казахстане. Рост составил 5%.",
        arrived=MORNING - timedelta(hours=2),
    )

    first = (await world.digests.build_due(MORNING)).deliveries[0]
    await world.deliveries.create_many([first])
    subscriber = await world.subscribers.get(1)

    assert first.story_ids == (recent.story_id,)
    assert old.story_id not in first.story_ids
    assert first.window_start == MORNING - timedelta(hours=24)
    assert subscriber is not None and subscriber.last_digest_at == MORNING
    assert (await world.digests.build_due(MORNING + timedelta(days=1))).deliveries[0].parts == []


async def test_stories_rank_by_relevance_coverage_and_recency_with_k_per_topic(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock, DigestPolicy(per_topic=2))
    await world.subscriber(1, await world.topic("Токаев"))
    await publish_syndicated(world, MORNING - timedelta(hours=6))  # three outlets
    single = await world.publish(
        "Токаев подписал закон о СМИ",
        "Президент Токаев подписал закон о средствах массовой информации. Закон упрощает аккредитацию журналистов.",
        arrived=MORNING - timedelta(hours=5),
    )
    stale = await world.publish(
        "Токаев посетил Шымкент",
        "Президент Токаев посетил Шымкент и осмотрел новый завод. Завод выпускает трубы.",
        arrived=MORNING - timedelta(hours=20),
        published=MORNING - timedelta(hours=20),
    )

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    syndicated = (await world.articles.get_many([1]))[0].story_id
    assert built.story_ids == (syndicated, single.story_id)  # widely carried first, at most K
    assert stale.story_id not in built.story_ids


async def test_a_digest_holds_at_most_the_cap_of_items_over_all_topics(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock, DigestPolicy(per_topic=5, per_digest=6))
    cities = ["Алматы", "Шымкент", "Караганда", "Актобе", "Павлодар", "Костанай", "Атырау", "Тараз"]
    first, second = await world.topic("аким"), await world.topic("маслихат")
    await world.subscriber(1, first, second)
    for number, city in enumerate(cities):
        await world.publish(
            f"Аким города {city} отчитался перед жителями",
            f"Аким {city} провел встречу с жителями {number}. Обсуждались дороги и школы.",
            arrived=MORNING - timedelta(hours=8, minutes=-number),
        )
        await world.publish(
            f"Маслихат {city} утвердил бюджет",
            f"Депутаты маслихата {city} утвердили бюджет на год {number}. Расходы выросли.",
            outlet="Kazinform",
            arrived=MORNING - timedelta(hours=7, minutes=-number),
        )

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    assert len(built.story_ids) == 6
    text = "".join(parse_html(part).text for part in built.parts)
    assert text.count("• ") == 6


async def test_subscribers_with_the_same_topics_length_and_language_share_one_rendering(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    topic = await world.topic("Токаев")
    for chat_id in range(1, 21):
        await world.subscriber(chat_id, topic, language="en" if chat_id > 15 else "ru")
    await publish_syndicated(world, MORNING - timedelta(hours=3))

    batch = await world.digests.build_due(MORNING)

    assert batch.renderings == 2  # Russian and English
    russian = [built.parts for built in batch.deliveries[:15]]
    assert all(parts is russian[0] for parts in russian)


async def test_a_subscriber_without_news_gets_an_empty_record_and_no_message(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("Байконур"))

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    assert built.parts == []
    (created,) = await world.deliveries.create_many([built])
    assert created.status == "empty"


# --- /digest and the CLI -------------------------------------------------------------------


async def test_digest_on_demand_shows_what_is_new_without_taking_it_from_the_scheduled_one(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("Токаев"))
    await publish_syndicated(world, MORNING - timedelta(hours=3))
    clock.set(MORNING - timedelta(hours=1))

    asked = await world.digests.build_on_demand(1)
    scheduled = (await world.digests.build_due(MORNING)).deliveries[0]

    assert not asked.is_empty and asked.has_topics
    assert "Токаев" in parse_html(asked.parts[0]).text
    assert len(scheduled.story_ids) == 1  # the scheduled digest still has the story


async def test_digest_on_demand_says_nothing_new_since_the_last_digest(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("Токаев"), language="en")
    await world.deliveries.create_many([NewDelivery(1, "2026-03-20", ["…"], None, MORNING)])
    clock.set(MORNING + timedelta(hours=3))

    asked = await world.digests.build_on_demand(1)

    assert asked.is_empty
    assert asked.parts == ["Nothing new since 09:00."]
    assert asked.since == MORNING


async def test_digest_on_demand_refuses_an_unknown_chat(db: Database, clock: ManualClock) -> None:
    with pytest.raises(LookupError):
        await newsroom(db, clock).digests.build_on_demand(999)


async def test_a_query_digest_lists_matching_stories_without_recording_anything(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await publish_syndicated(world, MORNING - timedelta(hours=3))
    clock.set(MORNING)

    digest = await world.digests.for_query(
        "Путин газ", since=MORNING - timedelta(hours=24), timezone="Asia/Almaty"
    )

    assert [section.title for section in digest.sections] == ["Путин газ"]
    (item,) = digest.items
    assert len(item.also) == 2
    assert await world.deliveries.recorded_dates(["2026-03-20"]) == set()


async def test_a_search_shows_articles_not_yet_grouped_as_their_own_stories_without_waiting(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await publish_syndicated(world, MORNING - timedelta(hours=3))
    fresh = await world.publish(
        "Путин обсудил поставки газа с премьер-министром Монголии",
        "Президент России Владимир Путин обсудил с премьер-министром Монголии поставки газа по"
        " новому газопроводу.",
        outlet="РБК",
        arrived=MORNING - timedelta(hours=1),
        cluster=False,  # stored by a pass that has not grouped it yet
    )
    clock.set(MORNING)
    since = MORNING - timedelta(hours=24)

    searched = await world.digests.for_query("Путин газ", since=since, grouped=False)

    assert sorted(len(item.also) for item in searched.items) == [0, 2]
    assert fresh.url in {item.url for item in searched.items}
    assert await world.stories.unclustered([fresh.id]) == [fresh.id]  # left to the pass

    digest = await world.digests.for_query("Путин газ", since=since)

    assert sorted(len(item.also) for item in digest.items) == [0, 2]
    assert await world.stories.unclustered([fresh.id]) == []  # a digest groups first


def test_digest_policy_defaults_match_the_product() -> None:
    policy = DigestPolicy()
    assert (policy.per_topic, policy.first_window) == (5, timedelta(hours=24))
    assert replace(policy, per_topic=3).per_topic == 3


# --- relevance first, and why an item is there --------------------------------------------

BUDGET_TITLE = "Мажилис одобрил поправки в республиканский бюджет на 2026 год"
BUDGET_LEAD = (
    "Депутаты мажилиса одобрили поправки в республиканский бюджет на 2026 год, внесенные"
    " правительством. Расходы бюджета увеличатся на 1,2 трлн тенге."
)
BUDGET_BODY = (
    "Основная часть дополнительных средств пойдет на строительство и ремонт дорог"
    " республиканского значения, модернизацию районных больниц и закупку оборудования для"
    " школ. Министр финансов отметил, что источником станут поступления от приватизации и"
    " трансферт из Национального фонда.\n"
    "Еще 300 млрд тенге направят на индексацию пенсий и пособий с 1 июля.\n"
    "Дефицит бюджета, по оценке министерства, составит 2,7% ВВП. Документ направлен в сенат,"
    " который рассмотрит его на следующей неделе. Депутаты также попросили правительство"
    " ускорить переход на новую систему бюджетного планирования и отчитаться об исполнении"
    " программ развития регионов."
)
PENSIONS_TITLE = "Пенсии в Казахстане проиндексируют на 8% с 1 января"
PENSIONS = (
    "Солидарные и базовые пенсии в Казахстане с 1 января проиндексируют на 8%, сообщили в"
    " министерстве труда. Средний размер пенсии превысит 150 тысяч тенге.\n"
    "Индексация коснется более двух миллионов пенсионеров."
)
FOOTBALL_TITLE = "Сборная Казахстана по футболу сыграет с Россией в Астане"
FOOTBALL = (
    "Сборная Казахстана по футболу проведет товарищеский матч со сборной России 5 июня в"
    " Астане. Билеты поступят в продажу на следующей неделе.\n"
    "Главный тренер назовет состав на матч в конце мая."
)
STADIUM_TITLE = "«Астана Арена» закроется на реконструкцию до осени"
STADIUM = (
    "Стадион «Астана Арена» закроется на реконструкцию, сообщили в акимате столицы. Работы"
    " продлятся до октября.\n"
    "За лето на арене заменят газон, систему освещения и часть кресел на трибунах, а также"
    " отремонтируют подтрибунные помещения и парковку. Подрядчик определен по итогам"
    " конкурса, стоимость работ составит 4 млрд тенге.\n"
    "Домашние матчи чемпионата по футболу клубы проведут на других стадионах города.\n"
    "После реконструкции вместимость арены не изменится и составит 30 тысяч зрителей, но"
    " доступ для маломобильных зрителей станет удобнее."
)
TV_PROGRAMME_TITLE = "Программа передач на субботу: футбол, сериалы и кино"
TV_PROGRAMME = """Программа передач на субботу, 21 марта
06:00 Доброе утро. Суббота
09:00 Умницы и умники
10:00 Новости
10:15 Жизнь других
11:15 Видели видео?
14:00 Футбол. Чемпионат Казахстана. «Астана» — «Кайрат». Прямая трансляция
16:00 Кто хочет стать миллионером?
18:00 Вечерние новости
21:00 Время
21:20 Фильм «Москва слезам не верит»
"""


async def publish_budget(world: World, at: datetime) -> int:
    """The budget story told by three outlets; it mentions pensions once, deep in the body."""
    story_ids = set()
    for offset, outlet in enumerate(("Tengrinews", "Kazinform", "КазТАГ")):
        article = await world.publish(
            BUDGET_TITLE,
            f"{BUDGET_LEAD}\n{BUDGET_BODY}",
            outlet=outlet,
            arrived=at + timedelta(minutes=offset),
            summary=[
                "Депутаты мажилиса одобрили поправки в республиканский бюджет на 2026 год.",
                "Расходы бюджета увеличатся на 1,2 трлн тенге.",
            ],
        )
        story_ids.add(article.story_id)
    (story_id,) = story_ids  # one story, three outlets
    assert story_id is not None
    return story_id


async def test_a_story_about_the_topic_outranks_a_three_outlet_story_that_mentions_it_once(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("пенсии"))
    pensions = await world.publish(
        PENSIONS_TITLE, PENSIONS, outlet="Zakon.kz", arrived=MORNING - timedelta(hours=5)
    )
    budget = await publish_budget(world, MORNING - timedelta(hours=2))  # fresher, wider

    (built,) = (await world.digests.build_due(MORNING)).deliveries
    searched = await world.digests.for_query("пенсии", since=MORNING - timedelta(days=1))

    assert built.story_ids == (pensions.story_id, budget)
    assert [item.story_id for item in searched.items] == [pensions.story_id, budget]


async def test_coverage_breaks_a_tie_between_two_stories_equally_about_the_topic(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("бюджет"))
    single = await world.publish(
        "Алматы потратит из бюджета 40 млрд тенге на новые автобусы",
        "Акимат Алматы закупит 600 автобусов на газе, деньги выделят из городского бюджета."
        " Первые машины выйдут на маршруты в августе.",
        outlet="Vlast.kz",
        arrived=MORNING - timedelta(hours=2),
    )
    budget = await publish_budget(world, MORNING - timedelta(hours=2))

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    assert built.story_ids == (budget, single.story_id)


async def test_a_tv_programme_ranks_last_even_with_the_query_in_its_headline(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("футбол"))
    about = await world.publish(FOOTBALL_TITLE, FOOTBALL, arrived=MORNING - timedelta(hours=6))
    passing = await world.publish(
        STADIUM_TITLE, STADIUM, outlet="Kazinform", arrived=MORNING - timedelta(hours=5)
    )
    programme = await world.publish(
        TV_PROGRAMME_TITLE,
        TV_PROGRAMME,
        outlet="Телегид",
        arrived=MORNING - timedelta(hours=1),
        summary=["Программа передач на субботу, 21 марта."],
    )

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    assert built.story_ids == (about.story_id, passing.story_id, programme.story_id)


async def test_an_item_whose_summary_lacks_the_query_shows_the_sentence_that_names_it_in_bold(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("пенсии", "Пенсии"))
    await publish_budget(world, MORNING - timedelta(hours=2))

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    (part,) = built.parts
    assert "индексацию <b>пенсий</b> и пособий" in part
    shown = parse_html(part).text
    assert "Еще 300 млрд тенге направят на индексацию пенсий и пособий с 1 июля." in shown
    assert "Расходы бюджета увеличатся" not in shown  # the stored summary gave way


async def test_a_summary_that_names_the_query_is_kept_with_the_query_in_bold(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("бюджет"))
    await publish_budget(world, MORNING - timedelta(hours=2))

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    (part,) = built.parts
    assert "поправки в республиканский <b>бюджет</b> на 2026 год." in part
    assert "Расходы <b>бюджета</b> увеличатся на 1,2 трлн тенге." in part


async def test_search_results_show_why_they_were_found_too(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await publish_budget(world, MORNING - timedelta(hours=2))

    found = await world.digests.for_query("пенсии", since=MORNING - timedelta(days=1))

    (item,) = found.items
    assert item.summary == ("Еще 300 млрд тенге направят на индексацию пенсий и пособий с 1 июля.",)
    assert item.highlights == ("пенсий",)


async def test_no_event_is_shown_twice_in_one_digest_even_from_two_stories_under_two_topics(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("Токаев"), await world.topic("пенсии"))
    await world.deliveries.create_many(  # the last digest went out three days ago
        [NewDelivery(1, "2026-03-17", ["…"], None, MORNING - timedelta(days=3))]
    )
    title = "Токаев подписал закон о повышении пенсий с 1 июля"
    text = (
        "Президент Касым-Жомарт Токаев подписал закон о повышении пенсий с 1 июля, сообщила"
        " пресс-служба Акорды. Базовая пенсия вырастет на 10%."
    )
    first = await world.publish(title, text, arrived=MORNING - timedelta(hours=60))
    retold = await world.publish(
        "Закон о повышении пенсий с 1 июля подписал Токаев",
        text,
        outlet="Kazinform",
        arrived=MORNING - timedelta(hours=2),
    )
    assert first.story_id != retold.story_id  # more than two days apart: two stories

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    assert built.story_ids == (retold.story_id,)
    assert "▍пенсии" not in parse_html(built.parts[0]).text


async def test_look_alike_headlines_about_different_places_are_both_shown(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await world.subscriber(1, await world.topic("бюджет"))
    await world.deliveries.create_many(  # the last digest went out three days ago
        [NewDelivery(1, "2026-03-17", ["…"], None, MORNING - timedelta(days=3))]
    )
    almaty = await world.publish(
        "Маслихат Алматы утвердил бюджет на 2026 год",
        "Депутаты маслихата Алматы утвердили бюджет города на 2026 год. Расходы составят 1,1"
        " трлн тенге, из них треть пойдет на транспорт.",
        arrived=MORNING - timedelta(hours=60),
    )
    shymkent = await world.publish(
        "Маслихат Шымкента утвердил бюджет на 2026 год",
        "Городской маслихат Шымкента принял бюджет на следующий год. Доходы вырастут на 12%,"
        " больше всего денег получат школы.",
        outlet="Kazinform",
        arrived=MORNING - timedelta(hours=2),
    )
    assert almaty.story_id != shymkent.story_id  # more than two days apart: two stories

    (built,) = (await world.digests.build_due(MORNING)).deliveries

    assert set(built.story_ids) == {almaty.story_id, shymkent.story_id}


async def test_a_search_that_finds_nothing_is_an_empty_digest(
    db: Database, clock: ManualClock
) -> None:
    world = newsroom(db, clock)
    await publish_budget(world, MORNING - timedelta(hours=2))

    found = await world.digests.for_query("Байконур", since=MORNING - timedelta(days=1))

    assert found.is_empty and found.sections == ()
