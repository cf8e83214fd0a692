"""The release metadata follows the dataset's heads: CARER's one softmax head is the primary."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.calibration import identity
from training.config import DataConfig, JobConfig, ReleaseConfig
from training.job import Job
from training.results import STUDENT_INT8, Evaluation, ExportResult, ModelEvaluation, QuantizedCandidate
from training.stages.release import ReleaseInputs, bundle_metadata

CARER_LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]


def _carer_job(folder: Path, tmp_path: Path) -> Job:
    config = JobConfig(name="carer", output_dir=str(tmp_path / "out"), data=DataConfig(kind="carer", path=str(folder)),
                       teacher=None, release=ReleaseConfig(name="carer-test", version="0.1.0", bundle_dir=None))
    return Job(config)


def test_carer_release_metadata_has_one_softmax_primary_head(carer_folder: Path, tmp_path: Path) -> None:
    job = _carer_job(carer_folder, tmp_path)
    assert job.primary_head() == "emotion"
    candidate = QuantizedCandidate(
        config={"weight_type": "QInt8"}, path="model_int8_0.onnx", bytes=1000, dev_score=0.9,
        dev_macro_f1={"emotion": 0.88}, agreement_with_fp32=0.99, dev_seconds=1.0,
    )
    export = ExportResult("model_fp32.onnx", 4000, 1e-5, {"emotion": 0.89}, 0.91, (candidate,), candidate)
    test_report = {"emotion": {"accuracy": 0.93, "macro_f1": 0.88, "per_label_f1": {}, "confusion": [], "n": 6}}
    evaluation = Evaluation({STUDENT_INT8: ModelEvaluation(test_report, {"emotion": [0.0] * 6})})
    inputs = ReleaseInputs(job.config, job.dataset, job.primary_head(), export, evaluation, "carer-0.1.0.md",
                           identity(job.dataset.heads))
    meta = bundle_metadata(inputs)
    assert meta["primary"] == "emotion" and meta["teacher_model"] is None
    assert meta["heads"] == {"emotion": {"labels": CARER_LABELS, "thresholds": [0.0] * 6, "activation": "softmax",
                                         "temperature": 1.0}}
    assert meta["metrics"]["test"] == {"emotion": {"accuracy": 0.93, "macro_f1": 0.88, "n": 6}}
    assert meta["metrics"]["dataset"] == "carer"
    assert meta["parity"]["int8_dev_score_drop"] == 0.01
    assert meta["provenance"]["training_config"]["data"]["kind"] == "carer"
    assert "format_version" not in meta and "files" not in meta  # the bundle writer's keys


def test_a_configured_primary_head_must_exist(carer_folder: Path, tmp_path: Path) -> None:
    job = _carer_job(carer_folder, tmp_path)
    job.config.release.primary_head = "ekman"
    with pytest.raises(ValueError, match=r"release\.primary_head 'ekman' is not a head of carer: \['emotion'\]"):
        job.primary_head()
