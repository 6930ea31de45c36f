"""Train the learned reader and write its weights (``python -m training.train``).

scikit-learn (the ``test`` extra) fits, on the **training split** of ``evals/understanding/``:

- ``intent`` and ``route`` over requests;
- one model per reply group (:data:`okx_auth_graph.reading.learned.GROUPS`): ``wait``, ``yes_no``,
  ``fix``, ``clarify``, ``site``.

Each is a TF-IDF over :func:`okx_auth_graph.reading.learned.features` (character n-grams 1-4 inside
word boundaries, and words) and a multinomial logistic regression. Cross-validation over the
training *families* (``GroupKFold``: a fold's phrasing families are never in its training
part) gives out-of-fold scores, on which

- one temperature per model is fitted (least negative log-likelihood): the calibration;
- the confidence threshold is chosen: the lowest at which the out-of-fold readings it lets
  through are right at least :data:`PRECISION` of the time (the rules play no part, so a
  change to the rules does not change the shipped reader).

The final models are fitted on the whole training split and written as JSON (no pickle) with
their temperature and threshold. Deterministic: the same corpora write the same predictions.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from okx_auth_graph.evals.reading_scores import Example, Read, load_corpus
from okx_auth_graph.reading.learned import (
    GROUPS,
    WEIGHTS,
    Prediction,
    features,
    needs_confirmation,
)
from okx_auth_graph.reading.rules import (
    QUESTION_LABELS,
    RequestReading,
)
from training.corpus import BLIND

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "evals" / "understanding"
OUT = ROOT / "okx_auth_graph" / "reading" / WEIGHTS
C = 32.0
"""Inverse regularisation strength (with balanced class weights: the best out-of-fold accuracy
of intent and route over C in 2, 8, 32, class weights none or balanced, min_df 1 or 2)."""
MIN_DF = 2
FOLDS = 5
PRECISION = 0.95
"""Out of fold, the learned reader's confident readings are right at least this often."""
THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # 0.30 … 0.95
SCALE = 1e-5
"""Coefficients are written as integers in units of SCALE (compact JSON)."""


def training_files(directory: Path = CORPORA, kind: str = "requests") -> list[Path]:
    """The files the reader learns from.

    The training split (``KIND.train.tsv``), the blind training corpora
    (``train2/KIND.train2.tsv``, …) and the development set (``fresh/``); never the test split,
    the regression set or a held-out corpus.
    """
    folders = [directory, *(directory / name for name in BLIND), directory / "fresh"]
    return [
        path
        for folder in folders
        for path in sorted(folder.glob(f"{kind}.*.tsv"))
        if path.name.split(".")[1] in ("train", *BLIND, "fresh")
    ]


def training_examples(directory: Path = CORPORA) -> tuple[list[Example], list[Example]]:
    """The request and reply lines the reader learns from (:func:`training_files`)."""
    requests = [e for path in training_files(directory, "requests") for e in load_corpus(path)]
    replies = [e for path in training_files(directory, "replies") for e in load_corpus(path)]
    return requests, replies


def family_of(example: Example) -> str:
    """The cross-validation group: the family; old lines without one, their label."""
    if example.family.startswith("v1-") or not example.family:
        return f"{example.family}|{example.label}"
    return example.family


def reply_class(example: Example) -> str:
    """The class a reply model learns for a line (a site or a clarifying option: no value)."""
    label = example.label
    if label.startswith("site:") or (
        GROUPS[example.question] == "clarify" and label.startswith("option:")
    ):
        return label.split(":")[0]
    return label


def _vectorizer() -> TfidfVectorizer:
    # scikit-learn (with SciPy: ~1.5 CPU-s to import) is imported where it fits, not with the
    # module: the tests of choose_threshold & co. import this module and fit nothing.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=features, min_df=MIN_DF, lowercase=False, dtype=np.float64)


def _fit(texts: Sequence[str], labels: Sequence[str]) -> tuple[TfidfVectorizer, Any]:
    from sklearn.linear_model import LogisticRegression

    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(
        C=C, solver="newton-cg", max_iter=1000, tol=1e-8, class_weight="balanced"
    )
    model.fit(matrix, labels)
    return vectorizer, model


def _logits(model: Any, matrix: Any) -> Any:
    scores = model.decision_function(matrix)
    if scores.ndim == 1:  # two classes: scikit-learn keeps one score column
        scores = np.column_stack([np.zeros_like(scores), scores])
    return scores


