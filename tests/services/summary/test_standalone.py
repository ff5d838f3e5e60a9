"""Which sentences lean on an earlier one and so may not open a summary."""

from __future__ import annotations

import pytest

from services.summary.standalone import leans_on_context


@pytest.mark.parametrize(
    "sentence",
    [
        "Он заменил на посту главного тренера Майкла Пелино.",
        "Его слова подтвердили в пресс-службе министерства.",
        "Им удалось договориться о прекращении огня.",
        "Эта правда открылась Башарову, когда он учился в шестом классе.",
        "Такие меры помогут малому бизнесу пережить кризис.",
        "Там отмечается, что цены на бензин выросли на пять процентов.",
        "Тогда же было принято решение о закрытии границ.",
        "По его словам, власти окажут помощь пенсионерам.",
        "При этом воздух в областном центре прогреется до 18 градусов.",
        "Об этом заявил руководитель промоутерской компании Боб Арум.",
        "У него нет шансов на победу в этом турнире.",
        "Кроме того, от недуга невозможно окончательно излечиться.",
        "Также в списке оказались Германия и Франция.",
        "Однако цены на нефть продолжили падение.",
        "он заявил, что цены на бензин не вырастут.",
        "«Мы сделаем всё возможное, чтобы помочь пострадавшим».",
        "«Мы сделаем всё возможное», — сказал он.",
    ],
)
def test_russian_sentences_that_point_back_lean(sentence: str) -> None:
    assert leans_on_context(sentence, "ru")


@pytest.mark.parametrize(
    "sentence",
    [
        "Власти окажут помощь пенсионерам, рассказал депутат Олег Рязанский.",
        "Олег Иванов заявил о росте цен на бензин.",
        "Онлайн-торговля выросла на треть за год.",
        "Тамбовская область получила федеральный грант.",
        "В этом году цены выросли на пять процентов.",
        "Этим летом в Москве ожидается аномальная жара.",
        "О том, что мир изменился, говорят многие аналитики.",
        "В то время как курс доллара падал, евро дорожал.",
        "Те, кто заболел, получат помощь от государства.",
        "«Мы сделаем всё возможное», — сказал министр финансов Антон Силуанов.",
        "«Спартак» обыграл «Зенит» в матче чемпионата России.",
    ],
)
def test_russian_sentences_with_a_named_subject_or_a_forward_opener_stand_alone(
    sentence: str,
) -> None:
    assert not leans_on_context(sentence, "ru")


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("He said the plan would work.", True),
        ("They were intended to be tapes from beyond the grave.", True),
        ("However, prices rose sharply on Monday.", True),
        ("It looks as though it is lying in wait for beachgoers.", True),
        ("It was not immediately clear why the plane turned back.", False),
        ("'We are ready,' he said.", True),
        ('"We are ready," said Prime Minister David Cameron.', False),
        ("Those who were injured were taken to hospital.", False),
        ("This week prices rose sharply.", False),
        ("Police said the man was arrested on Monday.", False),
    ],
)
def test_english_sentences(sentence: str, leans: bool) -> None:
    assert leans_on_context(sentence, "en") is leans


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("Ол бүгін үкімет отырысында мәлімдеме жасады.", True),
        ("Бұл шешім экономика үшін маңызды.", True),
        ("Сондай-ақ министр бюджет туралы айтты.", True),
        ("Алайда бюджет тапшылығы сақталып отыр.", True),
        ("Осы жылы бюджет кірістері он пайызға өсті.", False),
        ("Он жыл бұрын бюджет кірістері аз болды.", False),  # "он" is "ten" in Kazakh
        ("Қазақстан үкіметі бюджетті бекітті.", False),
    ],
)
def test_kazakh_sentences(sentence: str, leans: bool) -> None:
    assert leans_on_context(sentence, "kk") is leans
