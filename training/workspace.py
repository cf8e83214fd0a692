"""What every stage of a job reads: the dataset and the stages' tokenizers, loaded once, lazily."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from transformers import AutoTokenizer

from training.base_models import resolve_base_model
from training.config import JobConfig, StageConfig
from training.data import Dataset
from training.encoding import encode
from training.feedback.dataset import load_dataset_with_feedback
from training.objective import TrainSet
from training.tiny import build_tiny_base
from training.train import DevSet

log = logging.getLogger("training")


class Workspace:
    """A job's config and its lazily loaded shared inputs; `tiny_bases` is where random tiny
    encoders (`tiny-bert:` specs) are built."""

    def __init__(self, config: JobConfig, tiny_bases: Path):
        self.config = config
        self.tiny_bases = tiny_bases
        self._dataset: Dataset | None = None
        self._tokenizers: dict[str, Any] = {}

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = load_dataset_with_feedback(self.config.data, self.config.seed)
            log.info("data %s: %s", self._dataset.name, {k: len(v) for k, v in self._dataset.splits.items()})
        return self._dataset

    def base_path(self, stage: StageConfig) -> str:
        spec = stage.model.base
        if spec.startswith("tiny-bert:"):
            folder = self.tiny_bases / spec.replace(":", "-")
            return str(build_tiny_base(folder, spec, self.dataset.splits["train"].texts, seed=self.config.seed))
        return resolve_base_model(spec)

    def tokenizer(self, stage: StageConfig) -> Any:
        key = stage.model.base
        if key not in self._tokenizers:
            self._tokenizers[key] = AutoTokenizer.from_pretrained(self.base_path(stage))
        return self._tokenizers[key]

    def encoded(self, stage: StageConfig, texts: list[str]) -> list[list[int]]:
        return encode(self.tokenizer(stage), texts, stage.model.max_length)

    def gold_trainset(self, stage: StageConfig) -> TrainSet:
        """The train split with its gold targets only (a teacher's, or a student's without distillation)."""
        train = self.dataset.splits["train"]
        return TrainSet(self.encoded(stage, train.texts), train.targets, np.ones(len(train), dtype=bool))

    def pad_id(self, stage: StageConfig) -> int:
        return int(self.tokenizer(stage).pad_token_id)

    def dev_set(self, stage: StageConfig) -> DevSet:
        dev = self.dataset.splits["dev"]
        return DevSet(self.encoded(stage, dev.texts), dev)

    def primary_head(self) -> str:
        heads = self.dataset.heads
        chosen = self.config.release.primary_head or ("ekman" if "ekman" in heads else next(iter(heads)))
        if chosen not in heads:
            raise ValueError(f"release.primary_head {chosen!r} is not a head of {self.dataset.name}: {list(heads)}")
        return chosen