def out_of_fold(
    texts: Sequence[str], labels: Sequence[str], groups: Sequence[str], classes: list[str]
) -> Any:
    """Out-of-fold logits (rows: lines, columns: ``classes``) over the training families."""
    from sklearn.model_selection import GroupKFold

    logits = np.full((len(texts), len(classes)), -1e9)
    folds = GroupKFold(n_splits=min(FOLDS, len(set(groups))))
    for train, held in folds.split(texts, labels, groups):
        train_labels = [labels[i] for i in train]
        if len(set(train_labels)) < 2:
            continue
        vectorizer, model = _fit([texts[i] for i in train], train_labels)
        scores = _logits(model, vectorizer.transform([texts[i] for i in held]))
        for column, label in enumerate(model.classes_):
            logits[held, classes.index(label)] = scores[:, column]
    return logits


def fit_temperature(logits: Any, labels: Sequence[str], classes: list[str]) -> float:
    """The temperature that minimises the negative log-likelihood of the out-of-fold logits."""
    target = np.array([classes.index(label) for label in labels])
    rows = np.arange(len(target))
    seen = logits[rows, target] > -1e8  # a line whose class its fold never saw says nothing
    best, best_nll = 1.0, math.inf
    for temperature in np.exp(np.linspace(math.log(0.05), math.log(20.0), 600)):
        scaled = logits / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = -log_probs[rows[seen], target[seen]].mean()
        if nll < best_nll:
            best, best_nll = float(temperature), float(nll)
    return best


def top_classes(
    logits: Any,
    temperature: float,
    classes: list[str],
    allowed: Sequence[frozenset[str] | None],
) -> list[tuple[str, float] | None]:
    """Per line, the best allowed class and its calibrated probability (as the package does)."""
    out: list[tuple[str, float] | None] = []
    for row, permitted in zip(logits, allowed, strict=True):
        pairs = [
            (label, value / temperature)
            for label, value in zip(classes, row, strict=True)
            if value > -1e8 and (permitted is None or label in permitted)
        ]
        if not pairs:
            out.append(None)
            continue
        top = max(v for _, v in pairs)
        exps = [(label, math.exp(v - top)) for label, v in pairs]
        total = sum(e for _, e in exps)
        label, e = max(exps, key=lambda pair: pair[1])
        out.append((label, e / total))
    return out


def at(top: tuple[str, float] | None, threshold: float) -> Prediction | None:
    """The prediction ``top`` makes at ``threshold``."""
    return None if top is None else Prediction(top[0], top[1], top[1] >= threshold)


NO_DECISION: Final = frozenset({"unclear", "-", "request"})
"""Readings that decide nothing (no intent, no route, a reply read anew as a request): the
threshold is chosen on the precision of the readings that do decide something."""


def choose_threshold(
    tops: Sequence[tuple[str, float] | None], labels: Sequence[str]
) -> tuple[float, dict[str, float]]:
    """The threshold of one model, and what it lets through out of fold.

    The lowest threshold at which the out-of-fold readings it lets through that decide
    something (not one of :data:`NO_DECISION`) are right at least :data:`PRECISION` of the
    time (the highest of the grid when none is).
    """

    def passed_at(threshold: float) -> list[bool]:
        return [
            top[0] == label
            for top, label in zip(tops, labels, strict=True)
            if top is not None and top[1] >= threshold and top[0] not in NO_DECISION
        ]

    chosen = THRESHOLDS[-1]
    for threshold in THRESHOLDS:
        passed = passed_at(threshold)
        if passed and sum(passed) / len(passed) >= PRECISION:
            chosen = threshold
            break
    passed = passed_at(chosen)
    return chosen, {
        "out_of_fold_lines": float(len(labels)),
        "out_of_fold_decided": round(len(passed) / len(labels), 4),
        "out_of_fold_precision": round(sum(passed) / len(passed), 4) if passed else 0.0,
    }


