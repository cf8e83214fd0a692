"""Typed build settings of a label-set model; defaults here, overrides from the YAML's `build:`
section and `--set key=value` on the command line. The resolved settings are saved beside the
artifacts (`labelset.json`) and in the bundle's provenance (through the job config)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class BuildSettings:
    # The SetFit body (contrastively fine-tuned on the examples) and the student it is distilled into.
    encoder: str = MINILM
    student: str = MINILM
    max_length: int = 64
    seed: int = 13
    threads: int = 1
    # Contrastive pairs (the SetFit method): per iteration, every example gets one same-label and
    # one other-label partner; cosine-similarity loss (MSE to 1 / 0), as SetFit's default.
    pair_iterations: int = 20
    max_pairs: int = 1280
    contrastive_batch: int = 16
    contrastive_lr: float = 2e-5
    # Each label's description also counts as one of its examples (it is text about the label).
    descriptions_as_examples: bool = True
    # Logistic-regression head on the normalised embeddings (L2 weight as in sklearn's C=1 / n).
    head_l2: float = 1e-3
    head_steps: int = 200
    # Descriptions only: cosine similarity to each description, divided by this, as logits.
    zero_shot_temperature: float = 0.05
    # Of the domain texts the teacher gives a label, the most confident share is kept.
    keep_share: float = 0.5
    # A label the teacher ranks first for fewer texts gets its highest-scoring texts up to this many.
    min_per_label: int = 10
    # Held-out slices of the kept pseudo-labelled texts: thresholds are tuned on dev, the job's
    # report measures test (agreement with the teacher; docs/labelsets.md says what that means).
    dev_share: float = 0.15
    test_share: float = 0.15
    student_epochs: int = 3
    student_batch: int = 32
    student_lr: float = 5e-5
    student_head_lr: float = 1e-3
    version: str = "0.1.0"
    output_root: str = "training/output/labelsets"
    report_dir: str = "training/reports"
    # None: <output_root>/<name>/bundle
    bundle_dir: str | None = None


def build_settings(overrides: dict[str, Any]) -> BuildSettings:
    """BuildSettings with `overrides` applied; an unknown key is an error naming the known ones."""
    known = {f.name for f in dataclasses.fields(BuildSettings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"build settings: unknown keys {unknown}; known: {sorted(known)}")
    return dataclasses.replace(BuildSettings(), **overrides)
