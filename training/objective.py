"""What a training stage learns from (`TrainSet`) and the loss it minimises: gold labels,
weighted for rare labels, plus the teacher's soft targets when distilling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from training.config import DistillConfig
from training.data import Head


@dataclass(frozen=True)
class TrainSet:
    """Tokenized texts, gold targets, and optional soft targets."""

    encoded: list[list[int]]
    gold: dict[str, np.ndarray]
    has_gold: np.ndarray  # bool [n]; transfer texts carry teacher targets only
    soft: dict[str, np.ndarray] | None = None  # teacher logits per head
    # bool [n]; None = every row has soft targets. Counterfactual examples have none: the teacher
    # makes the very mistake they correct.
    has_soft: np.ndarray | None = None


@dataclass(frozen=True)
class BatchTargets:
    """A TrainSet's targets as tensors, sliced per batch."""

    gold: dict[str, torch.Tensor]
    has_gold: torch.Tensor
    soft: dict[str, torch.Tensor] | None
    has_soft: torch.Tensor | None = None

    @classmethod
    def of(cls, train: TrainSet) -> BatchTargets:
        soft = {h: torch.from_numpy(v) for h, v in train.soft.items()} if train.soft else None
        has_soft = torch.from_numpy(train.has_soft) if train.has_soft is not None else None
        return cls({h: torch.from_numpy(v) for h, v in train.gold.items()}, torch.from_numpy(train.has_gold), soft,
                   has_soft)

    def select(self, index: torch.Tensor, device: torch.device) -> BatchTargets:
        soft = {h: v[index].to(device) for h, v in self.soft.items()} if self.soft else None
        gold = {h: v[index].to(device) for h, v in self.gold.items()}
        has_soft = self.has_soft[index].to(device) if self.has_soft is not None else None
        return BatchTargets(gold, self.has_gold[index].to(device), soft, has_soft)


def positive_weights(train: TrainSet, heads: dict[str, Head], power: float, cap: float) -> dict[str, torch.Tensor]:
    weights = {}
    for name, head in heads.items():
        if head.kind == "single" or power <= 0:
            continue
        gold = train.gold[name][train.has_gold]
        positives = gold.sum(axis=0).clip(min=1.0)
        ratio = (len(gold) - positives) / positives
        weights[name] = torch.from_numpy(np.minimum(ratio**power, cap).astype(np.float32))
    return weights


def training_loss(
    logits: dict[str, torch.Tensor],
    targets: BatchTargets,
    heads: dict[str, Head],
    distill: DistillConfig | None,
    pos_weight: dict[str, torch.Tensor] | None = None,
) -> torch.Tensor:
    has_gold = targets.has_gold
    total = torch.zeros((), device=has_gold.device)
    gold_weight = has_gold.float()
    n_gold = gold_weight.sum().clamp(min=1.0)
    soft = targets.soft
    alpha = distill.alpha if (distill and soft is not None) else 0.0
    for name, head in heads.items():
        z = logits[name].float()
        if head.kind == "single":
            gold_loss = F.cross_entropy(z, targets.gold[name].argmax(dim=1), reduction="none")
        else:
            weight = pos_weight.get(name) if pos_weight else None
            gold_loss = F.binary_cross_entropy_with_logits(z, targets.gold[name], reduction="none", pos_weight=weight)
            gold_loss = gold_loss.mean(dim=1)
        total = total + (1 - alpha) * (gold_loss * gold_weight).sum() / n_gold
        if soft is not None and distill is not None and alpha > 0:
            t = distill.temperature
            if head.kind == "single":
                kd = F.kl_div(F.log_softmax(z / t, dim=1), F.softmax(soft[name] / t, dim=1), reduction="none").sum(1)
            else:
                kd = F.binary_cross_entropy_with_logits(z / t, torch.sigmoid(soft[name] / t), reduction="none").mean(1)
            soft_weight = targets.has_soft.float() if targets.has_soft is not None else torch.ones_like(kd)
            kd = (kd * soft_weight).sum() / soft_weight.sum().clamp(min=1.0)
            total = total + alpha * (t * t) * kd
    return total