def export(
    vectorizer: TfidfVectorizer, model: Any, temperature: float, threshold: float
) -> dict[str, Any]:
    """One model as plain JSON data."""
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    coefficients = model.coef_
    intercepts = model.intercept_
    if coefficients.shape[0] == 1:
        coefficients = np.vstack([np.zeros_like(coefficients[0]), coefficients[0]])
        intercepts = np.array([0.0, intercepts[0]])
    return {
        "classes": [str(c) for c in model.classes_],
        "temperature": round(temperature, 6),
        "threshold": threshold,
        "scale": SCALE,
        "vocabulary": vocabulary,
        "idf": [round(float(v), 6) for v in vectorizer.idf_],
        "coefficients": [[round(float(v) / SCALE) for v in row] for row in coefficients],
        "intercepts": [round(float(v), 6) for v in intercepts],
    }


def train(
    directory: Path = CORPORA, *, log: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """The reader's JSON data, trained on the training split under ``directory``."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: threads fighting over 2 cores ran 15x slower
        return _train(directory, log)


def _train(directory: Path, log: Callable[[str], None]) -> dict[str, Any]:
    requests, replies = training_examples(directory)
    models: dict[str, Any] = {}
    metrics: dict[str, Any] = {}

    texts = [e.text for e in requests]
    groups = [family_of(e) for e in requests]
    request_logits = {}
    for name, labels in (
        ("intent", [e.label.split("/")[0] for e in requests]),
        ("route", [e.label.split("/")[1] for e in requests]),
    ):
        classes = sorted(set(labels))
        logits = out_of_fold(texts, labels, groups, classes)
        temperature = fit_temperature(logits, labels, classes)
        request_logits[name] = (logits, temperature, classes)
        log(f"{name}: {len(classes)} classes, temperature {temperature:.3f}")
    everything: list[frozenset[str] | None] = [None] * len(requests)
    chosen = {}
    for name, (logits, temperature, classes) in request_logits.items():
        labels = [e.label.split("/")[0 if name == "intent" else 1] for e in requests]
        tops = top_classes(logits, temperature, classes, everything)
        chosen[name], metrics[name] = choose_threshold(tops, labels)
        log(f"{name}: threshold {chosen[name]} ({metrics[name]})")
    for name in ("intent", "route"):
        labels = [e.label.split("/")[0 if name == "intent" else 1] for e in requests]
        vectorizer, model = _fit(texts, labels)
        models[name] = export(vectorizer, model, request_logits[name][1], chosen[name])

    for group in sorted(set(GROUPS.values())):
        examples = [e for e in replies if GROUPS.get(e.question) == group]
        texts = [e.text for e in examples]
        labels = [reply_class(e) for e in examples]
        groups = [family_of(e) for e in examples]
        classes = sorted(set(labels))
        logits = out_of_fold(texts, labels, groups, classes)
        temperature = fit_temperature(logits, labels, classes)
        permitted: list[frozenset[str] | None] = [
            frozenset(c for c in classes if c.split(":")[0] in QUESTION_LABELS[e.question])
            for e in examples
        ]
        tops = top_classes(logits, temperature, classes, permitted)
        threshold, metrics[group] = choose_threshold(tops, labels)
        log(
            f"{group}: {len(classes)} classes, temperature {temperature:.3f}, threshold {threshold}"
        )
        vectorizer, model = _fit(texts, labels)
        models[group] = export(vectorizer, model, temperature, threshold)
    return {
        "format": 1,
        "trained_on": [
            str(path.relative_to(directory))
            for kind in ("requests", "replies")
            for path in training_files(directory, kind)
        ],
        "features": "char n-grams 1-4 inside word boundaries + words (okx_auth_graph.reading.learned.features)",
        "calibration": "temperature scaling on out-of-fold logits (GroupKFold by family)",
        "threshold_rule": f"lowest with out-of-fold precision >= {PRECISION} (GroupKFold by family)",
        "hyperparameters": {"C": C, "min_df": MIN_DF, "folds": FOLDS, "class_weight": "balanced"},
        "cross_validation": metrics,
        "models": models,
    }


def _options(question: str) -> int:
    return 4 if question == "clarify_request" else 2


def _request_read(reading: RequestReading) -> Read:
    return Read(f"{reading.intent}/{reading.route or '-'}", needs_confirmation(reading))


def dumps(data: dict[str, Any]) -> str:
    """The JSON text written to the package (one model key per line group, compact numbers)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Train and write the weights."""
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__)
    parser.add_argument("--dir", type=Path, default=CORPORA, help="the corpora")
    parser.add_argument("--out", type=Path, default=OUT, help="the JSON to write")
    args = parser.parse_args(argv)
    data = train(args.dir, log=print)
    args.out.write_text(dumps(data), encoding="utf-8")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
