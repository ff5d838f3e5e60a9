"""Summary speed, and whether the event loop stays responsive while summaries are made.

    .venv/bin/python benchmarks/summary_speed.py [EVAL_DIR]   (default: ../shared/eval-data)

1. Milliseconds per article (median, p95) for articles of about 300, 1,000 and 5,000
   words, Russian and English, built from the evaluation texts. The baseline, measured in
   the same run, is sumy's LexRank as it comes (PlaintextParser, our tokenizers); ratios
   are against it. Goal: the default ranking at most 30 ms median for 1,000 words.
2. Growth: time per article against its number of sentences, so that a cost worse than
   quadratic (or not capped) shows.
3. The event loop while 200 articles are summarised through `Summarizer`: with a thread
   pool and with a process pool, how late a 5 ms timer fires (p95 and worst) and how long
   the batch takes. Handlers answer only as fast as that timer.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from summary_quality import html_paragraphs  # noqa: E402
from sumy.parsers.plaintext import PlaintextParser  # noqa: E402
from sumy.summarizers.lex_rank import LexRankSummarizer  # noqa: E402

from services.summary.summarizer import Summarizer, summarize  # noqa: E402
from services.text.stemmers import stemmer_for  # noqa: E402
from services.text.stopwords import stop_words  # noqa: E402
from services.text.tokenizers import tokenizer_for  # noqa: E402

SIZES = (300, 1000, 5000)
ARTICLES_PER_SIZE = 15
LOOP_ARTICLES = 200
TICK = 0.005


def corpus(folder: Path) -> dict[str, list[str]]:
    with (
        (folder / "ria_20.jsonl").open(encoding="utf-8") as ria,
        (folder / "cnn_dailymail_100.jsonl").open(encoding="utf-8") as cnn,
    ):
        return {
            "ru": [html_paragraphs(row["text"]) for row in map(json.loads, ria)],
            "en": [row["text"] for row in map(json.loads, cnn)],
        }


def articles_of(texts: list[str], words: int, count: int) -> list[str]:
    """`count` articles of about `words` words: paragraphs of consecutive texts, in turn."""
    paragraphs = [p for text in texts for p in text.split("\n") if p.strip()]
    result: list[str] = []
    start = 0
    for _ in range(count):
        taken: list[str] = []
        size = 0
        while size < words:
            paragraph = paragraphs[start % len(paragraphs)]
            start += 1
            taken.append(paragraph)
            size += len(paragraph.split())
        result.append("\n\n".join(taken))
    return result


def vanilla_lexrank(language: str) -> Callable[[str], object]:
    summarizer = LexRankSummarizer(stemmer_for(language))
    summarizer.stop_words = stop_words(language)
    tokenizer = tokenizer_for(language)

    def run(text: str) -> object:
        parser = PlaintextParser.from_string(text, tokenizer)
        return summarizer(parser.document, 3)

    return run


def timings(run: Callable[[str], object], texts: list[str]) -> list[float]:
    run(texts[0])  # caches and imports warm
    result = []
    for text in texts:
        started = time.perf_counter()
        run(text)
        result.append((time.perf_counter() - started) * 1000)
    return result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def per_article(data: dict[str, list[str]]) -> None:
    print("1. ms per article: median / p95 (ratio of medians to vanilla LexRank)")
    methods: dict[str, Callable[[str], Callable[[str], object]]] = {
        "vanilla lexrank (baseline)": vanilla_lexrank,
        "project news (default)": lambda lang: lambda t: summarize(t, language=lang),
        "project lead": lambda lang: lambda t: summarize(t, language=lang, algorithm="lead"),
        "project lexrank": lambda lang: lambda t: summarize(t, language=lang, algorithm="lexrank"),
    }
    for language, texts in data.items():
        for words in SIZES:
            sample = articles_of(texts, words, ARTICLES_PER_SIZE)
            baseline = 0.0
            for label, make in methods.items():
                values = timings(make(language), sample)
                median = statistics.median(values)
                baseline = baseline or median
                print(
                    f"  {language} {words:>5} words  {label:28} {median:8.1f} / {p95(values):8.1f}"
                    f"  x{median / baseline:5.2f}"
                )


def growth(data: dict[str, list[str]]) -> None:
    print("2. growth with length (default ranking, en): sentences -> median ms, ms per sentence²")
    tokenizer = tokenizer_for("en")
    for words in (250, 500, 1000, 2000, 4000, 8000):
        sample = articles_of(data["en"], words, 5)
        sentences = statistics.median(
            sum(len(tokenizer.to_sentences(p)) for p in text.split("\n")) for text in sample
        )
        median = statistics.median(timings(lambda t: summarize(t, language="en"), sample))
        print(
            f"  {words:>5} words  {sentences:6.0f} sentences  {median:8.1f} ms"
            f"  {1000 * median / max(sentences, 1) ** 2:8.3f} µs/sentence²"
        )


async def loop_lag(pool: str, texts: list[str]) -> tuple[float, float, float]:
    lags: list[float] = []
    async with Summarizer(pool=pool) as summarizer:  # type: ignore[arg-type]
        await asyncio.gather(*(summarizer.summarize(t, language="en") for t in texts[:4]))
        started = time.perf_counter()
        work = asyncio.gather(*(summarizer.summarize(t, language="en") for t in texts))
        while not work.done():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append((time.perf_counter() - before - TICK) * 1000)
        await work
        elapsed = time.perf_counter() - started
    return p95(lags), max(lags), elapsed


def responsiveness(data: dict[str, list[str]]) -> None:
    texts = articles_of(data["en"], 1000, LOOP_ARTICLES)
    print(f"3. event loop while {LOOP_ARTICLES} articles of 1,000 words are summarised")
    for pool in ("thread", "process"):
        lag95, worst, elapsed = asyncio.run(loop_lag(pool, texts))
        print(
            f"  {pool:7} pool: timer late by p95 {lag95:6.1f} ms, worst {worst:6.1f} ms;"
            f" batch {elapsed:5.1f} s"
        )


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "eval-data"
    data = corpus(folder)
    per_article(data)
    growth(data)
    responsiveness(data)


if __name__ == "__main__":
    main()
