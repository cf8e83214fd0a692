"""Write the release bundle (docs/bundle-format.md) and its model card."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from training.report import evaluate_all, int8_test_metrics

if TYPE_CHECKING:
    from training.job import Job

log = logging.getLogger("training")
BUNDLE_FILES = ("model.onnx", "tokenizer.json")
# Serving reads texts in windows of this many tokens; longer texts get overlapping windows.
SERVING_MAX_LENGTH = 128


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def build_metadata(job: Job, export: dict[str, Any], results: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    int8 = results["student (ONNX int8)"]
    heads = {
        name: {
            "labels": head.labels,
            "thresholds": int8["thresholds"][name],
            "activation": "softmax" if head.kind == "single" else "sigmoid",
        }
        for name, head in job.dataset.heads.items()
    }
    # Only a teacher whose soft targets the student learned from is this model's teacher.
    distilled = job.config.teacher is not None and job.config.distill.alpha > 0
    teacher = job.config.teacher.model.base if job.config.teacher and distilled else None
    return {
        "format_version": 1,
        "name": job.config.release.name,
        "version": job.config.release.version,
        "base_model": job.config.student.model.base,
        "teacher_model": teacher,
        "max_length": max(job.config.student.model.max_length, SERVING_MAX_LENGTH),
        "inputs": ["input_ids", "attention_mask"],
        "heads": heads,
        "quantization": {
            "method": "onnxruntime dynamic quantization (int8 weights, dynamic int8 activations)",
            **export["chosen"]["config"],
            "note": (
                "chosen among the candidates by dev score; reduce_range/u8u8 avoid u8s8 saturation on AVX2 without VNNI"
            ),
            "candidates": [{**c["config"], "dev_score": c["dev_score"]} for c in export["candidates"]],
        },
        "metrics": {
            "test": int8_test_metrics(results),
            "dataset": job.dataset.name,
            "thresholds": "per label, tuned on dev",
        },
        "parity": {
            **export["parity"],
            "int8_dev_score_drop": export["int8_dev_score_drop"],
            "int8_agreement_with_fp32": export["chosen"]["agreement_with_fp32"],
        },
        "provenance": {
            "training_config": json.loads((job.out / "config.json").read_text()),
            "data_sha256": job.dataset.sources,
            "git_commit": _git_commit(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
        "files": {name: {"sha256": sha256(path), "bytes": path.stat().st_size} for name, path in files.items()},
    }


def model_card(meta: dict[str, Any], report_name: str) -> str:
    rows = "\n".join(
        f"| {h} | {len(meta['heads'][h]['labels'])} | "
        + " | ".join(f"{m.get(k, '-')}" for k in ("macro_f1", "micro_f1", "accuracy"))
        + " |"
        for h, m in meta["metrics"]["test"].items()
    )
    origin = (
        f"distilled from {meta['teacher_model']}"
        if meta["teacher_model"]
        else "fine-tuned on the gold labels (no distillation: see the report)"
    )
    return f"""# {meta["name"]} {meta["version"]}

An int8-quantized ONNX emotion classifier: one {meta["base_model"]} encoder with one
head per taxonomy, {origin}. Served by `emotion_core`.

## Test-split results ({meta["metrics"]["dataset"]}, thresholds tuned on dev)
| head | labels | macro-F1 | micro-F1 | accuracy |
|---|---|---|---|---|
{rows}

Full report: `training/reports/{report_name}`.

## Intended use and limits
Emotions as expressed in short English text (trained on Reddit comments). Labels are
annotators' readings, not a person's state; rare labels (grief, relief, nervousness, pride)
are less reliable. Texts longer than {meta["max_length"]} tokens are read in overlapping windows.
"""


def release(job: Job) -> Path | None:
    export = json.loads((job.out / "student" / "onnx" / "export.json").read_text())
    results = evaluate_all(job)
    target = Path(job.config.release.bundle_dir) if job.config.release.bundle_dir else job.out / "bundle"
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "bundle"
        staging.mkdir()
        shutil.copyfile(export["chosen"]["path"], staging / "model.onnx")
        job.tokenizer(job.config.student).backend_tokenizer.save(str(staging / "tokenizer.json"))
        files = {name: staging / name for name in BUNDLE_FILES}
        meta = build_metadata(job, export, results, files)
        (staging / "model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        report_name = f"{job.config.name}-{job.config.release.version}.md"
        (staging / "README.md").write_text(model_card(meta, report_name))
        target.mkdir(parents=True, exist_ok=True)
        for item in staging.iterdir():
            shutil.copyfile(item, target / item.name)
    log.info("released bundle to %s", target)
    return target
