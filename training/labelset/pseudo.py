"""Pseudo-labels: the teacher labels the domain texts, the confident ones become the student's
training table (CSV/JSONL `table` data of the training job), with held-out dev and test slices."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.labelset.spec import LabelSet, LabelSetError


@dataclass(frozen=True)
class PseudoLabels:
    texts: list[str]
    labels: list[list[int]]  # label indices per kept text
    confidence: list[float]
    seen: int  # domain texts the teacher read


def select_confident(texts: list[str], probs: np.ndarray, multi_label: bool, keep_share: float,
                     min_per_label: int) -> PseudoLabels:
    """Per predicted (top) label, its most confident `keep_share` of texts: keeping a share per label
    rather than one global cut keeps rare labels in the student's data. A label that is the top
    label of fewer than `min_per_label` texts also gets its highest-scoring other texts, so no label
    is left without training data (a weak teacher, e.g. zero-shot, rarely ranks some labels first)."""
    top = probs.argmax(axis=1)
    for label in range(probs.shape[1]):
        if (top == label).sum() < min_per_label:
            others = np.flatnonzero(top != label)
            top[others[np.argsort(-probs[others, label], kind="stable")[:min_per_label]]] = label
    if multi_label:
        over = [set(np.flatnonzero(row >= 0.5).tolist()) for row in probs]
        chosen = [sorted(labels | {int(t)}) for labels, t in zip(over, top, strict=True)]
        confidence = np.abs(2 * probs - 1).mean(axis=1)
    else:
        chosen = [[int(t)] for t in top]
        confidence = probs[np.arange(len(top)), top]
    kept: list[int] = []
    for label in range(probs.shape[1]):
        members = np.flatnonzero(top == label)
        if len(members):
            order = members[np.argsort(-confidence[members], kind="stable")]
            kept.extend(order[: max(1, round(len(members) * keep_share))].tolist())
    kept.sort()
    return PseudoLabels([texts[i] for i in kept], [chosen[i] for i in kept],
                        [round(float(confidence[i]), 4) for i in kept], len(texts))


@dataclass(frozen=True)
class TableFiles:
    train: Path
    dev: Path
    test: Path

    def as_config(self) -> dict[str, str]:
        return {"train": str(self.train), "dev": str(self.dev), "test": str(self.test)}


def _write(path: Path, rows: Sequence[Mapping[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def split_table(labelset: LabelSet, pseudo: PseudoLabels, dev_share: float, test_share: float, seed: int,
                files: TableFiles) -> dict[str, int]:
    """Write the train/dev/test tables: the held-out slices are taken per top label (each label keeps
    at least one pseudo-labelled text in train); the user's examples are training texts only."""
    names = labelset.label_names
    by_label: dict[int, list[int]] = {}
    for i, labels in enumerate(pseudo.labels):
        by_label.setdefault(labels[0], []).append(i)
    missing = [names[i] for i in range(len(names)) if i not in by_label and not labelset.labels[i].examples]
    if missing:
        raise LabelSetError(f"labels {missing} got no confident domain text and have no examples: add examples "
                            "or domain texts of them, or sharpen their descriptions")
    rng = random.Random(seed)
    parts: dict[str, list[int]] = {"train": [], "dev": [], "test": []}
    for members in by_label.values():
        rng.shuffle(members)
        n_dev, n_test = round(len(members) * dev_share), round(len(members) * test_share)
        n_dev, n_test = min(n_dev, max(0, len(members) - 1)), min(n_test, max(0, len(members) - 1 - n_dev))
        parts["dev"] += members[:n_dev]
        parts["test"] += members[n_dev:n_dev + n_test]
        parts["train"] += members[n_dev + n_test:]
    rows = {split: [{"id": f"domain-{i}", "text": pseudo.texts[i], "labels": [names[j] for j in pseudo.labels[i]]}
                    for i in sorted(index)] for split, index in parts.items()}
    held_out = {row["text"] for split in ("dev", "test") for row in rows[split]}
    # Without domain texts the examples are the domain: one held out is not trained on as well.
    rows["train"] += [{"id": f"example-{n}", "text": text, "labels": [names[i]]}
                      for n, (text, i) in enumerate(labelset.examples()) if text not in held_out]
    for split in ("dev", "test"):
        if not rows[split]:
            raise LabelSetError(f"too few confident domain texts for a {split} slice ({len(pseudo.texts)} kept of "
                                f"{pseudo.seen}): give more domain texts")
    for split, path in files.as_config().items():
        _write(Path(path), rows[split])
    return {split: len(r) for split, r in rows.items()}
