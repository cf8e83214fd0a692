"""The four model configurations and where their artifacts are; a row is skipped, with the
reason, when its artifact is absent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, folder_mb
from training.results import STUDENT_FP32, STUDENT_INT8, TEACHER_FP32

TEACHER, STUDENT, ONNX_FP32, BUNDLE = "teacher_torch_fp32", "student_torch_fp32", "student_onnx_fp32", "bundle_int8"
# The bundle the released one replaced (--previous-bundle), served the same way: release-to-release
# speed and accuracy in one run.
PREVIOUS = "previous_bundle_int8"
NAMES = {TEACHER: "teacher PyTorch fp32", STUDENT: "student PyTorch fp32", ONNX_FP32: "student ONNX fp32",
         BUNDLE: "int8 bundle (emotion_core)", PREVIOUS: "previous int8 bundle (emotion_core)"}
# The training job's ids of these models in its eval.json and report.
EVAL_ROWS = {TEACHER: TEACHER_FP32, STUDENT: STUDENT_FP32, BUNDLE: STUDENT_INT8}


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


@dataclass
class Row:
    key: str
    spec: dict[str, Any] | None  # None: skipped
    reason: str = ""
    facts: dict[str, Any] = field(default_factory=dict)  # what the row is, sizes, where accuracy came from


@dataclass
class Training:
    """A training config and where its job put its outputs (`training.job.Artifacts`)."""

    config_path: Path
    name: str
    version: str
    report_json: Path
    evaluation: Path
    teacher_best: Path
    student_best: Path
    export_summary: Path
    teacher_base: str | None
    teacher_pooling: str
    student_base: str
    bundle_dir: Path | None

    @classmethod
    def load(cls, config_path: Path) -> Training:
        from training.config import load_config
        from training.job import Artifacts

        config = load_config(config_path)
        paths = Artifacts.of(config, REPO_ROOT)
        return cls(config_path=config_path, name=config.name, version=config.release.version,
                   report_json=paths.report_json, evaluation=paths.evaluation,
                   teacher_best=paths.run("teacher").best, student_best=paths.run("student").best,
                   export_summary=paths.export_summary,
                   teacher_base=config.teacher.model.base if config.teacher else None,
                   teacher_pooling=config.teacher.model.pooling if config.teacher else "mean",
                   student_base=config.student.model.base, bundle_dir=paths.bundle)

    def eval_json(self) -> dict[str, Any]:
        return json.loads(self.evaluation.read_text()) if self.evaluation.is_file() else {}

    def report(self) -> dict[str, Any]:
        return json.loads(self.report_json.read_text()) if self.report_json.is_file() else {}


def _thresholds(evals: dict[str, Any], row: str) -> dict[str, list[float]] | None:
    entry = evals.get(row)
    return entry.get("thresholds") if entry else None


def reported_accuracy(evals: dict[str, Any], row: str) -> dict[str, float] | None:
    test = (evals.get(row) or {}).get("test")
    if not test:
        return None
    return {f"macro_f1_{head}": report["macro_f1"] for head, report in test.items() if "macro_f1" in report}


@dataclass(frozen=True)
class Evals:
    """The training job's test-split figures per model id, and which file they came from."""

    rows: dict[str, Any]
    source: str

    @classmethod
    def of(cls, training: Training) -> Evals:
        evals = training.eval_json()
        if evals:
            return cls(evals, rel(training.evaluation))
        return cls(training.report().get("results", {}), f"training report {rel(training.report_json)}")


def _teacher_row(training: Training, evals: Evals, common: dict[str, Any], quick: bool) -> Row:
    teacher_ckpt = training.teacher_best
    if (teacher_ckpt / "weights.pt").is_file():
        thresholds = _thresholds(evals.rows, EVAL_ROWS[TEACHER])
        return Row(TEACHER, {**common, "key": TEACHER, "kind": "torch", "stage": "teacher",
                             "checkpoint": str(teacher_ckpt), "evaluate": True, "thresholds": thresholds,
                             "thresholds_source": "training job's eval.json (tuned on dev)"},
                   facts={"source": f"trained checkpoint {rel(teacher_ckpt)}",
                          "size_mb": folder_mb(teacher_ckpt), "accuracy_from": "measured in this run"})
    if training.teacher_base is None:
        return Row(TEACHER, None, "the training config has no teacher")
    if quick:
        return Row(TEACHER, None, f"no teacher checkpoint at {teacher_ckpt}; --quick does not load the "
                                  "teacher's base weights")
    from training.base_models import resolve_base_model

    base_path = Path(resolve_base_model(training.teacher_base))
    accuracy = reported_accuracy(evals.rows, EVAL_ROWS[TEACHER])
    return Row(TEACHER, {**common, "key": TEACHER, "kind": "torch", "stage": "teacher", "from_base": True,
                         "base_model": training.teacher_base, "pooling": training.teacher_pooling,
                         "head_sizes": common["head_sizes"], "evaluate": False, "thresholds_source": "n/a"},
               facts={"source": (f"architecture timed from base weights {training.teacher_base} "
                                 "(no trained checkpoint present; heads untrained)"),
                      "size_mb": folder_mb(base_path) if base_path.exists() else None,
                      "accuracy_from": evals.source if accuracy else "unavailable (no training report)",
                      "reported_accuracy": accuracy})


