"""Summary defects: how often a summary shows a sentence a reader cannot trust on its own.

    .venv/bin/python benchmarks/summary_defects.py [EVAL_DIR] [--show N]
    (default folder: ../shared/eval-data; --show prints N examples of each defect)

Every real article of the shared evaluation data is summarised (three sentences, with its
title when it has one, as ingestion does): ria_20.jsonl, cnn_dailymail_100.jsonl and the
distinct articles (a and b) of story_pairs_ru.jsonl. The same articles' plain lead-3 (the
first three sentences as the tokenizer splits them) is the baseline of the same run.

The checks below are this script's own, written from what a reader sees and independent of
the summariser's rules, so that they also judge it:

- cut: a sentence that ends in "…" but is not in the article as shown (goal 0);
- glued: two sentences with no space between them, "году.По последним" (goal 0);
- leans: the summary opens with a sentence that leans on an earlier one, a pronoun or a
  connective ("Он", "Там отмечается", "По его словам", "However", "Ол"), or a quotation
  with no speaker or only a pronoun for one (goal at most 1% of summaries);
- not prose: an ISO timestamp, a URL, an image file name, an author line, a @handle or a
  "… reporter" byline (goal 0).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from nltk.tokenize.punkt import PunktSentenceTokenizer  # noqa: E402
from razdel import sentenize  # noqa: E402
from summary_quality import html_paragraphs  # noqa: E402

from services.summary.summarizer import summarize  # noqa: E402

SENTENCES = 3
LEANING_GOAL = 0.01


@dataclass(frozen=True, slots=True)
class Article:
    source: str
    text: str
    title: str | None
    language: str


def load(folder: Path) -> list[Article]:
    articles: list[Article] = []
    with (folder / "ria_20.jsonl").open(encoding="utf-8") as ria:
        articles.extend(
            Article("ria_20", html_paragraphs(row["text"]), row["title"], "ru")
            for row in map(json.loads, ria)
        )
    with (folder / "cnn_dailymail_100.jsonl").open(encoding="utf-8") as cnn:
        articles.extend(Article("cnn_100", row["text"], None, "en") for row in map(json.loads, cnn))
    seen: set[str] = set()
    with (folder / "story_pairs_ru.jsonl").open(encoding="utf-8") as pairs:
        for row in map(json.loads, pairs):
            for side in (row["a"], row["b"]):
                if side["url"] not in seen:
                    seen.add(side["url"])
                    articles.append(Article("story_pairs", side["text"], side["title"], "ru"))
    return articles


# -- the checks ------------------------------------------------------------------------------


def squeeze(text: str) -> str:
    return " ".join(text.split())


def is_cut(sentence: str, article: str) -> bool:
    """Ends in an ellipsis the article does not have there."""
    return sentence.rstrip("»”\"') ").endswith(("…", "...")) and squeeze(sentence) not in article


_ABBREVIATIONS = frozenset(
    [
        "ул",
        "пр",
        "просп",
        "пер",
        "пл",
        "им",
        "ст",
        "св",
        "обл",
        "наб",
        "пос",
        "акад",
        "проф",
        "тыс",
        "млн",
        "млрд",
        "руб",
        "долл",
        "vs",
        "mr",
        "mrs",
        "dr",
        "st",
    ]
)
_GLUED = re.compile(
    r"(?<![\w./@:-])([^\W\d_]*[a-zа-яё]{2})[.!?…][»\"”’)]*(?=[A-ZА-ЯЁ][a-zа-яё]+\s)"
    r"|(?<![\w./@:-])([а-яё]{3,})[.!?][»\"”)]*(?=[а-яё]{2,}\s)"
)


def is_glued(sentence: str) -> bool:
    """Holds a sentence end directly followed by the next sentence's first word."""
    return any(
        (match.group(1) or match.group(2)).lower() not in _ABBREVIATIONS
        for match in _GLUED.finditer(sentence)
    )


