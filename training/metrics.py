"""Classification metrics and per-label threshold tuning (numpy only)."""

from __future__ import annotations

from typing import Any

import numpy as np

THRESHOLD_GRID = np.round(np.arange(0.02, 0.96, 0.01), 2)


def sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def f1_per_label(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    tp = (gold * pred).sum(axis=0)
    fp = ((1 - gold) * pred).sum(axis=0)
    fn = (gold * (1 - pred)).sum(axis=0)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-12), 0.0)


def micro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = float((gold * pred).sum())
    denom = 2 * tp + float(((1 - gold) * pred).sum()) + float((gold * (1 - pred)).sum())
    return 2 * tp / denom if denom else 0.0


def tune_thresholds(gold: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per-label threshold maximizing that label's F1 on the given (dev) split."""
    best = np.full(gold.shape[1], 0.5)
    best_f1 = np.full(gold.shape[1], -1.0)
    for t in THRESHOLD_GRID:
        f1 = f1_per_label(gold, (probs >= t).astype(np.float32))
        better = f1 > best_f1
        best[better], best_f1[better] = t, f1[better]
    return best


def multilabel_report(
    gold: np.ndarray, probs: np.ndarray, thresholds: np.ndarray | float, labels: list[str]
) -> dict[str, Any]:
    pred = (probs >= thresholds).astype(np.float32)
    per_label = f1_per_label(gold, pred)
    return {
        "macro_f1": round(float(per_label.mean()), 4),
        "micro_f1": round(micro_f1(gold, pred), 4),
        "per_label_f1": {label: round(float(v), 4) for label, v in zip(labels, per_label, strict=True)},
        "n": int(gold.shape[0]),
    }


def single_label_report(gold: np.ndarray, probs: np.ndarray, labels: list[str]) -> dict[str, Any]:
    g, p = gold.argmax(axis=1), probs.argmax(axis=1)
    one_hot = np.eye(len(labels), dtype=np.float32)
    per_label = f1_per_label(one_hot[g], one_hot[p])
    return {
        "accuracy": round(float((g == p).mean()), 4),
        "macro_f1": round(float(per_label.mean()), 4),
        "per_label_f1": {label: round(float(v), 4) for label, v in zip(labels, per_label, strict=True)},
        "confusion": confusion(g, p, len(labels)),
        "n": int(gold.shape[0]),
    }


def confusion(gold_idx: np.ndarray, pred_idx: np.ndarray, n: int) -> list[list[int]]:
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (gold_idx, pred_idx), 1)
    return matrix.tolist()


def top1_confusion(gold: np.ndarray, probs: np.ndarray) -> list[list[int]]:
    """Rows: a gold label of the text (its first), columns: the top-1 prediction."""
    return confusion(gold.argmax(axis=1), probs.argmax(axis=1), gold.shape[1])
