"""Distillation data: the teacher's logits on train + transfer texts, and the student's TrainSet."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from transformers import PreTrainedTokenizerFast

from emotion_core.normalize import normalize_text
from training.data import Split
from training.inference import onnx_logits, onnx_session, predict_logits
from training.model import MultiHeadClassifier
from training.objective import TrainSet
from training.results import SoftTargets

log = logging.getLogger("training")
LogitsOf = Callable[[list[str]], dict[str, np.ndarray]]


def teacher_soft_targets(
    teacher: MultiHeadClassifier, texts: list[str], encoded: list[list[int]], n_train: int, pad_id: int, precision: str
) -> SoftTargets:
    """`texts` are the train texts (the first `n_train`) followed by the transfer texts."""
    return SoftTargets(texts, n_train, predict_logits(teacher, encoded, pad_id, precision=precision))


def bundle_logits(bundle_dir: Path, texts: list[str], threads: int) -> tuple[str, dict[str, np.ndarray]]:
    """A released bundle's logits, read the way it serves them (its tokenizer, length, normalisation)."""
    meta = json.loads((bundle_dir / "model.json").read_text())
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(bundle_dir / "tokenizer.json"))
    if meta.get("text_normalization"):
        texts = [normalize_text(text) for text in texts]
    encoded: list[list[int]] = tokenizer(texts, truncation=True, max_length=int(meta["max_length"]))["input_ids"]
    pad_id = tokenizer.backend_tokenizer.token_to_id("[PAD]") or 0
    logits = onnx_logits(onnx_session(bundle_dir / "model.onnx", threads), encoded, pad_id)
    return f"{meta['name']} {meta['version']}", logits


def ensemble(members: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The mean logit of each head over the members."""
    return {head: np.mean([member[head] for member in members], axis=0) for head in members[0]}


def with_ensemble(soft: SoftTargets, bundles: list[str], threads: int) -> SoftTargets:
    """The teacher's soft targets averaged with those of released bundles."""
    members = [soft.logits]
    for bundle in bundles:
        name, logits = bundle_logits(Path(bundle), soft.texts, threads)
        log.info("soft targets: averaged with %s (%s)", name, bundle)
        members.append({head: logits[head] for head in soft.logits})
    return SoftTargets(soft.texts, soft.n_train, ensemble(members))


def ensemble_logits_of(teacher: LogitsOf, bundles: list[str], threads: int) -> LogitsOf:
    """The ensemble teacher as a model under test."""

    def logits_of(texts: list[str]) -> dict[str, np.ndarray]:
        members = [teacher(texts)]
        members += [bundle_logits(Path(bundle), texts, threads)[1] for bundle in bundles]
        return ensemble(members)

    return logits_of


def distillation_trainset(soft: SoftTargets, train: Split, encoded: list[list[int]]) -> TrainSet:
    """Gold targets for the train texts, none for the transfer texts; soft targets for all."""
    n_all = len(soft.texts)
    padding = n_all - soft.n_train
    gold = {h: np.concatenate([v, np.zeros((padding, v.shape[1]), np.float32)]) for h, v in train.targets.items()}
    has_gold = np.arange(n_all) < soft.n_train
    return TrainSet(encoded, gold, has_gold, dict(soft.logits))
