"""The texts every configuration reads: the GoEmotions test split (and dev, for threshold tuning).

Written once to a JSON file that each measured child process reads, so children never load the
dataset code and their peak RSS is the model's, not the benchmark's. Without the dataset (CI),
a small synthetic labelled set built from the tiny test bundle's vocabulary stands in.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

SYNTHETIC_SOURCE = "synthetic stand-in (GoEmotions folder absent): texts built from devtools/tiny_bundle.py words"


def _split_dict(texts: list[str], targets: dict[str, Any], limit: int | None) -> dict[str, Any]:
    n = len(texts) if limit is None else min(limit, len(texts))
    return {"texts": texts[:n],
            "gold": {head: [[int(i) for i in row.nonzero()[0]] for row in matrix[:n]]
                     for head, matrix in targets.items()}}


def load_goemotions(path: Path, test_limit: int | None, dev_limit: int | None) -> dict[str, Any]:
    from training.config import DataConfig
    from training.data import load_dataset

    dataset = load_dataset(DataConfig(kind="goemotions", path=str(path)))
    test, dev = dataset.splits["test"], dataset.splits["dev"]
    return {
        "source": f"GoEmotions test split ({path})",
        "heads": {name: list(head.labels) for name, head in dataset.heads.items()},
        "test_size": len(test),
        "test": _split_dict(test.texts, test.targets, test_limit),
        "dev": _split_dict(dev.texts, dev.targets, dev_limit),
    }


def synthetic(n_test: int, n_dev: int, seed: int = 13) -> dict[str, Any]:
    from devtools.tiny_bundle import EKMAN_LABELS, EKMAN_OF, EMOTION_WORDS, FINE_LABELS, SENTIMENT_LABELS, SENTIMENT_OF

    rng = random.Random(seed)
    fillers = ["i am so", "today i feel", "this is", "we were really", "my day was"]
    words = sorted(EMOTION_WORDS)

    def group_of(groups: dict[str, list[str]], fine: str) -> str:
        return next(name for name, members in groups.items() if fine in members)

    def make(n: int) -> dict[str, Any]:
        texts: list[str] = []
        gold: dict[str, list[list[int]]] = {"fine": [], "ekman": [], "sentiment": []}
        for i in range(n):
            if i % 7 == 6:
                texts.append("the dog was at the table")
                fine = "neutral"
            else:
                word = rng.choice(words)
                texts.append(f"{rng.choice(fillers)} {word}")
                fine = EMOTION_WORDS[word]
            gold["fine"].append([FINE_LABELS.index(fine)])
            gold["ekman"].append([EKMAN_LABELS.index(group_of(EKMAN_OF, fine))])
            gold["sentiment"].append([SENTIMENT_LABELS.index(group_of(SENTIMENT_OF, fine))])
        return {"texts": texts, "gold": gold}

    return {"source": SYNTHETIC_SOURCE,
            "heads": {"fine": list(FINE_LABELS), "ekman": list(EKMAN_LABELS), "sentiment": list(SENTIMENT_LABELS)},
            "test_size": n_test, "test": make(n_test), "dev": make(n_dev)}


def eval_set(path: Path, test_limit: int | None, dev_limit: int | None) -> dict[str, Any]:
    if (path / "original" / "test.tsv").is_file():
        return load_goemotions(path, test_limit, dev_limit)
    return synthetic(test_limit or 200, dev_limit or 200)
