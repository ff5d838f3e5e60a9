"""What an article is compared by: title and lead lemmas, names, figures; stored and read back."""

from __future__ import annotations

from services.stories.fingerprint import BODY_LEMMAS, EventFingerprint, figures, fingerprint
from services.text.lemmas import default_lemmatizer


def test_names_and_figures_weigh_more_than_the_words_around_them() -> None:
    event = fingerprint(
        "Лавров провел переговоры",
        "Министр встретился с Нуртлеу в Москве. Обсудили 16 вопросов.",
        "ru",
        default_lemmatizer(),
    )
    terms = event.weighted_terms()

    assert terms.count("нуртлеу") == 3
    assert terms.count("16") == 3
    assert terms.count("обсудить") == 1
    assert terms.count("переговоры") == 2  # a title word counts twice


def test_title_and_lead_are_kept_apart_without_function_words() -> None:
    event = fingerprint(
        "Лавров провел переговоры",
        "Министр встретился с Нуртлеу в Алматы.\nВторой абзац не входит в лид.",
        "ru",
        default_lemmatizer(),
    )

    assert event.title == ("лавров", "провести", "переговоры")
    assert event.lead == ("министр", "встретиться", "нуртлеу", "алматы")


def test_a_foreign_function_word_written_as_a_name_is_kept() -> None:
    event = fingerprint(
        "[РЕЛИЗ] TWICE выпустили клип",
        "Группа TWICE представила клип.",
        "ru",
        default_lemmatizer(),
    )

    assert "twice" in event.title
    assert "twice" in event.names


def test_figures_are_read_as_written_with_either_decimal_mark() -> None:
    assert figures("Инфляция 3,5% за 2 мая и 3.5 за год") == {"3.5", "2"}


def test_a_stored_fingerprint_reads_back_the_same() -> None:
    event = fingerprint(
        "Казатомпром снизил прогноз добычи урана на 2026 год",
        "Компания понизила прогноз производства на 12%.",
        "ru",
        default_lemmatizer(),
    )

    tokens = event.encode()

    assert all(" " not in token for token in tokens)
    assert EventFingerprint.decode(tokens) == event


def test_a_fingerprint_stored_before_names_were_kept_reads_as_lead_words() -> None:
    event = EventFingerprint.decode(("лавров", "нуртлеу", "нуртлеу"))

    assert event.lead == ("лавров", "нуртлеу", "нуртлеу")
    assert event.title == () and event.names == frozenset()


def test_the_opening_reads_on_past_the_lead_up_to_its_limit() -> None:
    sentences = " ".join(f"Депутат номер {n} выступил в парламенте." for n in range(80))
    event = fingerprint("Заседание парламента", sentences, "ru", default_lemmatizer())

    assert event.body[:2] == ("заседание", "парламент")
    assert "депутат" in event.body and len(event.body) == BODY_LEMMAS
    assert len(event.lead) < len(event.body)


def test_a_fingerprint_stored_without_an_opening_compares_its_title_and_lead() -> None:
    event = EventFingerprint.decode(("T:лавров", "L:нуртлеу", "N:лавров"))

    assert event.opening == ("лавров", "нуртлеу")


def test_the_opening_keeps_where_each_of_its_sentences_starts() -> None:
    event = fingerprint(
        "Лавров провел переговоры",
        "Министр встретился с Нуртлеу. Обсудили визит Токаева в Астану.",
        "ru",
        default_lemmatizer(),
    )

    assert event.sentences == (
        ("лавров", "провести", "переговоры"),
        ("министр", "встретиться", "нуртлеу"),
        ("обсудить", "визит", "токаев", "астана"),
    )
    assert EventFingerprint.decode(event.encode()).sentences == event.sentences


def test_a_fingerprint_stored_without_sentence_starts_reads_as_one_sentence() -> None:
    event = EventFingerprint.decode(("T:лавров", "L:нуртлеу", "B:лавров", "B:нуртлеу"))

    assert event.sentences == (("лавров", "нуртлеу"),)


def test_the_titles_verbs_are_kept_and_stored() -> None:
    event = fingerprint(
        "Токаев подписал закон", "Президент подписал документ.", "ru", default_lemmatizer()
    )

    assert event.verbs == ("подписать",)
    assert EventFingerprint.decode(event.encode()).verbs == ("подписать",)
