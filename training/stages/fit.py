"""Teacher and student stages: a classifier built on a base encoder, trained on a TrainSet."""

from __future__ import annotations

from pathlib import Path

from training.config import ModelConfig
from training.model import MultiHeadClassifier
from training.train import FitResult, StageRun, seed_everything, train_stage


def fit_classifier(base_path: str, head_sizes: dict[str, int], model: ModelConfig, run: StageRun) -> FitResult:
    """Build the classifier (seeded, so a resumed run starts from the same initial heads) and
    train it; `run.paths.state`, when present, is resumed."""
    seed_everything(run.seed)
    if model.init_from:
        classifier = start_from(Path(model.init_from), head_sizes, model)
    else:
        classifier = MultiHeadClassifier.from_base(base_path, head_sizes, model.pooling, model.dropout,
                                                   model.freeze_layers)
    return train_stage(classifier, run)


def start_from(folder: Path, head_sizes: dict[str, int], model: ModelConfig) -> MultiHeadClassifier:
    """`model.init_from`: a saved classifier with the same heads, trained further (dropout back on)."""
    if not MultiHeadClassifier.is_saved(folder):
        raise SystemExit(f"model.init_from: {folder} holds no saved classifier (weights.pt + classifier.json)")
    classifier = MultiHeadClassifier.load(folder)
    saved = {name: classifier.head_size(name) for name in classifier.head_names}
    if saved != head_sizes:
        raise SystemExit(f"model.init_from: {folder} has heads {saved}, the dataset needs {head_sizes}")
    classifier.dropout.p = model.dropout
    if model.freeze_layers:
        classifier.freeze_bottom(model.freeze_layers)
    return classifier.train()
