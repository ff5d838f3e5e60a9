"""Removes what extractors leave behind on Russian, Kazakh and English news pages.

trafilatura finds the article, but real pages put furniture inside the article
container: photo captions, view counters, "Читайте также" links, share and subscribe
prompts, the agency dateline that opens every lead ("МОСКВА, 20 мар — РИА Новости."),
a first line that repeats the headline, the date-and-author line, rows of share
buttons, schema.org metadata printed as text ("2020-05-17T20:57:41+03:00 https://…/logo.png
Агентство …"), bylines with a Twitter handle, and a photo credit at the end of the caption
or paragraph it follows ("… Фото: politnavigator.net"). Summaries and topic matching must
not see any of it, so it goes here, line by line, with rules narrow enough that a body
sentence which merely mentions Telegram or a photo survives, and a line of figures that
carries a currency, a phone number or a unit (a price, a hotline) stays as text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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
        (?:фото|фотография|фотографии|photo|photos|foto|image|видео|video|сурет|суретте|
           иллюстрация|коллаж|скриншот|инфографика|кадр|getty\s+images)\s*[:©/|—–-]
      | источник\s+фото | фото\s+из\s+открытых\s+источников | иллюстративное\s+фото
      | фото\s+предоставлено | фото\s+автора | кадр\s+из\s+видео | photo\s+by | photo\s+credit
      | фото\s+ашық | © | image\s+(?:source|caption)\b | getty\s+images\s*$
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
# A credit closing the line after the text it captions: "… Россией Фото: politnavigator.net",
# "… in Astana. Photo: REUTERS/Pavel Mikheyev", "… © Sputnik / Владимир Федоренко",
# "… AFP via Getty Images". Capitalised, short, and no sentence inside the credit.
_TRAILING_CREDIT = re.compile(
    r"""\s+(?:
        (?:Фото|Фотография|Photo|Photos|Foto|Image|Сурет|Видео|Video|Коллаж|Иллюстрация|Источник\s+фото)
            \s*[:©]\s*[^\s.!?][^!?]{0,80}?
      | ©\s*[^\s.!?][^!?]{0,80}?
      | (?:[\w.]+(?:\s+via)?\s+)?Getty\s+Images
    )\s*$""",
    re.VERBOSE,
)
_CREDIT_SENTENCE = re.compile(r"[.!?…]\s+[A-ZА-ЯЁ]")
# Date, time and author: the page's own line above the article, not a sentence of it.
_WHEN = (
    r"(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|"
    r"\d{1,2}\s+[а-яёa-z]{3,9}\.?(?:\s+\d{4})?(?:\s*г\.?)?|[a-z]{3,9}\.?\s+\d{1,2}(?:,\s*\d{4})?|"
    r"сегодня|вчера|today|yesterday)"
)
_CHROME = re.compile(
    rf"""^(?:(?:обновлено|опубликовано|updated|published|дата)\s*:?\s*)?
        {_WHEN}(?:[\s,·•|/—–-]+{_WHEN})*
        (?:[\s,·•|/—–-]+(?:автор|author|by|текст|text)\s*:?\s*[^.!?]{{1,60}})?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_BYLINE = re.compile(
    r"""^(?:(?:автор|author|текст|by)\s*:\s*[^.!?]{1,60}
      | [^.!?]{0,80}(?:@\w{2,}|\b(?:reporter|correspondent|editor|корреспондент))[^.!?]{0,40}
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
# A byline glued to the lead: "Anthony ZurcherNorth America reporter@awzurcheron TwitterThe …".
_GLUED_BYLINE = re.compile(r"^[^.!?\n]{0,100}?@\w+?\s*on\s+(?:Twitter|X(?![a-z]))\s*")
# schema.org metadata printed as text: a timestamp, an image URL, a publisher's name.
_METADATA = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\S*(?:\s*(?:…|\.\.\.)?\s*\S*https?://\S+)+", re.IGNORECASE
)
_SHARE_WORDS = frozenset(
    {"vk", "вконтакте", "вк", "одноклассники", "ok", "telegram", "телеграм", "whatsapp", "viber"}
    | {"facebook", "twitter", "x", "email", "e-mail", "почта", "linkedin", "pinterest", "reddit"}
    | {"дзен", "livejournal", "mail.ru", "мой", "мир", "copy", "link", "копировать", "ссылку"}
    | {"ссылка", "скопировать", "messenger", "threads", "flipboard", "print", "печать"}
)
# Figures that are article text: a price, a percentage, a temperature, a phone number.
_FIGURES_WITH_MEANING = re.compile(
    r"[€$₽₸£¥₴%°‰]|\+\s?\d|\(\d{2,5}\)|\d{2,3}-\d{2}-\d{2}"
    r"|\b(?:руб|тг|тенге|сум|eur|usd|kzt|rub|км|кг|м²|мм|га|тонн|kg|km|mm)\b",
    re.IGNORECASE,
)
# Separators a site name is appended to a headline with.
_SITE_SUFFIX = re.compile(r"\s+(?:[-—–|⋆·•:]|::)\s+(?P<site>[^-—–|⋆·•]{2,60})$")
_TRANSLIT = str.maketrans(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    "abvgdeejziiklmnoprstufhccss_y_euaagknouuhi",
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
    for raw in lines:
        line = raw
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
        line = strip_trailing_credit(line)
        if kept and line == kept[-1]:
            continue
        kept.append(line)
    while kept and title and repeats_title(kept[0], title):
        kept.pop(0)  # the headline again, often twice: the page's h1 and a bold first line
    if kept:
        lead = strip_dateline(_GLUED_BYLINE.sub("", kept[0]))
        if lead:
            kept[0] = lead
        else:
            kept.pop(0)
    return "\n".join(kept)


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is a caption, a counter, a prompt, page chrome (date and
    author, share buttons, printed metadata) or a byline rather than article text."""
    if is_counter(line):
        return True
    if len(line) > PROMPT_MAX_CHARS:
        return bool(_METADATA.match(line)) and len(line) <= 2 * PROMPT_MAX_CHARS
    return bool(
        _CAPTION.match(line)
        or _PROMPT.match(line)
        or _OUR_CHANNEL.search(line)
        or _CHROME.match(line)
        or _BYLINE.match(line)
        or _METADATA.match(line)
        or _is_share_row(line)
    )


def is_counter(line: str) -> bool:
    """A line of numbers, perhaps with "K" or "просмотров": a view counter, a time, a date;
    not a price, a percentage or a phone number."""
    words = _NON_LETTERS.sub(" ", line.casefold()).split()
    if not (all(word in _COUNTER_WORDS for word in words) and len(words) <= 2):
        return False
    return _FIGURES_WITH_MEANING.search(line) is None


def strip_trailing_credit(line: str) -> str:
    """The line without a photo credit closing it ("… Фото: politnavigator.net")."""
    match = _TRAILING_CREDIT.search(line)
    if match is None or match.start() == 0 or _CREDIT_SENTENCE.search(match.group()):
        return line
    return line[: match.start()].rstrip()


def strip_site_name(title: str, *, site_names: Iterable[str] = (), host: str = "") -> str:
    """The headline without a site name appended to it (" - Premium Times Nigeria",
    " ⋆ СПОРТ.UA"), cut only when the tail names the site: it is the page's og:site_name,
    or its words spell the host's name (in Latin or Cyrillic letters, the first word whole,
    a later one perhaps shortened: "Premium Times Nigeria" is premiumtimesng.com). "Россия - Казахстан: итоги"
    on kazakhstan.kz keeps its tail: "итоги" is not in the host."""
    match = _SITE_SUFFIX.search(title)
    if match is None or match.start() < 10:
        return title
    words = _site_words(match.group("site"))
    if not words:
        return title
    named = {"".join(_site_words(name)) for name in site_names}
    spelt = any(
        key.startswith(words[0]) and _spells(words[1:], key[len(words[0]) :])
        for key in _host_keys(host)
    )
    if "".join(words) in named or spelt:
        return title[: match.start()].rstrip()
    return title


def _site_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold().translate(_TRANSLIT))