def _student_rows(training: Training, evals: Evals, common: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    student_ckpt = training.student_best
    student_thresholds = _thresholds(evals.rows, EVAL_ROWS[STUDENT])
    if (student_ckpt / "weights.pt").is_file():
        rows.append(Row(STUDENT, {**common, "key": STUDENT, "kind": "torch", "stage": "student",
                                  "checkpoint": str(student_ckpt), "evaluate": True, "thresholds": student_thresholds,
                                  "thresholds_source": "training job's eval.json (tuned on dev)"},
                        facts={"source": f"trained checkpoint {rel(student_ckpt)}",
                               "size_mb": folder_mb(student_ckpt), "accuracy_from": "measured in this run"}))
    else:
        rows.append(Row(STUDENT, None, f"no student checkpoint at {student_ckpt} (run the training job)"))

    export = training.export_summary
    fp32 = Path(json.loads(export.read_text())["fp32_path"]) if export.is_file() else None
    if fp32 is not None and not fp32.is_absolute():
        fp32 = REPO_ROOT / fp32
    if fp32 is not None and fp32.is_file():
        rows.append(Row(ONNX_FP32, {**common, "key": ONNX_FP32, "kind": "onnx", "stage": "student",
                                    "onnx_path": str(fp32), "evaluate": True, "thresholds": student_thresholds,
                                    "thresholds_source": "student PyTorch thresholds from eval.json (same weights)"},
                        facts={"source": f"exported graph {rel(fp32)}", "size_mb": folder_mb(fp32),
                               "accuracy_from": "measured in this run"}))
    else:
        rows.append(Row(ONNX_FP32, None, f"no ONNX fp32 export ({export} or its fp32_path is missing)"))
    return rows


def _bundle_row(key: str, bundle_dir: Path, common: dict[str, Any]) -> Row:
    return Row(key, {**common, "key": key, "kind": "bundle", "bundle_dir": str(bundle_dir), "evaluate": True,
                     "thresholds_source": "the bundle's model.json (tuned on dev)"},
               facts={"source": f"bundle {bundle_dir}", "size_mb": folder_mb(bundle_dir),
                      "accuracy_from": "measured in this run", "released_with": _released_metrics(bundle_dir)})


def plan(training: Training, bundle_dir: Path, *, quick: bool, base: dict[str, Any],
         previous_bundle: Path | None = None) -> list[Row]:
    """Specs for the model worker; `base` holds what every spec shares (threads, bounds, eval file)."""
    evals = Evals.of(training)
    common = {**base, "training_config": str(training.config_path)}
    rows = [_teacher_row(training, evals, common, quick), *_student_rows(training, evals, common)]
    for row in rows:  # the training job's own one-pass figures on the full test split, for reference
        training_f1 = reported_accuracy(evals.rows, EVAL_ROWS.get(row.key, ""))
        if training_f1 and row.spec is not None:
            row.facts["training_eval_f1"] = {"figures": training_f1, "source": evals.source}
    rows.append(_bundle_row(BUNDLE, bundle_dir, common))
    if previous_bundle is not None and (previous_bundle / "model.json").is_file():
        rows.append(_bundle_row(PREVIOUS, previous_bundle, common))
    elif previous_bundle is not None:
        rows.append(Row(PREVIOUS, None, f"no bundle at {previous_bundle} (model.json missing)"))
    return rows


def _released_metrics(bundle_dir: Path) -> dict[str, Any] | None:
    meta = json.loads((bundle_dir / "model.json").read_text())
    test = (meta.get("metrics") or {}).get("test") or {}
    found = {f"macro_f1_{h}": r["macro_f1"] for h, r in test.items() if isinstance(r, dict) and "macro_f1" in r}
    return found or None
