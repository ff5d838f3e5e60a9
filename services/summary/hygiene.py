"""Sentence hygiene for summaries: which sentences of an article may be shown at all.

A summary sentence is read on its own, far from the article, so a sentence that only makes
sense in place is worse than none: a photo caption, a dateline, "Read more", a bare figure,
a question, a piece of a quotation cut at a sentence boundary, a heading, and strings that
are not prose at all (a timestamp, a URL, an image file name, an author line, a byline with a
@handle). `clean_sentence` returns the sentence as it may be shown (a dateline or a glued
junk prefix removed) or None when it must not be shown. A sentence is shown whole or not at
all: one cut short loses the fact or the speaker it was quoted for.

Pages are cleaned before they are stored (services/ingest/clean.py); this is the summary's
own last line of defence, so it works on any text it is given.

The rules look at form, never at the topic, so they hold for any article; each rule is
written for Russian, English and Kazakh news alike.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "MAX_SENTENCE_CHARS",
    "MIN_SENTENCE_WORDS",
    "clean_sentence",
    "plain_text",
    "strip_junk_prefix",
]

MIN_SENTENCE_WORDS = 6
"""Fewer words than this rarely make a statement that stands alone."""

MAX_SENTENCE_CHARS = 400
"""Longer sentences are shown only when nothing shorter can open the summary: in a chat
digest one item should fit a phone screen, and a news lead of 60 words still does."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TAG = re.compile(r"<(?:/?[A-Za-z][^<>]*|!--.*?--)>", re.DOTALL)
_BLOCK_TAG = re.compile(
    r"<(?:/?(?:p|div|br|li|h[1-6]|tr|blockquote|section|article)\b[^<>]*)>", re.I
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")

# "МОСКВА, 1 дек — РИА Новости." / "Москва, 1 декабря. /ТАСС/." / "АСТАНА. KAZINFORM –"
# / "WASHINGTON (CNN) --" / "LONDON, England (Reuters) -" / "(CNN) --" / "PARIS —".
_DASH = r"(?:[—–]|-{1,2})"
_DATELINES = tuple(
    re.compile(pattern)
    for pattern in (
        # place, day month — agency.
        rf"^[^\W\d_][^,.!?\n]{{0,40}},\s*\d{{1,2}}\s+[^\W\d_]{{3,9}}\.?(?:\s+\d{{4}})?\s*"
        rf"(?:{_DASH}\s*[^.!?\n]{{2,40}}?\.|\.\s*/[^/\n]{{2,30}}/\.?)\s+",
        # place (agency) —
        rf"^(?:[^\W\d_][^()\n]{{0,40}}\s)?\((?:[^()\n]{{2,25}})\)\s*{_DASH}\s*",
        # PLACE. AGENCY —  (the place in capitals, as Kazakh agencies write it)
        rf"^[^\W\d_a-zа-яё]{{3,}}(?:[ -][^\W\d_a-zа-яё]{{2,}})?\.\s*[^.!?\n]{{2,30}}?\s*{_DASH}\s+",
    )
)

_BOILERPLATE = re.compile(
    r"(?ix)"
    # Russian
    r"\bчитайте\s+(?:также|тоже|нас|подробнее|в\b)|\bподпис(?:ыв)?айтесь\b|\bподробнее\s+(?:читайте|—|:)"
    r"|\bсмотрите\s+(?:также|видео|фото)|\bприсоединяйтесь\b|\bследите\s+за\s+новостями"
    r"|\bтелеграм-канал|\btelegram-канал|\bнаш\s+(?:канал|telegram|телеграм)|\bнажмите\b"
    r"|\bпоследние\s+новости\s+в\b|\bреклама\b|\bвсе\s+права\s+защищены|\bисточник\s*:"
    # English
    r"|\bread\s+more\b|\bclick\s+here\b|\bscroll\s+down\b|\bsign\s+up\b|\bsubscribe\b|\bfollow\s+us\b"
    r"|\bshare\s+this\b|\bpublished\s*:|\bupdated\s*:|\blast\s+updated\b|\breporting\s+by\b"
    r"|\bediting\s+by\b|\ball\s+rights\s+reserved\b|\badvertisement\b|\bcookies?\b|\bnewsletter\b"
    r"|\bsource\s*:|\bwatch\s+(?:the\s+)?video\b"
    # Kazakh
    r"|\bтолығырақ\b|\bоқи\s+отырыңыз|\bжазылыңыз\b|\bдереккөз\s*:|\bарнасына\s+жазыл"
)

_CAPTION = re.compile(
    r"(?ix)"
    r"\((?:pictured|pictures?|photo|file\s+photo|left|right|centre|center|top|bottom|inset|above|below"
    r"|на\s+фото|фото|слева|справа|в\s+центре|суретте)\)"
    r"|(?:^|\s)(?:фото|photo|picture|image|credit|видео|video|сурет|фотосурет)\s*:"
    r"|©|\bgetty\s+images\b|\bриа\s+новости\s*/"
)

# A short label and a colon opening a sentence is a photo caption or a kicker
# ("Retread: David Cameron with Samantha yesterday.", "На фото: ...").
_LABEL = re.compile(r"^(?:[^\W\d_][\w'’\-]*\s){0,3}[^\W\d_][\w'’\-]*:\s")
# Words that cannot end a sentence: a sentence ending in one was cut by a stray full stop
# ("Two lawyers representing a woman who .").
_DANGLING = _words(
    """
    a an the of to in on at for with by from into onto and or but nor that which who whom
    whose as than if because while when where its their our your my is are was were
    в во на с со и а но или что чтобы который которая которое которые которого которой
    по к ко о об из за для от до при под над без через между как где когда
    және мен бен пен үшін туралы бойынша арқылы бірақ немесе
    """
)
_CLOSING = " .!…'\"»”’)]"
_TERMINAL = re.compile(r"[.!…]['\"»”’)\]]*$")
_QUESTION_END = re.compile(r"\?['\"»”’)\]]*$")
_STARTS_AS_CONTINUATION = re.compile(r"^(?:[—–\-,;:)\]»”]|\.\.\.|…)")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


# Strings that are not prose: page metadata, links and bylines that extraction let through.
_ISO_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_URL = r"(?:https?://|www\.)[^\s«»\"<>]+"
_IMAGE = r"[\w\-]\.(?:png|jpe?g|gif|webp|svg|bmp)\b"
_HANDLE = r"(?<![\w.])@[A-Za-z_][\w]{2,}"
_NOT_PROSE = re.compile(
    rf"(?i){_ISO_TIME}|{_URL}|{_IMAGE}|{_HANDLE}"
    r"|\b(?:автор|авторы|author|authors)\s*:"  # an author line
    r"|\d:\d{2}\s*·"  # page chrome: "3 декабря, 02:54 · …"
)
# A prefix of such strings glued to a sentence, removed piece by piece.
_JUNK_PREFIX = re.compile(
    rf"(?:{_ISO_TIME}|{_URL}|{_IMAGE}|{_HANDLE}(?:\s*on\s+Twitter)?"
    r"|\d{1,2}\s+[^\W\d_]{3,9}\.?(?:\s+\d{4})?,?\s+\d{1,2}:\d{2}"  # "3 декабря, 02:54"
    r"|(?:Автор|Авторы|Author|By)\s*:\s*(?:[A-ZА-ЯЁ][\w.\-]*\s?){1,2}"  # "Автор: Мария Базарева"
    # "Anthony ZurcherNorth America reporter@awzurcheron Twitter": a byline before the lead
    r"|(?:[A-Z][\w'’.\-]*\s?){1,5}(?:reporter|correspondent|editor)\s*@\w+?(?:on\s+Twitter|\b)"
    r")[\s…·|,;:.\-—–]*"
)


def strip_junk_prefix(sentence: str) -> str:
    """`sentence` without the timestamps, links, file names and bylines glued to its start."""
    text = sentence
    while match := _JUNK_PREFIX.match(text):
        if not match.end():
            break
        text = text[match.end() :]
    return text if text is not sentence else sentence


def plain_text(text: str) -> str:
    """Text with markup removed and entities decoded; a block element becomes a line break.

    Extraction normally hands over plain text; this keeps a stray HTML fragment (a feed's
    description, a pasted page) from leaking tags or `&nbsp;` into a summary.
    """
    if "<" in text and _TAG.search(text):
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _SPACES.sub(" ", text.replace("\xad", ""))
    return _BLANK_LINES.sub("\n", text).strip()


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading dateline such as "МОСКВА, 1 дек — РИА Новости."."""
    for pattern in _DATELINES:
        match = pattern.match(sentence)
        if match and len(sentence) - match.end() >= 2:
            return sentence[match.end() :].lstrip()
    return sentence


def _nested(sentence: str, opening: str, closing: str) -> bool:
    depth = 0
    for char in sentence:
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _quotes_balanced(sentence: str) -> bool:
    """Whether every quotation that opens in the sentence also closes in it, and vice versa."""
    if not _nested(sentence, "«", "»"):
        return False
    if "„" in sentence:  # „…“ style: the left quote closes
        if not _nested(sentence, "„", "“"):
            return False
    elif not _nested(sentence, "“", "”"):
        return False
    return sentence.count('"') % 2 == 0


def clean_sentence(sentence: str, *, case_folded: bool = False) -> str | None:
    """The sentence as it may appear in a summary (dateline removed), or None if it may not.

    `case_folded` says the whole text is lower-case, so letter case cannot tell where a
    sentence starts (a case-folded text starts every sentence in lower case). Length is the
    summariser's affair: a sentence too long for its budget is passed over, never cut.
    """
    text = strip_dateline(strip_junk_prefix(strip_dateline(sentence.strip())))
    if not text or _BOILERPLATE.search(text) or _CAPTION.search(text):
        return None
    if _NOT_PROSE.search(text):
        return None
    words = _WORD.findall(text)
    if len(words) < MIN_SENTENCE_WORDS:
        return None
    letters = sum(len(word) for word in words)
    if letters < 0.6 * len(text.replace(" ", "")):
        return None  # mostly figures, symbols or markup: a table row, a score, a list of links
    if _QUESTION_END.search(text) or not _TERMINAL.search(text):
        return None  # a question, or a heading / caption / list intro without a full stop
    if _STARTS_AS_CONTINUATION.match(text) or not _quotes_balanced(text):
        return None  # the rest of a quotation, or its first half
    last = text.rstrip(_CLOSING).rsplit(maxsplit=1)[-1:]
    if (last and last[0].lower() in _DANGLING) or _LABEL.match(text):
        return None  # cut off by a stray full stop, or a caption with its label
    first = text.lstrip("«\"„“'(")[:1]
    if not case_folded and first.islower():
        return None  # begins mid-sentence: the splitter cut it after an abbreviation or quote
    return text
