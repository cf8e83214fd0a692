from __future__ import annotations

import numpy as np
import torch

from training.data import Head
from training.train import TrainSet, _loss, bucketed_batches, positive_weights


def test_positive_weights_favour_rare_labels_and_respect_the_cap() -> None:
    gold = np.zeros((1000, 3), np.float32)
    gold[:500, 0] = 1  # common
    gold[:10, 1] = 1  # rare
    gold[:1, 2] = 1  # very rare: capped
    train = TrainSet([[1]] * 1000, {"fine": gold}, np.ones(1000, dtype=bool))
    weights = positive_weights(train, {"fine": Head(["a", "b", "c"])}, power=0.5, cap=20.0)["fine"]
    assert weights[0] == 1.0
    assert torch.isclose(weights[1], torch.tensor(99.0**0.5))
    assert weights[2] == 20.0
    assert positive_weights(train, {"fine": Head(["a", "b", "c"])}, power=0.0, cap=20.0) == {}


def test_pos_weight_raises_the_loss_of_missed_rare_positives() -> None:
    heads = {"fine": Head(["a", "b"])}
    logits = {"fine": torch.tensor([[0.0, -3.0]])}
    gold = {"fine": torch.tensor([[1.0, 1.0]])}
    has_gold = torch.tensor([True])
    plain = _loss(logits, gold, has_gold, None, heads, None)
    weighted = _loss(logits, gold, has_gold, None, heads, None, {"fine": torch.tensor([1.0, 10.0])})
    assert weighted > 5 * plain


def test_bucketed_batches_cover_every_example_once_with_similar_lengths() -> None:
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(3, 120, size=1000))
    batches = bucketed_batches(lengths, 32, np.random.default_rng(1))
    seen = np.concatenate(batches)
    assert sorted(seen.tolist()) == list(range(1000))
    spread = np.mean([np.ptp([lengths[i] for i in b]) for b in batches])
    assert spread < 10  # sorted within pools: a batch pads to a length close to its texts