_LEANING_OPENERS = re.compile(
    r"(?ix)^[«\"“„']?\s*(?:"
    # Russian: personal and demonstrative pronouns, adverbs of place and time, connectives
    r"(?:он|она|оно|они|его|ее|её|их|ему|ей|им|ими|него|нее|неё|них|нему|ней|ним|нем|нём)\b"
    r"|(?:это|этот|эта|эти|этого|этой|этим|этом|эту|этих|этими|такой|такая|такое|такие)\b"
    r"(?!\s+(?:год|году|года|неделе|месяце|месяц|сезоне|раз)\b)"
    r"|(?:там|тогда|туда|оттуда|здесь|тут)\b"
    r"|(?:при|по|в|на|об?|после|кроме|из-за|для|помимо|несмотря\s+на)\s+"
    r"(?:этом|этого|этой|этому|то|том|тому|его|ее|её|их|них|нем|нём|ней|всем\s+этом)\b"
    r"(?!\s+(?:году|неделе|месяце|сезоне)\b)"
    r"|(?:также|кроме\s+того|однако|тем\s+не\s+менее|вместе\s+с\s+тем|в\s+свою\s+очередь"
    r"|между\s+тем|впрочем|поэтому|зато|к\s+тому\s+же|в\s+то\s+же\s+время|при\s+этом|но|а|и)\b"
    r"(?!\.)"
    # English
    r"|(?:he|she|they|it|his|her|their|its|him|them|these|those(?!\s+who)|such|however|also"
    r"|but|and|meanwhile|moreover|furthermore|nevertheless|then)\b(?!')"
    r"|(?:this|that)\b(?!\s+(?:year|week|month|morning|afternoon|evening|weekend|season)\b)"
    r"|in\s+addition\b|the\s+latter\b"
    # Kazakh
    r"|(?:ол|олар|оның|оған|оны|онда|олардың|оларға|бұл|бұның|мұның|бұған|мұны|мұнда|осы"
    r"|осыған|сол|соған|сонда|сондай-ақ|сонымен|сондықтан|алайда|бірақ|дегенмен|ал)\b"
    r")"
)
_FORWARD_OPENERS = re.compile(
    r"(?ix)^(?:(?:о|в|на|по|до|после|для|с)\s+)?(?:то|том|того|тому|тех)\s*(?:(?:время|пор)\s*)?,?\s*"
    r"(?:что|как|чтобы|кто|когда)\b|this\s+is\s+the\s+moment\b|these\s+days\b"
)
"""Openers that point forward, to the clause that follows: not leaning."""
_QUOTE_OPEN = '«"“„'
_SPEAKER_PRONOUNS = frozenset(["он", "она", "они", "he", "she", "they", "ол", "олар"])


def leans(sentence: str) -> bool:
    """Needs an earlier sentence: opens with an anaphor or a connective, or is a quotation
    with no speaker or only a pronoun for one."""
    text = sentence.strip()
    if _FORWARD_OPENERS.match(text):
        return False
    if _LEANING_OPENERS.match(text):
        return True
    if text[:1] in _QUOTE_OPEN:
        closing = min((i for i in (text.find(m, 1) for m in '»"”“') if i > 0), default=-1)
        if closing < len(text) / 2:
            return False  # a name in quotes opening a statement: «Рома» намерена…
        after = re.findall(r"[^\W\d_]+", text[closing + 1 :])
        return not after or (
            len(after) <= 3 and bool(_SPEAKER_PRONOUNS & {w.lower() for w in after})
        )
    return False


_NOT_PROSE = re.compile(
    r"(?ix)"
    r"\b\d{4}-\d{2}-\d{2}(?:[t\s]\d{2}:\d{2})"  # ISO timestamp
    r"|https?://|\bwww\.[\w-]+\.\w"  # URL
    r"|[\w-]+\.(?:png|jpe?g|gif|webp|svg|bmp)\b"  # image file name
    r"|(?:^|\s|·)(?:автор|author|авторы)\s*:"  # author line
    r"|\d{1,2}:\d{2}\s*·"  # page chrome: "3 декабря, 02:54 · …"
    r"|(?<![\w.])@[a-z_][\w]{2,}"  # @handle
    r"|^(?:[A-Z][\w'.-]*\s*){1,4}(?:reporter|correspondent)\b(?=\s*@|[A-Z])"  # byline
)


def is_not_prose(sentence: str) -> bool:
    return bool(_NOT_PROSE.search(sentence))