def _host_keys(host: str) -> list[str]:
    labels = [label for label in host.casefold().split(".") if label and label != "www"]
    keys = ["".join(labels)] if labels else []
    if len(labels) >= 2:
        keys.append(labels[-2])
    return [key for key in keys if len(key) >= 2]


def _spells(words: list[str], key: str) -> bool:
    """Whether `words`, in order and each whole or shortened, make up exactly `key` (the
    first word is always whole, so "Россия" never spells ria.ru)."""
    if not words:
        return not key
    word, rest = words[0], words[1:]
    if key.startswith(word) and _spells(rest, key[len(word) :]):
        return True
    for end in range(1, min(len(key), len(word) - 1) + 1):
        if key[0] == word[0] and _subsequence(key[:end], word) and _spells(rest, key[end:]):
            return True
    return False


def _subsequence(short: str, word: str) -> bool:
    letters = iter(word)
    return all(letter in letters for letter in short)


def _is_share_row(line: str) -> bool:
    words = re.split(r"[\s,·•|/]+", line.casefold().strip(" :"))
    words = [word for word in words if word]
    return len(words) >= 2 and all(word in _SHARE_WORDS for word in words)


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
    if a == b:
        return True
    if 2 * min(len(a), len(b)) < 0.9 * (len(a) + len(b)):
        return False  # lengths alone rule out a ratio of 0.9: a lead is not its headline
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9


def _comparable(text: str) -> str:
    return " ".join(_NON_LETTERS.sub(" ", text.casefold().replace("ё", "е")).split())


def _normalise_line(line: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip()
