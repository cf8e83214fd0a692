"""The training job: teacher → soft targets → distilled student → ONNX → int8 → report → bundle.

    python -m training.job --config training/configs/goemotions.yaml [--stages teacher,student,...]

Every stage writes into `output_dir` and is skipped when its artifact is already there, so a
job interrupted at any point resumes where it stopped (epochs resume from `last/`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoTokenizer

from training.base_models import resolve_base_model
from training.config import JobConfig, StageConfig, load_config, save_config
from training.data import Dataset, load_dataset, load_transfer_texts
from training.model import MultiHeadClassifier
from training.train import TrainSet, encode, predict_logits, seed_everything, train_stage

log = logging.getLogger("training")
STAGES = ("teacher", "soft_targets", "student", "export", "report", "release")


def setup_logging(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    for handler in (logging.StreamHandler(sys.stderr), logging.FileHandler(out_dir / "job.log")):
        handler.setFormatter(fmt)
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class Job:
    def __init__(self, config: JobConfig):
        self.config = config
        self.out = Path(config.output_dir)
        self._dataset: Dataset | None = None
        self._tokenizers: dict[str, Any] = {}

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = load_dataset(self.config.data)
            log.info("data %s: %s", self._dataset.name, {k: len(v) for k, v in self._dataset.splits.items()})
        return self._dataset

    def base_path(self, stage: StageConfig) -> str:
        spec = stage.model.base
        if spec.startswith("tiny-bert:"):
            from training.tiny import build_tiny_base

            folder = self.out / "bases" / spec.replace(":", "-")
            return str(build_tiny_base(folder, spec, self.dataset.splits["train"].texts, seed=self.config.seed))
        return resolve_base_model(spec)

    def tokenizer(self, stage: StageConfig) -> Any:
        key = stage.model.base
        if key not in self._tokenizers:
            self._tokenizers[key] = AutoTokenizer.from_pretrained(self.base_path(stage))
        return self._tokenizers[key]

    def encoded(self, stage: StageConfig, texts: list[str]) -> list[list[int]]:
        return encode(self.tokenizer(stage), texts, stage.model.max_length)

    def head_sizes(self) -> dict[str, int]:
        return {name: len(head.labels) for name, head in self.dataset.heads.items()}

    def fit(self, name: str, stage: StageConfig, train: TrainSet) -> MultiHeadClassifier:
        folder = self.out / name
        if (folder / "history.json").is_file() and (folder / "best" / "weights.pt").is_file():
            log.info("%s: already trained, using %s", name, folder / "best")
            return MultiHeadClassifier.load(folder / "best")
        save_config(self.config, folder / "config.json")
        seed_everything(self.config.seed)
        model = MultiHeadClassifier.from_base(
            self.base_path(stage),
            self.head_sizes(),
            stage.model.pooling,
            stage.model.dropout,
            stage.model.freeze_layers,
        )
        dev = self.dataset.splits["dev"]
        best, _ = train_stage(
            name,
            model,
            train,
            self.encoded(stage, dev.texts),
            dev,
            self.dataset.heads,
            stage,
            folder,
            pad_id=self.tokenizer(stage).pad_token_id,
            seed=self.config.seed,
            distill=self.config.distill if train.soft is not None else None,
        )
        return best

    def gold_trainset(self, stage: StageConfig) -> TrainSet:
        train = self.dataset.splits["train"]
        return TrainSet(self.encoded(stage, train.texts), train.targets, np.ones(len(train), dtype=bool))

    # -- stages -------------------------------------------------------------------------
    def run_teacher(self) -> None:
        if self.config.teacher is None:
            log.info("teacher: none configured, the student trains on gold labels only")
            return
        self.fit("teacher", self.config.teacher, self.gold_trainset(self.config.teacher))

    def soft_targets_path(self) -> Path:
        return self.out / "teacher" / "soft_targets.npz"

    def run_soft_targets(self) -> None:
        """Teacher logits for train + transfer texts, computed once and cached."""
        teacher_cfg = self.config.teacher
        if teacher_cfg is None or self.config.distill.alpha == 0 or self.soft_targets_path().is_file():
            return
        teacher = self.fit("teacher", teacher_cfg, self.gold_trainset(teacher_cfg))
        texts = self.dataset.splits["train"].texts + load_transfer_texts(self.config.data.transfer_paths)
        logits = predict_logits(
            teacher,
            self.encoded(teacher_cfg, texts),
            self.tokenizer(teacher_cfg).pad_token_id,
            precision=teacher_cfg.optim.precision,
        )
        np.savez(self.soft_targets_path(), n_train=len(self.dataset.splits["train"]), texts=np.array(texts), **logits)
        log.info("soft targets: %d texts (%d transfer)", len(texts), len(texts) - len(self.dataset.splits["train"]))

    def student_trainset(self) -> TrainSet:
        stage = self.config.student
        train = self.dataset.splits["train"]
        if self.config.teacher is None or self.config.distill.alpha == 0:
            return self.gold_trainset(stage)
        cached = np.load(self.soft_targets_path())
        texts = [str(t) for t in cached["texts"]]
        n_train, n_all = int(cached["n_train"]), len(texts)
        gold = {
            h: np.concatenate([train.targets[h], np.zeros((n_all - n_train, v.shape[1]), np.float32)])
            for h, v in train.targets.items()
        }
        has_gold = np.arange(n_all) < n_train
        soft = {h: cached[h] for h in self.dataset.heads}
        return TrainSet(self.encoded(stage, texts), gold, has_gold, soft)

    def run_student(self) -> MultiHeadClassifier:
        return self.fit("student", self.config.student, self.student_trainset())

    def run_export(self) -> None:
        from training.export import export_and_quantize

        export_and_quantize(self)

    def run_report(self) -> None:
        from training.report import write_report

        write_report(self)

    def run_release(self) -> None:
        from training.release import release

        release(self)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.job", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {STAGES}")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set student.optim.epochs=2 (value parsed as JSON)",
    )
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    for item in args.set:
        key, _, raw = item.partition("=")
        try:
            overrides[key] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key] = raw
    config = load_config(args.config, overrides)
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}; known: {list(STAGES)}")
    job = Job(config)
    setup_logging(job.out)
    save_config(config, job.out / "config.json")
    if config.threads:
        torch.set_num_threads(config.threads)
    for stage in STAGES:
        if stage in stages:
            log.info("stage %s", stage)
            getattr(job, f"run_{stage}")()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
