from __future__ import annotations

import numpy as np
import torch

from training.data import Head
from training.objective import BatchTargets, TrainSet, positive_weights, training_loss


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
    targets = BatchTargets({"fine": torch.tensor([[1.0, 1.0]])}, torch.tensor([True]), None)
    plain = training_loss(logits, targets, heads, None)
    weighted = training_loss(logits, targets, heads, None, {"fine": torch.tensor([1.0, 10.0])})
    assert weighted > 5 * plain


def test_batch_targets_select_rows_of_every_target() -> None:
    gold = np.arange(12, dtype=np.float32).reshape(6, 2)
    soft = -gold
    train = TrainSet([[1]] * 6, {"fine": gold}, np.array([True] * 4 + [False] * 2), {"fine": soft})
    picked = BatchTargets.of(train).select(torch.tensor([5, 1]), torch.device("cpu"))
    assert picked.gold["fine"].tolist() == [[10.0, 11.0], [2.0, 3.0]]
    assert picked.has_gold.tolist() == [False, True]
    assert picked.soft is not None and picked.soft["fine"].tolist() == [[-10.0, -11.0], [-2.0, -3.0]]
