"""The student's extra examples (training.augment) appended to its TrainSet.

Noisy copies repeat a train text's gold targets and, when distilling, the teacher's soft targets
of the clean text. Counterfactual examples carry gold targets only (`has_soft` False); their fine
labels reach the other heads through the taxonomy read off the train split itself, so no label
mapping is typed here.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import numpy as np

from training.augment import Example, counterfactual_examples, noisy_copy
from training.config import AugmentConfig
from training.data import FINE_HEAD, Head, Split, targets_from_fine
from training.objective import TrainSet

log = logging.getLogger("training")


def _counterfactual_targets(examples: list[Example], train: Split, heads: dict[str, Head]) -> dict[str, np.ndarray]:
    labels = list(heads[FINE_HEAD].labels)
    missing = sorted({label for example in examples for label in example.fine} - set(labels))
    if missing:
        raise ValueError(f"augment.counterfactual writes GoEmotions labels {missing} that the '{FINE_HEAD}' "
                         "head does not have; turn it off for this dataset")
    return targets_from_fine([example.fine for example in examples], train, heads)


def _append(base: TrainSet, encoded: list[list[int]], gold: dict[str, np.ndarray],
            soft: dict[str, np.ndarray] | None, has_soft: bool) -> TrainSet:
    n = len(encoded)
    base_has_soft = base.has_soft if base.has_soft is not None else np.ones(len(base.encoded), bool)
    merged_soft = None
    if base.soft is not None:
        merged_soft = {h: np.concatenate([v, soft[h] if soft else np.zeros((n, v.shape[1]), v.dtype)])
                       for h, v in base.soft.items()}
    return TrainSet(
        encoded=base.encoded + encoded,
        gold={h: np.concatenate([v, gold[h]]) for h, v in base.gold.items()},
        has_gold=np.concatenate([base.has_gold, np.ones(n, bool)]),
        soft=merged_soft,
        has_soft=np.concatenate([base_has_soft, np.full(n, has_soft)]) if merged_soft is not None else None,
    )


def augment_trainset(base: TrainSet, train: Split, heads: dict[str, Head], config: AugmentConfig, seed: int,
                     encode: Callable[[list[str]], list[list[int]]], held_out: list[str]) -> TrainSet:
    """`base` starts with the train split's texts in order (gold-only or distillation set)."""
    rng = random.Random(seed)
    result = base
    if config.noisy_copies > 0:
        picked = sorted(rng.sample(range(len(train)), round(config.noisy_copies * len(train))))
        texts = [noisy_copy(train.texts[i], rng) for i in picked]
        soft = {h: v[picked] for h, v in base.soft.items()} if base.soft is not None else None
        result = _append(result, encode(texts), {h: v[picked] for h, v in base.gold.items()}, soft, True)
        log.info("augment: %d noisy copies", len(picked))
    if config.counterfactual > 0:
        if FINE_HEAD not in heads:
            raise ValueError(f"augment.counterfactual needs a '{FINE_HEAD}' head with GoEmotions labels; "
                             f"this dataset has {list(heads)}")
        examples = counterfactual_examples(config.counterfactual, seed, held_out)
        gold = _counterfactual_targets(examples, train, heads)
        result = _append(result, encode([e.text for e in examples]), gold, None, False)
        log.info("augment: %d counterfactual examples", len(examples))
    return result
