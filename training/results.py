"""Typed results the stages hand to each other, and their JSON/NPZ forms on disk.

The evaluated models are keyed by stable ids (`TEACHER_FP32`...) in every file the job writes
(`eval.json`, the report's JSON) and in every reader (`bench`); `MODEL_TITLES` holds the
display names, used only where a human reads them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

TEACHER_FP32, STUDENT_FP32, STUDENT_INT8 = "teacher_torch_fp32", "student_torch_fp32", "student_onnx_int8"
# The teacher averaged with released bundles (`distill.ensemble_bundles`): what the student learned from.
TEACHER_ENSEMBLE = "teacher_ensemble"
MODEL_TITLES = {
    TEACHER_FP32: "teacher (PyTorch fp32)",
    TEACHER_ENSEMBLE: "ensemble teacher (teacher + released bundles, mean logits)",
    STUDENT_FP32: "student (PyTorch fp32)",
    STUDENT_INT8: "student (ONNX int8)",
}
# What a bundle's model.json and model card quote of a head's test report.
HEADLINE_METRICS = ("macro_f1", "micro_f1", "accuracy", "n")


@dataclass(frozen=True)
class SoftTargets:
    """Teacher logits for the train texts followed by the transfer texts."""

    texts: list[str]
    n_train: int
    logits: dict[str, np.ndarray]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"n_train": self.n_train, "texts": np.array(self.texts), **self.logits}
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path: Path, heads: list[str]) -> SoftTargets:
        cached = np.load(path)
        return cls([str(t) for t in cached["texts"]], int(cached["n_train"]), {h: cached[h] for h in heads})


@dataclass(frozen=True)
class QuantizedCandidate:
    config: dict[str, Any]
    path: str
    bytes: int
    dev_score: float
    dev_macro_f1: dict[str, float | None]
    agreement_with_fp32: float
    dev_seconds: float

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> QuantizedCandidate:
        return cls(**raw)


@dataclass(frozen=True)
class ExportResult:
    """The export stage's outcome (`export.json`): the fp32 graph, every int8 candidate, the chosen one."""

    fp32_path: str
    fp32_bytes: int
    torch_vs_onnx_max_abs_diff: float
    fp32_dev_macro_f1: dict[str, float | None]
    fp32_dev_score: float
    candidates: tuple[QuantizedCandidate, ...]
    chosen: QuantizedCandidate

    @property
    def int8_dev_score_drop(self) -> float:
        return round(self.fp32_dev_score - self.chosen.dev_score, 4)

    def parity(self) -> dict[str, Any]:
        return {
            "torch_vs_onnx_fp32_max_abs_diff": self.torch_vs_onnx_max_abs_diff,
            "fp32_dev_macro_f1": self.fp32_dev_macro_f1,
            "fp32_dev_score": self.fp32_dev_score,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "fp32_path": self.fp32_path,
            "fp32_bytes": self.fp32_bytes,
            "parity": self.parity(),
            "candidates": [c.to_json() for c in self.candidates],
            "chosen": self.chosen.to_json(),
            "int8_dev_score_drop": self.int8_dev_score_drop,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ExportResult:
        parity = raw["parity"]
        return cls(
            fp32_path=raw["fp32_path"],
            fp32_bytes=int(raw["fp32_bytes"]),
            torch_vs_onnx_max_abs_diff=float(parity["torch_vs_onnx_fp32_max_abs_diff"]),
            fp32_dev_macro_f1=parity["fp32_dev_macro_f1"],
            fp32_dev_score=float(parity["fp32_dev_score"]),
            candidates=tuple(QuantizedCandidate.from_json(c) for c in raw["candidates"]),
            chosen=QuantizedCandidate.from_json(raw["chosen"]),
        )


@dataclass(frozen=True)
class ModelEvaluation:
    """One model on the test split, with the thresholds it would ship with (tuned on dev)."""

    test: dict[str, Any]
    thresholds: dict[str, list[float]]

    def headline(self) -> dict[str, dict[str, Any]]:
        return {h: {k: v for k, v in r.items() if k in HEADLINE_METRICS} for h, r in self.test.items()}


@dataclass(frozen=True)
class Evaluation:
    """Every evaluated model by id (`TEACHER_FP32`...), in evaluation order (`eval.json`)."""

    models: dict[str, ModelEvaluation]

    def to_json(self) -> dict[str, Any]:
        return {key: {"test": m.test, "thresholds": m.thresholds} for key, m in self.models.items()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Evaluation:
        return cls({key: ModelEvaluation(m["test"], m["thresholds"]) for key, m in raw.items()})
