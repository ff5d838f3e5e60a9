"""Extraction quality and cost: the project's path against trafilatura alone, same pages.

    .venv/bin/python benchmarks/extraction.py [--pages DIR ...] [--rounds 15]

Pages: every `*.html` in tests/data/pages (and in each DIR given), read as bytes. A page
with a `.json` beside it (`url`, `paragraphs`, `noise`) is labelled.

- The project's path is what ingestion stores: `extract_article` (charset, one parse by
  trafilatura's loader, metadata, cleaning, language, hash).
- The baseline, measured in the same run on the same bytes: trafilatura alone,
  `bare_extraction(content, url=…, with_metadata=True)`.

Figures: pages that come back empty (goal: none where trafilatura has text); on labelled
pages, snippet recall (labelled paragraphs found whole in the text) and precision (lines
of the text that are labelled paragraphs), and noise kept (labelled furniture found in
the text); CPU per page (time.process_time), each round timing both paths over all pages
in alternating order, the median round reported, and the ratio to trafilatura (goal:
≤ 1.15).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from services.ingest.extract import extract_article  # noqa: E402

FIXTURES = ROOT / "tests" / "data" / "pages"


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    content: bytes
    url: str
    paragraphs: tuple[str, ...] | None
    noise: tuple[str, ...]


def load_pages(folders: list[Path]) -> list[Page]:
    pages = []
    for folder in folders:
        for path in sorted(folder.glob("*.html")):
            label = path.with_suffix(".json")
            meta = json.loads(label.read_text(encoding="utf-8")) if label.exists() else {}
            pages.append(
                Page(
                    name=path.stem,
                    content=path.read_bytes(),
                    url=meta.get("url", f"https://{path.stem}.example/"),
                    paragraphs=tuple(meta["paragraphs"]) if "paragraphs" in meta else None,
                    noise=tuple(meta.get("noise", ())),
                )
            )
    return pages


def project(page: Page) -> str:
    article = extract_article(page.content, url=page.url, content_type="text/html")
    return article.text if article else ""


def trafilatura_alone(page: Page) -> str:
    document = trafilatura.bare_extraction(page.content, url=page.url, with_metadata=True)
    return (document.text or "") if document is not None and not isinstance(document, dict) else ""


@dataclass
class Quality:
    empty: int = 0
    empty_where_other_has_text: int = 0
    found: int = 0
    labelled: int = 0
    lines_right: int = 0
    lines: int = 0
    noise_kept: int = 0
    noise: int = 0


def quality(pages: list[Page], texts: list[str], others: list[str]) -> Quality:
    q = Quality()
    for page, text, other in zip(pages, texts, others, strict=True):
        if not text.strip():
            q.empty += 1
            q.empty_where_other_has_text += bool(other.strip())
        if page.paragraphs is None:
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        q.labelled += len(page.paragraphs)
        q.found += sum(paragraph in lines for paragraph in page.paragraphs)
        q.lines += len(lines)
        q.lines_right += sum(line in page.paragraphs for line in lines)
        q.noise += len(page.noise)
        q.noise_kept += sum(noise in text for noise in page.noise)
    return q


def cpu_ms_per_page(
    pages: list[Page], paths: dict[str, Callable[[Page], str]], rounds: int
) -> dict[str, float]:
    """Median over rounds of CPU ms per page; the order of the paths alternates by round."""
    samples: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            began = time.process_time()
            for page in pages:
                paths[name](page)
            samples[name].append((time.process_time() - began) * 1000 / len(pages))
    return {name: statistics.median(values) for name, values in samples.items()}


def share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, action="append", default=[], help="more pages")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # trafilatura logs every page it finds nothing in

    pages = load_pages([FIXTURES, *args.pages])
    paths: dict[str, Callable[[Page], str]] = {
        "trafilatura alone": trafilatura_alone,
        "project (extract + clean)": project,
    }
    for page in pages:  # warm both stacks before the clock starts
        for path in paths.values():
            path(page)
    texts = {name: [path(page) for page in pages] for name, path in paths.items()}
    baseline = texts["trafilatura alone"]
    cpu = cpu_ms_per_page(pages, paths, args.rounds)

    labelled = sum(page.paragraphs is not None for page in pages)
    print(f"{len(pages)} pages ({labelled} labelled), {args.rounds} rounds, same run\n")
    header = f"{'path':<28}{'empty':>7}{'recall':>9}{'precision':>11}{'noise kept':>12}"
    print(header + f"{'CPU ms/page':>13}{'× trafilatura':>15}")
    for name, found in texts.items():
        q = quality(pages, found, baseline if name != "trafilatura alone" else found)
        print(
            f"{name:<28}{q.empty:>7}{share(q.found, q.labelled):>9}"
            f"{share(q.lines_right, q.lines):>11}{share(q.noise_kept, q.noise):>12}"
            f"{cpu[name]:>13.2f}{cpu[name] / cpu['trafilatura alone']:>15.2f}"
        )
    project_q = quality(pages, texts["project (extract + clean)"], baseline)
    print(
        f"\npages empty in the project's path where trafilatura alone has text: "
        f"{project_q.empty_where_other_has_text} (goal: 0)"
    )
    for page, text, other in zip(pages, texts["project (extract + clean)"], baseline, strict=True):
        if other.strip() and not text.strip():
            print(f"  empty: {page.name}")


if __name__ == "__main__":
    main()
