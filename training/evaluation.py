"""From logits to scores, dev-tuned thresholds and per-head reports (numpy only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from training.data import Head, Split
from training.metrics import multilabel_report, sigmoid, single_label_report, softmax, tune_thresholds


def scores(logits: np.ndarray, head: Head) -> np.ndarray:
    return softmax(logits) if head.kind == "single" else sigmoid(logits)


def evaluate(
    logits: dict[str, np.ndarray], split: Split, heads: dict[str, Head], thresholds: dict[str, np.ndarray] | None
) -> dict[str, Any]:
    """Reports per head; multi-label heads at 0.5 and at the given (dev-tuned) thresholds."""
    report: dict[str, Any] = {}
    for name, head in heads.items():
        probs = scores(logits[name], head)
        gold = split.targets[name]
        if head.kind == "single":
            report[name] = single_label_report(gold, probs, head.labels)
            continue
        tuned = thresholds[name] if thresholds else tune_thresholds(gold, probs)
        entry = multilabel_report(gold, probs, tuned, head.labels)
        entry["at_0.5"] = {
            k: v for k, v in multilabel_report(gold, probs, 0.5, head.labels).items() if k != "per_label_f1"
        }
        report[name] = entry
    return report


def selection_score(report: dict[str, Any]) -> float:
    """Mean over heads of macro-F1 (multi-label, tuned) or accuracy (single-label)."""
    values = [r.get("accuracy", r["macro_f1"]) for r in report.values()]
    return float(np.mean(values))


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """A report without its per-label and confusion tables: what a training history keeps per epoch."""
    return {h: {k: v for k, v in r.items() if k not in ("per_label_f1", "confusion")} for h, r in report.items()}


def macro_f1s(report: dict[str, Any]) -> dict[str, float | None]:
    return {h: r.get("macro_f1") for h, r in report.items()}


def tuned_thresholds(logits: dict[str, np.ndarray], split: Split, heads: dict[str, Head]) -> dict[str, np.ndarray]:
    return {
        name: (
            np.zeros(len(h.labels))
            if h.kind == "single"
            else tune_thresholds(split.targets[name], sigmoid(logits[name]))
        )
        for name, h in heads.items()
    }


def decision_agreement(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], thresholds: dict[str, np.ndarray], heads: dict[str, Head]
) -> float:
    """Share of decisions two models make the same, over all heads: per (text, label) for
    multi-label heads, per text (the top class) for single-label heads."""
    same = total = 0
    for name, th in thresholds.items():
        if heads[name].kind == "single":
            da, db = a[name].argmax(axis=1), b[name].argmax(axis=1)
        else:
            da, db = sigmoid(a[name]) >= th, sigmoid(b[name]) >= th
        same += int((da == db).sum())
        total += da.size
    return same / total
