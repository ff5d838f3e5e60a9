"""Removes what extractors leave behind on Russian, Kazakh and English news pages.

trafilatura finds the article, but real pages put furniture inside the article
container: photo captions, view counters, "Читайте также" links, share and subscribe
prompts, the agency dateline that opens every lead ("МОСКВА, 20 мар — РИА Новости."),
and a first line that repeats the headline. Summaries and topic matching must not see
any of it, so it goes here, line by line, with rules narrow enough that a body sentence
which merely mentions Telegram or a photo survives.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_CITY = rf"[{_UPPER}][{_UPPER}\-]+(?:[ \-][{_UPPER}][{_UPPER}\-]+){{0,3}}"
_TITLE_CITY = rf"[{_UPPER}][a-zа-яёәғқңөұүһі\-]+(?:[ \-][{_UPPER}]?[a-zа-яёәғқңөұүһі\-]+){{0,2}}"
_DASH = r"\s*[—–-]{1,2}\s*"
_RU_DATE = r"\d{1,2}\s+[а-яёА-ЯЁ]{3,9}\.?(?:\s+\d{4}(?:\s*г\.?)?)?"
_EN_DATE = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?"
_AGENCY = (
    r"РИА\s+Новости|ИТАР-ТАСС|ТАСС|Интерфакс(?:-Казахстан)?|INTERFAX(?:\.RU|-KAZAKHSTAN)?|"
    r"Interfax|KAZINFORM|Kazinform|Казинформ|ҚазАқпарат|КазТАГ|Kazakhstan\s+Today|"
    r"Sputnik(?:\s+Казахстан)?|Спутник|Reuters|AP|AFP|Bloomberg|ПРАЙМ|Прайм|RT|РБК|"
    r"Tengrinews(?:\.kz)?|Zakon\.kz|NUR\.KZ|Новости-Казахстан|Xinhua|Синьхуа|Trend|"
    r"Kursiv|Курсив|Vlast\.kz|The\s+Astana\s+Times|BNE\s+IntelliNews|Анадолу|Anadolu"
)
_DATELINE = re.compile(
    rf"""^(?:
        {_CITY},\s*{_RU_DATE}{_DASH}(?:{_AGENCY})(?:,\s*[^.]{{1,60}})?\.\s*     # МОСКВА, 20 мар — РИА Новости.
      | {_CITY},\s*{_RU_DATE}\.?\s*/[^/\n]{{2,80}}/\.?\s*                     # МОСКВА, 20 марта. /ТАСС/.
      | (?:{_CITY}|{_TITLE_CITY})[.,]\s*{_RU_DATE}\.\s*(?:{_AGENCY}){_DASH}    # Москва. 20 марта. INTERFAX.RU -
      | {_CITY}[.,]?\s*(?:{_AGENCY}){_DASH}                                  # АСТАНА. KAZINFORM —
      | {_CITY},\s*{_EN_DATE}\s*\((?:{_AGENCY})\){_DASH}                     # MOSCOW, March 20 (Reuters) -
      | {_CITY}\s*\((?:{_AGENCY})\){_DASH}                                   # MOSCOW (AP) —
      | {_CITY},\s*(?:{_RU_DATE}|{_EN_DATE}){_DASH}                          # АЛМАТЫ, 20 марта —
    )""",
    re.VERBOSE,
)
_CAPTION = re.compile(
    r"""^(?:
        (?:фото|фотография|фотографии|photo|photos|image|видео|video|сурет|суретте|
           иллюстрация|коллаж|скриншот|инфографика|кадр|getty\s+images)\s*[:©/|—–-]
      | источник\s+фото | фото\s+из\s+открытых\s+источников | иллюстративное\s+фото
      | фото\s+предоставлено | фото\s+автора | кадр\s+из\s+видео | photo\s+by | photo\s+credit
      | фото\s+ашық | ©
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_PROMPT = re.compile(
    r"""^(?:
        подписывайтесь | подпишитесь | подписаться | подписывайся
      | читайте\s+(?:также|нас|ещё|еще|наш) | читать\s+также | смотрите\s+также | по\s+теме\s*:
      | узнавайте\s+о\s+новостях | узнавай\s+первым | поделиться | следите\s+за\s+(?:новостями|нами)
      | присоединяйтесь | больше\s+новостей | все\s+новости\s+(?:в|на)
      | share\b | subscribe | follow\s+us | read\s+(?:also|more)\b | sign\s+up | related\s*:
      | сондай-ақ\s+оқыңыз | жазылыңыз | жаңалықтарды\s+бірінші | бізді\s+\S+\s+(?:оқыңыз|қараңыз)
      | ошибка\s+в\s+тексте | нашли\s+ошибку | все\s+права\s+защищены | барлық\s+құқықтар
      | при\s+(?:полном\s+или\s+частичном\s+)?(?:использовании|цитировании|копировании)
      | теги\s*: | tags\s*: | реклама\s*$ | advertisement\s*$ | loading | загрузка
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# Prompts that do not open the line but give themselves away: "…в нашем Telegram-канале".
_OUR_CHANNEL = re.compile(
    r"\b(?:наш(?:ем|его|им)?|our)\s+(?:telegram|телеграм|канал|channel|newsletter|рассылк)",
    re.IGNORECASE,
)
_RELATED_LABEL = re.compile(
    r"^(?:читайте\s+также|смотрите\s+также|по\s+теме|также\s+по\s+теме|read\s+also|related|"
    r"сондай-ақ\s+оқыңыз|тақырып\s+бойынша)\s*[:.]?\s*$",
    re.IGNORECASE,
)
_COUNTER_WORDS = frozenset(
    {"", "k", "к", "m", "м", "тыс", "млн", "views", "view", "просмотров", "просмотра", "просмотр"}
    | {"просмотры", "комментарии", "комментариев", "comments", "қаралым", "пікір"}
)
_NON_LETTERS = re.compile(r"[\W\d_]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SENTENCE_END = tuple('.!?…»"”)')
PROMPT_MAX_CHARS = 200


def clean_text(text: str, *, title: str = "") -> str:
    """The article body without boilerplate: one paragraph per line, blank lines removed."""
    lines = [_normalise_line(line) for line in text.splitlines()]
    kept: list[str] = []
    skip_headline = False
    for line in lines:
        if not line:
            continue
        if skip_headline:
            skip_headline = False
            if len(line) < 150 and not line.endswith(_SENTENCE_END):
                continue  # the headline a "Читайте также" label points to
        if _RELATED_LABEL.match(line):
            skip_headline = True
            continue
        if is_boilerplate(line):
            continue
        if kept and line == kept[-1]:
            continue
        kept.append(line)
    while kept and title and repeats_title(kept[0], title):
        kept.pop(0)  # the headline again, often twice: the page's h1 and a bold first line
    if kept:
        lead = strip_dateline(kept[0])
        if lead:
            kept[0] = lead
        else:
            kept.pop(0)
    return "\n".join(kept)


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is a caption, a counter or a prompt rather than article text."""
    if is_counter(line):
        return True
    if len(line) > PROMPT_MAX_CHARS:
        return False
    return bool(_CAPTION.match(line) or _PROMPT.match(line) or _OUR_CHANNEL.search(line))


def is_counter(line: str) -> bool:
    """A line of numbers, perhaps with "K" or "просмотров": a view counter, a time, a date."""
    words = _NON_LETTERS.sub(" ", line.casefold()).split()
    return all(word in _COUNTER_WORDS for word in words) and len(words) <= 2


def strip_dateline(line: str) -> str:
    """The lead without the agency dateline that opens it."""
    match = _DATELINE.match(line)
    if match is None:
        return line
    rest = line[match.end() :].lstrip(" .,:;—–-")
    return rest[:1].upper() + rest[1:] if rest else ""


def repeats_title(line: str, title: str) -> bool:
    """Whether `line` is the headline again (ignoring case, punctuation and small edits)."""
    a, b = _comparable(line), _comparable(title)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


def _comparable(text: str) -> str:
    return " ".join(_NON_LETTERS.sub(" ", text.casefold().replace("ё", "е")).split())


def _normalise_line(line: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip()
