"""The whole training job on tiny random encoders: train → distill → ONNX → int8 → bundle → serve."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from training.job import main
from training.results import MODEL_TITLES, STUDENT_FP32, STUDENT_INT8, TEACHER_FP32


def test_bundle_matches_contract(job_output: Path) -> None:
    bundle = job_output / "bundle"
    meta = json.loads((bundle / "model.json").read_text())
    assert set(meta["heads"]) == {"fine", "ekman", "sentiment"}
    assert meta["heads"]["fine"]["labels"] == sorted(meta["heads"]["fine"]["labels"])
    for head in meta["heads"].values():
        assert len(head["thresholds"]) == len(head["labels"])
    # Calibrated on dev: distributions with a temperature, fine labels with one Platt pair each.
    assert meta["heads"]["fine"]["activation"] == "sigmoid" and len(meta["heads"]["fine"]["platt"]) == 8
    for name in ("ekman", "sentiment"):
        assert meta["heads"][name]["activation"] == "softmax" and meta["heads"][name]["temperature"] > 0
    assert meta["batch_invariant"] is False and meta["languages"] == ["en"]
    for name, info in meta["files"].items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == info["sha256"]
    assert meta["provenance"]["training_config"]["student"]["model"]["base"] == "tiny-bert:32x1"
    assert meta["primary"] == "ekman" and meta["text_normalization"] == "emoji-words-1"
    report = json.loads((job_output / "reports" / "pipeline-0.0.1.json").read_text())
    assert meta["heads"]["ekman"]["thresholds"] == report["results"][STUDENT_INT8]["thresholds"]["ekman"]
    card = (bundle / "README.md").read_text()
    assert "# pipeline-test 0.0.1" in card and "`ekman` head" in card
    assert f"`{job_output / 'reports' / 'pipeline-0.0.1.md'}`" in card


def test_parity_torch_onnx_int8(job_output: Path) -> None:
    export = json.loads((job_output / "run" / "student" / "onnx" / "export.json").read_text())
    assert export["parity"]["torch_vs_onnx_fp32_max_abs_diff"] < 1e-4
    assert len(export["candidates"]) == 3
    assert export["chosen"]["agreement_with_fp32"] > 0.95
    assert export["chosen"]["bytes"] < export["fp32_bytes"]


def test_report_has_every_model(job_output: Path) -> None:
    report = json.loads((job_output / "reports" / "pipeline-0.0.1.json").read_text())
    assert list(report["results"]) == [TEACHER_FP32, STUDENT_FP32, STUDENT_INT8]
    int8 = report["results"][STUDENT_INT8]["test"]["ekman"]
    # The toy data is separable by keyword: a working pipeline learns it.
    assert int8["macro_f1"] > 0.5
    eval_json = json.loads((job_output / "run" / "eval.json").read_text())
    assert eval_json == report["results"]
    markdown = (job_output / "reports" / "pipeline-0.0.1.md").read_text()
    assert f"| {MODEL_TITLES[STUDENT_INT8]} |" in markdown and "## ekman confusion matrix" in markdown


def test_student_history_records_the_averaging_decision(job_output: Path) -> None:
    history = json.loads((job_output / "run" / "student" / "history.json").read_text())
    if history["best_epoch"] != history["epoch"]:
        averaged = history["averaged"]
        assert averaged["epochs"] == [history["best_epoch"], history["epoch"]]
        assert averaged["kept"] == (averaged["dev_score"] == history["best_score"])


def test_rerun_resumes_instead_of_retraining(job_output: Path) -> None:
    config = job_output / "config.yaml"
    assert main(["--config", str(config), "--stages", "teacher,student"]) == 0
    log = (job_output / "run" / "job.log").read_text()
    assert "teacher: already trained" in log and "student: already trained" in log


def test_bundle_serves_with_emotion_core(job_output: Path) -> None:
    emotion_core = pytest.importorskip("emotion_core")
    classifier = emotion_core.Classifier.load(job_output / "bundle", threads=1)
    predictions = classifier.predict(["so happy today really glad", "scared afraid terrified"])
    assert len(predictions) == 2
    ekman = json.loads((job_output / "bundle" / "model.json").read_text())["heads"]["ekman"]["labels"]
    assert all(p.emotion in ekman and 0.0 <= p.confidence <= 1.0 for p in predictions)
