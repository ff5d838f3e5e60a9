"""The summary service: news-aware, clean, bounded, and never an exception."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.storage.models import NewArticle
from services.summary.summarizer import (
    ALGORITHMS,
    MAX_SENTENCES,
    SUMMARY_MAX_CHARS,
    Summarizer,
    summarize,
)

RU_ARTICLE = """МОСКВА, 1 дек — РИА Новости. Около 60 тысяч литров неочищенной нефти вытекли из нефтепровода в канадской провинции Альберта, сообщил в воскресенье регулятор.
Фото: пресс-служба регулятора провинции Альберта.
Согласно информации на сайте регулятора, механическое повреждение вызвало утечку нефти в болото. Инцидент произошел в минувший четверг в 350 километрах к северу от Эдмонтона.
Читайте также: крупнейшие разливы нефти последних лет.
По данным представителя регулятора, нефтяная компания подала заявление сразу после инцидента.
«Как только это станет безопасно, мы направим инспекторов к месту утечки», — цитирует представителя агентство Рейтер.
Сообщается, что на месте утечки нефти уже началась очистка загрязнения.
Что будет с окружающей средой?
Сообщений о влиянии утечки нефти на животный мир пока не поступало, говорится в отчете регулятора.
"""

EN_ARTICLE = """(CNN) -- A drunk driver who killed a young woman in a head-on crash while checking his mobile phone has been jailed for six years.
Craig Eccleston-Todd, 27, was driving home from a night at a pub when he received a text message.
Craig Eccleston-Todd (left) was using his mobile phone when he crashed head-on into the car.
As he was reading or replying to it, he veered across the road and smashed into a car coming the other way.
Scroll down for video.
The head-on crash took place in October 2013 on a rural road near the town.
Police said Eccleston-Todd had drunk at least three or four pints of beer before getting behind the wheel.
The judge said the driver had shown a complete disregard for the safety of other road users.
"""

KK_ARTICLE = """АСТАНА. KAZINFORM – Қазақстан үкіметі келесі жылға арналған республикалық бюджетті бекітті.
Үкімет отырысында Қаржы министрі бюджеттің негізгі көрсеткіштері туралы баяндады.
Министрдің айтуынша, бюджет кірістері өткен жылмен салыстырғанда он пайызға өседі.
Бюджет шығыстарының басым бөлігі әлеуметтік салаға және білім беруге бағытталады.
Толығырақ біздің телеграм арнамыздан оқи отырыңыз.
Парламент бюджет жобасын келесі айда қарайды деп күтілуде.
"""


def squeeze(text: str) -> str:
    return " ".join(text.split())


def from_input(sentence: str, text: str) -> bool:
    """Whole, as written: a summary never cuts a sentence, and may only drop a junk prefix."""
    return squeeze(sentence) in squeeze(text)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    ("text", "language"), [(RU_ARTICLE, "ru"), (EN_ARTICLE, "en"), (KK_ARTICLE, "kk")]
)
def test_every_algorithm_returns_clean_sentences_of_the_article_in_its_order(
    algorithm: str, text: str, language: str
) -> None:
    summary = summarize(text, language=language, sentences=3, algorithm=algorithm)
    assert len(summary) == 3
    assert all(from_input(sentence, text) for sentence in summary)
    positions = [squeeze(text).index(squeeze(s)) for s in summary]
    assert positions == sorted(positions)
    shown = " ".join(summary)
    for unwanted in ("Фото:", "Читайте", "(left)", "Scroll down", "Толығырақ", "?", "РИА", "CNN"):
        assert unwanted not in shown


def test_the_default_ranking_opens_with_the_lead_without_its_dateline() -> None:
    summary = summarize(RU_ARTICLE, language="ru", sentences=1)
    assert summary == [
        "Около 60 тысяч литров неочищенной нефти вытекли из нефтепровода в канадской провинции "
        "Альберта, сообщил в воскресенье регулятор."
    ]
    assert summarize(KK_ARTICLE, language="kk", sentences=1)[0].startswith("Қазақстан үкіметі")


def test_the_default_ranking_does_not_repeat_itself() -> None:
    lead = "Парламент Молдавии утвердил новое правительство страны во главе с премьером."
    text = "\n".join(
        [
            lead,
            "Парламент Молдавии утвердил новое правительство страны во главе с новым премьером.",
            "Новый кабинет министров получил поддержку 52 депутатов из 101.",
            "Оппозиция назвала голосование поспешным и пообещала обжаловать его.",
        ]
    )
    summary = summarize(text, language="ru", sentences=2)
    assert summary[0] == lead
    assert "утвердил" not in summary[1]


def test_an_article_shorter_than_asked_comes_back_whole() -> None:
    text = "Первое предложение статьи о важном событии в городе. Второе предложение о последствиях этого события."
    assert summarize(text, language="ru", sentences=5) == [
        "Первое предложение статьи о важном событии в городе.",
        "Второе предложение о последствиях этого события.",
    ]


@pytest.mark.parametrize(("asked", "expected"), [(0, 1), (1, 1), (5, 5), (9, MAX_SENTENCES)])
def test_the_length_is_held_between_one_and_five(asked: int, expected: int) -> None:
    text = " ".join(
        f"Предложение номер {n} рассказывает о событии в городе подробно." for n in range(9)
    )
    assert len(summarize(text.replace("номер", "№"), language="ru", sentences=asked)) == expected


def test_the_summary_stays_within_its_character_budget() -> None:
    summary = summarize(RU_ARTICLE, language="ru", sentences=5, max_chars=200)
    assert summary
    assert len(" ".join(summary)) <= 200
    assert len(" ".join(summarize(EN_ARTICLE, language="en", sentences=5))) <= SUMMARY_MAX_CHARS


LONG_LEAD = (
    "Следователи ФСБ, которые занимаются делом украинских моряков, которых захватили в "
    "Керченском проливе в ноябре 2018 года, завершили расследование и передали материалы "
    "в суд, где дело будет рассматриваться в закрытом режиме, сообщил адвокат одного из "
    "моряков Николай Полозов журналистам в понедельник после встречи с подзащитным."
)


def test_a_sentence_too_long_for_the_budget_is_passed_over_never_cut() -> None:
    text = "\n".join(
        [
            LONG_LEAD,
            "Суд над украинскими моряками начнется в Москве в следующем месяце.",
            "Моряков задержали в ноябре 2018 года у берегов Крыма.",
        ]
    )
    summary = summarize(text, language="ru", sentences=2, max_chars=200)
    assert summary == [
        "Суд над украинскими моряками начнется в Москве в следующем месяце.",
        "Моряков задержали в ноябре 2018 года у берегов Крыма.",
    ]
    assert summarize(text, language="ru", sentences=1)[0] == LONG_LEAD
    assert not any(s.endswith("…") for s in summarize(RU_ARTICLE, language="ru", max_chars=120))


@pytest.mark.parametrize(
    ("text", "language", "opener"),
    [
        (
            "Он заявил, что пенсии проиндексируют в январе на шесть процентов.\n"
            "Министр труда Антон Котяков выступил в Госдуме с отчетом правительства.\n"
            "По его словам, индексация коснется всех неработающих пенсионеров страны.",
            "ru",
            "Министр труда",
        ),
        (
            "Там отмечается, что число заболевших за сутки выросло на пять процентов.\n"
            "Оперативный штаб опубликовал новые данные о распространении коронавируса.",
            "ru",
            "Оперативный штаб",
        ),
        (
            "«Мы готовы продолжать переговоры в любой момент и в любом формате».\n"
            "Министр иностранных дел Сергей Лавров выступил на пресс-конференции в Москве.",
            "ru",
            "Министр иностранных дел",
        ),
        (
            "However, the company said the cuts would not affect its stores in London.\n"
            "The retailer Marks and Spencer will close thirty shops across Britain this year.",
            "en",
            "The retailer",
        ),
        (
            "Ол бүгін үкімет отырысында жаңа бюджет туралы баяндама жасады.\n"
            "Қаржы министрі келесі жылға арналған республикалық бюджет жобасын таныстырды.",
            "kk",
            "Қаржы министрі",
        ),
    ],
)
def test_a_sentence_that_leans_on_an_earlier_one_never_opens_the_summary(
    text: str, language: str, opener: str
) -> None:
    for algorithm in ("news", "lead"):
        summary = summarize(text, language=language, sentences=3, algorithm=algorithm)
        assert summary[0].startswith(opener)


def test_a_leaning_sentence_may_follow_the_sentence_it_leans_on() -> None:
    text = (
        "Министр труда Антон Котяков выступил в Госдуме с отчетом правительства.\n"
        "По его словам, индексация пенсий коснется всех неработающих пенсионеров страны."
    )
    assert summarize(text, language="ru", sentences=2) == text.split("\n")


def test_an_article_of_leaning_sentences_only_gives_no_summary() -> None:
    text = "Он заявил, что пенсии проиндексируют в январе. Она добавила, что это будет в срок."
    assert summarize(text, language="ru", sentences=2) == []


def test_sentences_glued_without_a_space_are_summarised_apart() -> None:
    text = (
        "Число заболевших в России выросло за сутки на десять тысяч человек, сообщил штаб."
        "По последним данным, выздоровели более двух тысяч пациентов в разных регионах."
    )
    assert summarize(text, language="ru", sentences=2) == [
        "Число заболевших в России выросло за сутки на десять тысяч человек, сообщил штаб.",
        "По последним данным, выздоровели более двух тысяч пациентов в разных регионах.",
    ]


def test_a_byline_glued_to_the_lead_is_dropped_and_the_lead_kept() -> None:
    text = (
        "Anthony ZurcherNorth America reporter@awzurcheron Twitter With tensions rising in "
        "the Gulf, the president has a choice to make about the troops.\n"
        "2020-05-17T20:57:41+03:00 https://example.com/i/logo/social_logo.png\n"
        "Officials in Washington said a decision would come within days."
    )
    assert summarize(text, language="en", sentences=3) == [
        "With tensions rising in the Gulf, the president has a choice to make about the troops.",
        "Officials in Washington said a decision would come within days.",
    ]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "1234 5678 90", "!!! ??? ...", "😀😀😀 🎉", "<p></p><br/>", "Коротко."],
)
def test_empty_or_unusable_text_gives_an_empty_summary(text: str) -> None:
    assert summarize(text, language="ru") == []


def test_html_fragments_give_plain_sentences() -> None:
    html = "".join(f"<p>{line}</p>" for line in RU_ARTICLE.splitlines())
    summary = summarize(html.replace("нефти", "нефти&nbsp;"), language="ru", sentences=3)
    assert len(summary) == 3
    assert not any("<" in s or "&nbsp;" in s for s in summary)


def test_an_unknown_language_is_guessed_from_the_script() -> None:
    assert summarize(EN_ARTICLE, language="xx", sentences=1) == summarize(
        EN_ARTICLE, language="en", sentences=1
    )
    assert summarize(RU_ARTICLE, language=None, sentences=1) == summarize(
        RU_ARTICLE, language="ru", sentences=1
    )


def test_an_unknown_algorithm_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown summary algorithm"):
        summarize(RU_ARTICLE, language="ru", algorithm="magic")
    with pytest.raises(ValueError, match="unknown summary algorithm"):
        Summarizer("magic")


def test_a_megabyte_of_text_is_summarised_from_its_start() -> None:
    text = (RU_ARTICLE + "<div>😀 &amp; " + "x" * 500 + "</div>\n") * 1200
    assert len(text) > 1_000_000
    summary = summarize(text, language="ru", sentences=5)
    assert 1 <= len(summary) <= 5
    assert all(from_input(s, RU_ARTICLE) for s in summary)


ARTICLE_PIECES = st.sampled_from(
    [*RU_ARTICLE.splitlines(), *EN_ARTICLE.splitlines(), "<p>", "</p>", "&nbsp;", "«", "»", "😀"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(ARTICLE_PIECES, st.text(max_size=80)), max_size=25).map("\n".join),
    st.sampled_from(["ru", "en", "kk", "de", ""]),
    st.integers(min_value=-3, max_value=9),
    st.sampled_from(ALGORITHMS),
)
def test_any_text_gives_at_most_the_asked_sentences_all_from_the_input(
    text: str, language: str, sentences: int, algorithm: str
) -> None:
    summary = summarize(text, language=language, sentences=sentences, algorithm=algorithm)
    assert len(summary) <= min(max(sentences, 1), MAX_SENTENCES)
    plain = text.replace("&nbsp;", " ").replace("<p>", " ").replace("</p>", " ")
    assert all(from_input(sentence, plain) for sentence in summary)


@pytest.mark.parametrize("pool", ["thread", "process"])
async def test_the_async_service_gives_the_same_summary_from_its_pool(pool: str) -> None:
    async with Summarizer(pool=pool, workers=1) as summarizer:  # type: ignore[arg-type]
        results = await asyncio.gather(
            summarizer.summarize(RU_ARTICLE, language="ru", sentences=2),
            summarizer.summarize(EN_ARTICLE, language="en", sentences=3),
            summarizer.summarize("", language="en"),
        )
    assert results == [
        summarize(RU_ARTICLE, language="ru", sentences=2),
        summarize(EN_ARTICLE, language="en", sentences=3),
        [],
    ]


async def test_ingestion_gets_the_article_back_with_its_summary() -> None:
    article = NewArticle(
        url="https://example.org/a",
        canonical_url="https://example.org/a",
        content_hash="h",
        language="en",
        title="Driver jailed",
        text=EN_ARTICLE,
    )
    async with Summarizer(pool="thread", workers=1) as summarizer:
        summarized = await summarizer.summarize_article(article)
    assert summarized.summary == summarize(EN_ARTICLE, language="en", title="Driver jailed")
    assert summarized.text == article.text
