"""Teacher and student stages: a classifier built on a base encoder, trained on a TrainSet."""

from __future__ import annotations

from training.config import ModelConfig
from training.model import MultiHeadClassifier
from training.train import FitResult, StageRun, seed_everything, train_stage


def fit_classifier(base_path: str, head_sizes: dict[str, int], model: ModelConfig, run: StageRun) -> FitResult:
    """Build the classifier (seeded, so a resumed run starts from the same initial heads) and
    train it; `run.paths.state`, when present, is resumed."""
    seed_everything(run.seed)
    classifier = MultiHeadClassifier.from_base(base_path, head_sizes, model.pooling, model.dropout, model.freeze_layers)
    return train_stage(classifier, run)
