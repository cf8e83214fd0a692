"""Models under test: a model's logits for the same texts are computed once."""

from __future__ import annotations

import numpy as np

from training.stages.evaluate import memoized


def test_memoized_scores_the_same_texts_once() -> None:
    calls: list[list[str]] = []

    def logits_of(texts: list[str]) -> dict[str, np.ndarray]:
        calls.append(texts)
        return {"head": np.arange(len(texts), dtype=np.float32)[:, None]}

    cached = memoized(logits_of)
    first = cached(["a", "b"])
    assert cached(["a", "b"]) is first and calls == [["a", "b"]]
    assert cached(["b"])["head"].tolist() == [[0.0]] and len(calls) == 2
