"""Summary quality: ROUGE-1/2/L F1 of every summariser on the shared evaluation sets.

    .venv/bin/python benchmarks/summary_quality.py [EVAL_DIR]   (default: ../shared/eval-data)

- ria_20.jsonl: Russian news (HTML paragraphs, lower-cased), one sentence against the
  headline. The headline is the reference, so it is never passed as the title.
- cnn_dailymail_100.jsonl: English news, three sentences against the highlights joined.

Rows, side by side on both sets:
- lead-N and every sumy algorithm as they come ("vanilla"): sumy's PlaintextParser and
  summarizers with our offline tokenizers, stemmers and stop words, nothing else;
- the greedy oracle: the sentences (of the same split) that maximise ROUGE-1 + ROUGE-2
  against the reference, added one by one: a ceiling for any extractive summary;
- the project's service, `services.summarize.summarize`, with each algorithm: sentence
  hygiene plus that ranking. "news" is the default.

ROUGE is computed by benchmarks/rouge.py (razdel tokens, lower-cased, punctuation out).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import lxml.html  # noqa: E402
from rouge import Rouge, mean, rouge  # noqa: E402
from sumy.parsers.plaintext import PlaintextParser  # noqa: E402

from services.summary.summarizer import ALGORITHMS, DEFAULT_ALGORITHM, _build_sumy, summarize  # noqa: E402
from services.text.tokenizers import tokenizer_for  # noqa: E402

VANILLA = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "edmundson")
GOALS = {"ria": 33.5, "cnn": 36.0}


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    reference: str
    language: str
    sentences: int


def html_paragraphs(fragment: str) -> str:
    """The text of each <p> of an HTML fragment, paragraphs separated by a blank line."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    paragraphs = (p.text_content().strip() for p in root.iter("p"))
    return "\n\n".join(p for p in paragraphs if p)


def load(folder: Path) -> dict[str, list[Document]]:
    with (
        (folder / "ria_20.jsonl").open(encoding="utf-8") as ria,
        (folder / "cnn_dailymail_100.jsonl").open(encoding="utf-8") as cnn,
    ):
        return {
            "ria": [
                Document(html_paragraphs(row["text"]), row["title"], "ru", 1)
                for row in map(json.loads, ria)
            ],
            "cnn": [
                Document(row["text"], " ".join(row["highlights"]), "en", 3)
                for row in map(json.loads, cnn)
            ],
        }


def raw_sentences(doc: Document) -> list[str]:
    parser = PlaintextParser.from_string(doc.text, tokenizer_for(doc.language))
    return [str(sentence) for sentence in parser.document.sentences]


def vanilla(algorithm: str) -> Callable[[Document], list[str]]:
    def run(doc: Document) -> list[str]:
        parser = PlaintextParser.from_string(doc.text, tokenizer_for(doc.language))
        summarizer = _build_sumy(algorithm, doc.language, parser.document)
        return [str(s) for s in summarizer(parser.document, doc.sentences)]

    return run


def lead(doc: Document) -> list[str]:
    return raw_sentences(doc)[: doc.sentences]


def oracle(doc: Document) -> list[str]:
    sentences = raw_sentences(doc)
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < doc.sentences:
        pick = None
        for index in range(len(sentences)):
            if index in chosen:
                continue
            trial = " ".join(sentences[i] for i in sorted([*chosen, index]))
            score = rouge(trial, doc.reference)
            if score.r1 + score.r2 > best:
                best, pick = score.r1 + score.r2, index
        if pick is None:
            break
        chosen.append(pick)
    return [sentences[i] for i in sorted(chosen)]


def project(algorithm: str) -> Callable[[Document], list[str]]:
    def run(doc: Document) -> list[str]:
        return summarize(
            doc.text, language=doc.language, sentences=doc.sentences, algorithm=algorithm
        )

    return run


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "eval-data"
    data = load(folder)
    rows: list[tuple[str, Callable[[Document], list[str]]]] = [
        ("vanilla lead-N", lead),
        *((f"vanilla {name}", vanilla(name)) for name in VANILLA),
        ("greedy oracle", oracle),
        *((f"project {name}", project(name)) for name in ALGORITHMS if name != DEFAULT_ALGORITHM),
        (f"project {DEFAULT_ALGORITHM} (default)", project(DEFAULT_ALGORITHM)),
    ]
    sizes = ", ".join(f"{name} {len(docs)} docs" for name, docs in data.items())
    print(f"ROUGE F1 (%), razdel tokens lower-cased; {sizes}")
    print(f"{'':28} | {'ria_20 (1 sent.)':^20} | {'cnn_100 (3 sent.)':^20} |")
    print(f"{'summariser':28} | {'R1':>6} {'R2':>6} {'RL':>6} | {'R1':>6} {'R2':>6} {'RL':>6} | s")
    results: dict[str, dict[str, Rouge]] = {}
    for label, run in rows:
        started = time.perf_counter()
        results[label] = {
            name: mean(rouge(" ".join(run(doc)), doc.reference) for doc in docs)
            for name, docs in data.items()
        }
        cells = " | ".join(f"{r.r1:6.1f} {r.r2:6.1f} {r.rl:6.1f}" for r in results[label].values())
        print(f"{label:28} | {cells} | {time.perf_counter() - started:.1f}")
    default = results[f"project {DEFAULT_ALGORITHM} (default)"]
    rivals = [label for label in results if label.startswith("vanilla")]
    for name, goal in GOALS.items():
        beats = all(
            default[name].r1 > results[r][name].r1 and default[name].rl > results[r][name].rl
            for r in rivals
        )
        print(
            f"{name}: default R1 {default[name].r1:.1f} (goal >= {goal}: "
            f"{'met' if default[name].r1 >= goal else 'NOT met'}); beats lead-N and every "
            f"vanilla algorithm in R1 and RL: {'yes' if beats else 'NO'}"
        )


if __name__ == "__main__":
    main()
