"""The label set's teacher: a sentence encoder (contrastively fine-tuned when there are examples)
and a head, built from the YAML alone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.base_models import resolve_base_model
from training.labelset.head import LinearHead, fit_head, zero_shot_head
from training.labelset.setfit import SentenceEncoder, contrastive_fit
from training.labelset.settings import BuildSettings
from training.labelset.spec import LabelSet
from training.tiny import build_tiny_base

log = logging.getLogger("training")


@dataclass
class Teacher:
    encoder: SentenceEncoder
    head: LinearHead
    method: str  # "zero-shot (descriptions)" or "setfit (N pairs)"

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return self.head.probabilities(self.encoder.embed(texts))


def resolve_base(spec: str, tiny_folder: Path, texts: list[str], seed: int) -> str:
    """A local folder for `spec`: a random tiny encoder (tests) or the resolved pretrained one."""
    if spec.startswith("tiny-bert:"):
        return str(build_tiny_base(tiny_folder / spec.replace(":", "-"), spec, texts, seed=seed))
    return resolve_base_model(spec)


def teacher_examples(labelset: LabelSet, settings: BuildSettings) -> tuple[list[str], np.ndarray]:
    """Texts and their targets [n, n_labels]: the examples (and the descriptions when configured);
    a text listed under several labels of a multi-label set is one row with several labels."""
    rows: dict[str, np.ndarray] = {}
    n = len(labelset.labels)
    pairs = labelset.examples()
    if settings.descriptions_as_examples:
        pairs += [(label.description, i) for i, label in enumerate(labelset.labels)]
    for text, index in pairs:
        rows.setdefault(text, np.zeros(n, dtype=np.float32))[index] = 1.0
    texts = list(rows)
    return texts, np.stack([rows[t] for t in texts]) if texts else np.zeros((0, n), dtype=np.float32)


def train_teacher(labelset: LabelSet, settings: BuildSettings, base_path: str) -> Teacher:
    encoder = SentenceEncoder(base_path, settings.max_length)
    if not labelset.examples():
        descriptions = encoder.embed([label.description for label in labelset.labels])
        head = zero_shot_head(descriptions, settings.zero_shot_temperature, labelset.multi_label)
        return Teacher(encoder, head, "zero-shot (similarity to the label descriptions)")
    texts, targets = teacher_examples(labelset, settings)
    # Contrastive pairs need one label per text: a multi-label row counts under its first label.
    used = contrastive_fit(encoder, texts, [int(row.argmax()) for row in targets], settings)
    head = fit_head(encoder.embed(texts), targets, labelset.multi_label, settings.head_l2, settings.head_steps,
                    settings.seed)
    log.info("labelset teacher: %d example texts, %d contrastive pairs", len(texts), used)
    return Teacher(encoder, head, f"SetFit: contrastive fine-tuning on {used} pairs of {len(texts)} texts, "
                                  "logistic-regression head")
