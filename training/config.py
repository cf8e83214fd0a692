"""Typed configuration of the training job.

A job is described by one YAML file mapped onto these dataclasses; the resolved config
(defaults filled in) is written beside every artifact so each one says how it was made.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class FeedbackConfig:
    """People's corrections (`python -m training.feedback export`) merged into GoEmotions."""

    path: str | None = None
    # Each trainable correction appears this many times in train: a few hundred corrections
    # against 43,000 texts would otherwise barely move the model.
    weight: int = 3
    # Share held out (by a hash of the id, so stable as the file grows) to evaluate on.
    holdout_share: float = 0.3


@dataclass
class DataConfig:
    # "goemotions" | "carer" | "table" (generic CSV/JSONL)
    kind: str = "goemotions"
    # Local folder of the dataset; when absent and `hub_id` is set, the hub is used.
    path: str | None = "../shared/data/goemotions"
    hub_id: str | None = None
    # Generic tables only: file per split and the columns that hold text and labels.
    files: dict[str, str] = field(default_factory=dict)
    text_column: str = "text"
    label_columns: dict[str, str] = field(default_factory=dict)
    # Extra unlabeled texts the teacher soft-labels for distillation (transfer set).
    transfer_paths: list[str] = field(default_factory=list)
    max_train_examples: int | None = None
    max_eval_examples: int | None = None
    cache_dir: str = "training/output/cache"
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)


@dataclass
class ModelConfig:
    base: str = "sentence-transformers/all-MiniLM-L6-v2"
    pooling: str = "mean"  # "mean" | "cls"
    dropout: float = 0.1
    max_length: int = 64
    # Freeze the embeddings and this many bottom layers: on a small compute budget the upper
    # layers carry most of the task adaptation, and backward through frozen layers is skipped.
    freeze_layers: int = 0
    # A saved classifier (a stage's `best/` folder) to start from instead of fresh heads on `base`:
    # a feedback round fine-tunes the released student rather than retraining it for hours.
    init_from: str | None = None


@dataclass
class OptimConfig:
    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    grad_clip: float = 1.0
    patience: int = 2
    # BCE pos_weight = (negatives/positives) ** power per label (0 = off): rare GoEmotions labels
    # (grief: 77 of 43k texts) otherwise get almost no gradient and their F1 stays near zero.
    pos_weight_power: float = 0.0
    pos_weight_max: float = 30.0
    # Average the weights of the best and the last epoch; kept only when that scores higher on dev.
    average_best_and_last: bool = False
    max_steps_per_epoch: int | None = None
    # Save resumable state this often within an epoch (0 = only at epoch ends): a CPU epoch of a
    # base-size teacher outlasts a working session.
    checkpoint_minutes: float = 5.0
    precision: str = "auto"  # "auto" | "fp32" | "bf16" | "fp16"


@dataclass
class DistillConfig:
    temperature: float = 2.0
    # Weight of the teacher's soft targets against the gold labels.
    alpha: float = 0.7
    # Released bundles whose ONNX logits are averaged with the teacher's (an ensemble teacher):
    # two different models err differently, so their mean is a better target than either.
    ensemble_bundles: list[str] = field(default_factory=list)


@dataclass
class AugmentConfig:
    """Extra student examples (training.augment); off by default."""

    # Share of the train texts that also appear as a noisy copy (typos, leetspeak, shorthand).
    noisy_copies: float = 0.0
    # Templated negation and sarcasm examples with gold fine labels (GoEmotions label names).
    counterfactual: int = 0


@dataclass
class StageConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)


@dataclass
class ExportConfig:
    opset: int = 17
    # Candidate dynamic-quantization configs; the most accurate on dev wins.
    quantization_candidates: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"weight_type": "QInt8", "per_channel": False, "reduce_range": True},
            {"weight_type": "QInt8", "per_channel": True, "reduce_range": True},
            {"weight_type": "QUInt8", "per_channel": False, "reduce_range": False},
        ]
    )
    score_tolerance: float = 0.002
    # Fit calibration on dev (training.stages.calibrate): temperatures for the distribution heads
    # named here (served as softmax), per-label Platt scaling for the other multi-label heads.
    calibrate: bool = False
    distribution_heads: list[str] = field(default_factory=list)


@dataclass
class ReleaseConfig:
    name: str = "goemotions-minilm-l6-int8"
    version: str = "1.0.0"
    bundle_dir: str | None = "layers/model"
    # The head the served `emotion` field comes from; unset: `ekman` when the dataset has it,
    # else its first (for CARER, its only) head.
    primary_head: str | None = None
    # Another run's student history.json: the release is refused unless this job's student has the
    # higher dev score (model 2.0: the distilled student must beat the gold-only control).
    must_beat: str | None = None
    # The bundle being replaced: the release is refused when the new int8 model's GoEmotions test
    # macro-F1 (any head) is lower than this bundle's by more than `max_test_drop`.
    guard_bundle: str | None = None
    max_test_drop: float = 0.005


@dataclass
class JobConfig:
    name: str = "goemotions"
    seed: int = 13
    output_dir: str = "training/output/goemotions"
    report_dir: str = "training/reports"
    data: DataConfig = field(default_factory=DataConfig)
    teacher: StageConfig | None = field(
        default_factory=lambda: StageConfig(
            model=ModelConfig(base="sentence-transformers/all-mpnet-base-v2"),
            optim=OptimConfig(epochs=3, lr=3e-5),
        )
    )
    student: StageConfig = field(default_factory=StageConfig)
    distill: DistillConfig = field(default_factory=DistillConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    release: ReleaseConfig = field(default_factory=ReleaseConfig)
    threads: int | None = None


def _build(cls: type, raw: dict[str, Any] | None) -> Any:
    """Build a dataclass from a dict, refusing unknown keys so typos fail loudly."""
    if raw is None:
        return None
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}; known: {sorted(known)}")
    kwargs: dict[str, Any] = {}
    nested = {
        "data": DataConfig,
        "model": ModelConfig,
        "optim": OptimConfig,
        "distill": DistillConfig,
        "augment": AugmentConfig,
        "export": ExportConfig,
        "release": ReleaseConfig,
        "teacher": StageConfig,
        "student": StageConfig,
        "feedback": FeedbackConfig,
    }
    for key, value in raw.items():
        target = nested.get(key)
        if target is not None and isinstance(value, dict):
            kwargs[key] = _build(target, value)
        else:
            kwargs[key] = value
    return cls(**kwargs)


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """`key=value` strings (dotted keys); a value is read as JSON when it parses, else kept as a string."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, _, raw = item.partition("=")
        try:
            overrides[key] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key] = raw
    return overrides


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> JobConfig:
    raw = yaml.safe_load(Path(path).read_text()) or {}
    for dotted, value in (overrides or {}).items():
        node = raw
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    config: JobConfig = _build(JobConfig, raw)
    return config


def save_config(config: JobConfig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(config), indent=2))
