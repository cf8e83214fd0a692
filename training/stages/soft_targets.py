"""Distillation data: the teacher's logits on train + transfer texts, and the student's TrainSet."""

from __future__ import annotations

import numpy as np

from training.data import Split
from training.inference import predict_logits
from training.model import MultiHeadClassifier
from training.objective import TrainSet
from training.results import SoftTargets


def teacher_soft_targets(
    teacher: MultiHeadClassifier, texts: list[str], encoded: list[list[int]], n_train: int, pad_id: int, precision: str
) -> SoftTargets:
    """`texts` are the train texts (the first `n_train`) followed by the transfer texts."""
    return SoftTargets(texts, n_train, predict_logits(teacher, encoded, pad_id, precision=precision))


def distillation_trainset(soft: SoftTargets, train: Split, encoded: list[list[int]]) -> TrainSet:
    """Gold targets for the train texts, none for the transfer texts; soft targets for all."""
    n_all = len(soft.texts)
    padding = n_all - soft.n_train
    gold = {h: np.concatenate([v, np.zeros((padding, v.shape[1]), np.float32)]) for h, v in train.targets.items()}
    has_gold = np.arange(n_all) < soft.n_train
    return TrainSet(encoded, gold, has_gold, dict(soft.logits))