# -- the run ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    summaries: int = 0
    sentences: int = 0
    empty: int = 0
    cut: list[str] = field(default_factory=list)
    glued: list[str] = field(default_factory=list)
    leaning: list[str] = field(default_factory=list)
    not_prose: list[str] = field(default_factory=list)

    def add(self, summary: list[str], article: Article) -> None:
        shown = squeeze(article.text)
        self.summaries += 1
        self.sentences += len(summary)
        if not summary:
            self.empty += 1
            return
        if leans(summary[0]):
            self.leaning.append(summary[0])
        for sentence in summary:
            if is_cut(sentence, shown):
                self.cut.append(sentence)
            if is_glued(sentence):
                self.glued.append(sentence)
            if is_not_prose(sentence):
                self.not_prose.append(sentence)


_PUNKT = PunktSentenceTokenizer()


def lead3(article: Article) -> list[str]:
    """The first three sentences as a plain splitter gives them (razdel; Punkt for English)."""
    lines = [line for line in article.text.split("\n") if line.strip()]
    if article.language == "en":
        sentences = [s for line in lines for s in _PUNKT.tokenize(line)]
    else:
        sentences = [s.text for line in lines for s in sentenize(line)]
    return sentences[:SENTENCES]


def shipped(article: Article) -> list[str]:
    return summarize(
        article.text, language=article.language, sentences=SENTENCES, title=article.title
    )


def run(articles: Iterable[Article], summariser: Callable[[Article], list[str]]) -> Tally:
    tally = Tally()
    for article in articles:
        tally.add(summariser(article), article)
    return tally


def share(count: int, total: int) -> str:
    return f"{count:4d} ({100 * count / max(total, 1):5.1f}%)"


def main() -> None:
    arguments = sys.argv[1:]
    show = 0
    if "--show" in arguments:
        at = arguments.index("--show")
        show = int(arguments[at + 1])
        del arguments[at : at + 2]
    folder = Path(arguments[0]) if arguments else ROOT.parent / "shared" / "eval-data"
    articles = load(folder)
    by_source: dict[str, int] = {}
    for article in articles:
        by_source[article.source] = by_source.get(article.source, 0) + 1
    print("articles: " + ", ".join(f"{name} {count}" for name, count in by_source.items()))
    print(
        f"{'summariser':14} | {'summaries':>9} | {'sentences':>9} | {'cut':>12} | {'glued':>12} | "
        f"{'leans first':>12} | {'not prose':>12} | {'empty':>5} | s"
    )
    tallies: dict[str, Tally] = {}

    for label, summariser in (("lead-3", lead3), ("shipped", shipped)):
        started = time.perf_counter()
        tally = tallies[label] = run(articles, summariser)
        print(
            f"{label:14} | {tally.summaries:9d} | {tally.sentences:9d} | "
            f"{share(len(tally.cut), tally.sentences)} | {share(len(tally.glued), tally.sentences)} | "
            f"{share(len(tally.leaning), tally.summaries)} | "
            f"{share(len(tally.not_prose), tally.sentences)} | {tally.empty:5d} | "
            f"{time.perf_counter() - started:.1f}"
        )
    final = tallies["shipped"]
    empty = [a for a in articles if not shipped(a)] if show else []
    base = tallies["lead-3"]
    print("shipped against lead-3 (defects per sentence, leaning per summary; lower is better):")
    for name in ("cut", "glued", "leaning", "not_prose"):
        mine, theirs = len(getattr(final, name)), len(getattr(base, name))
        ratio = f"{mine / theirs:.2f}×" if theirs else "n/a"
        print(f"  {name:10} {mine:4d} vs {theirs:4d}  ({ratio})")
    leaning_share = len(final.leaning) / max(final.summaries, 1)
    met = (
        not final.cut and not final.glued and not final.not_prose and leaning_share <= LEANING_GOAL
    )
    print(f"goals (cut 0, glued 0, not prose 0, leans first <= 1%): {'met' if met else 'NOT met'}")
    if show:
        for name in ("cut", "glued", "leaning", "not_prose"):
            for sentence in getattr(final, name)[:show]:
                print(f"[{name}] {sentence[:300]}")
        for article in empty[:show]:
            print(f"[empty] {article.source}: {squeeze(article.text)[:300]}")


if __name__ == "__main__":
    main()
