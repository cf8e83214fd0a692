"""The release stage: the bundle (written by `emotion_core.bundle_writer`) and its model card,
then the bundle loaded the way the service loads it and asked for one prediction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emotion_core import Classifier
from emotion_core.bundle import Bundle
from emotion_core.bundle_writer import TEXT_NORMALIZATION, write_bundle
from training.calibration import Calibration
from training.checkpoint import Progress
from training.config import JobConfig
from training.data import Dataset
from training.model_card import model_card
from training.results import STUDENT_INT8, Evaluation, ExportResult

log = logging.getLogger("training")
# Serving reads texts in windows of this many tokens; longer texts get overlapping windows.
SERVING_MAX_LENGTH = 128
QUANTIZATION_METHOD = "onnxruntime dynamic quantization (int8 weights, dynamic int8 activations)"
QUANTIZATION_NOTE = (
    "chosen among the candidates by dev score; reduce_range/u8u8 avoid u8s8 saturation on AVX2 without VNNI"
)


@dataclass(frozen=True)
class ReleaseInputs:
    config: JobConfig
    dataset: Dataset
    primary: str  # the head the seed-compatible `emotion` field comes from
    export: ExportResult
    evaluation: Evaluation
    report_path: str  # where the evaluation report is, as the model card cites it
    calibration: Calibration


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _quantization(export: ExportResult) -> dict[str, Any]:
    return {
        "method": QUANTIZATION_METHOD,
        **export.chosen.config,
        "note": QUANTIZATION_NOTE,
        "candidates": [{**c.config, "dev_score": c.dev_score} for c in export.candidates],
    }


def bundle_metadata(inputs: ReleaseInputs) -> dict[str, Any]:
    """model.json without `format_version` and `files`, which the bundle writer adds."""
    config, export = inputs.config, inputs.export
    int8 = inputs.evaluation.models[STUDENT_INT8]
    heads = {
        name: {"labels": head.labels, "thresholds": int8.thresholds[name],
               **inputs.calibration.heads[name].model_json()}
        for name, head in inputs.dataset.heads.items()
    }
    # Only a teacher whose soft targets the student learned from is this model's teacher.
    distilled = config.teacher is not None and config.distill.alpha > 0
    return {
        "name": config.release.name,
        "version": config.release.version,
        "base_model": config.student.model.base,
        "teacher_model": _teacher_name(config) if distilled else None,
        "max_length": max(config.student.model.max_length, SERVING_MAX_LENGTH),
        "inputs": ["input_ids", "attention_mask"],
        "primary": inputs.primary,
        "text_normalization": TEXT_NORMALIZATION,
        # Dynamic int8: a window's activation ranges come from its own call, so windows run alone.
        "batch_invariant": False,
        "languages": ["en"],
        "heads": heads,
        "quantization": _quantization(export),
        "metrics": {"test": int8.headline(), "dataset": inputs.dataset.name, "thresholds": "per label, tuned on dev"},
        "parity": {
            **export.parity(),
            "int8_dev_score_drop": export.int8_dev_score_drop,
            "int8_agreement_with_fp32": export.chosen.agreement_with_fp32,
        },
        "provenance": {
            "training_config": dataclasses.asdict(config),
            "data_sha256": inputs.dataset.sources,
            "git_commit": _git_commit(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    }


def check_must_beat(student_history: Path, control: str | None) -> None:
    """`release.must_beat`: refuse (before anything is written) a student that does not beat its control."""
    if control is None:
        return
    ours = Progress.read_history(student_history).best_score
    theirs = Progress.read_history(Path(control)).best_score
    log.info("release gate: student dev score %.4f vs %.4f for %s", ours, theirs, control)
    if ours <= theirs:
        raise SystemExit(f"release refused: the student's dev score {ours:.4f} does not beat {theirs:.4f} "
                         f"({control}, release.must_beat); nothing was written")


def keep_previous(bundle: Path, keep: Path) -> None:
    """Copy the bundle about to be replaced, so the new one can be compared with it as served."""
    if (bundle / "model.json").is_file():
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(bundle, keep)


def served_check(directory: Path, text: str) -> None:
    """Load the bundle as the service does and make one real prediction."""
    classifier = Classifier.load(directory, threads=1)
    predictions = classifier.predict([text])
    if len(predictions) != 1:
        raise RuntimeError(f"{directory}: the released bundle returned {len(predictions)} predictions for one text")
    log.info("release check: %s serves heads %s", directory, list(classifier.heads))


def release(inputs: ReleaseInputs, tokenizer: Any, directory: Path) -> Bundle:
    """Write the bundle of the chosen int8 graph and `tokenizer` (a transformers fast tokenizer)."""
    metadata = bundle_metadata(inputs)
    card = model_card(metadata, inputs.dataset, inputs.config.data, inputs.report_path)
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer_file = Path(tmp) / "tokenizer.json"
        tokenizer.backend_tokenizer.save(str(tokenizer_file))
        bundle = write_bundle(directory, model_path=Path(inputs.export.chosen.path), tokenizer_path=tokenizer_file,
                              metadata=metadata, model_card=card)
    served_check(directory, inputs.dataset.splits["test"].texts[0])
    log.info("released bundle to %s", directory)
    return bundle


def _teacher_name(config: JobConfig) -> str | None:
    """The teacher, and the released bundles its logits were averaged with (an ensemble teacher)."""
    if config.teacher is None:
        return None
    members = [config.teacher.model.base]
    for bundle in config.distill.ensemble_bundles:
        meta = json.loads((Path(bundle) / "model.json").read_text())
        members.append(f"{meta['name']} {meta['version']}")
    return " + ".join(members) + (" (mean logits)" if len(members) > 1 else "")
