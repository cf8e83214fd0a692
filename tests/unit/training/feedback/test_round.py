"""A feedback round end to end on tiny encoders: a first job releases a bundle; a second one starts
from its student, trains on the corrections and is released only through the guard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from training.job import main


def _config(base: Path, first: Path, max_test_drop: float, table: dict[str, str]) -> dict[str, Any]:
    corrections = base / "feedback.jsonl"
    corrections.write_text("".join(json.dumps({"id": f"f{i}", "text": f"grr it broke again {i}",
                                               "labels": {"fine": ["anger"]}}) + "\n" for i in range(30)))
    return {
        "name": "round", "seed": 3, "output_dir": str(base / "run"), "report_dir": str(base / "reports"),
        "data": {"kind": "table", "path": None, "files": table,
                 "label_columns": {"fine": "fine", "ekman": "ekman", "sentiment": "sentiment"},
                 "feedback": {"path": str(corrections), "weight": 2, "holdout_share": 0.3}},
        "teacher": None,
        # The first job's tiny encoder (its vocabulary is built from the texts it saw), so the tokens
        # of the round are the ones the saved student knows, as with a real base model.
        "student": {"model": {"base": str(first / "run" / "bases" / "tiny-bert-32x1"), "max_length": 32,
                              "init_from": str(first / "run" / "student" / "best")},
                    "optim": {"epochs": 1, "lr": 1.0e-3, "head_lr": 2.0e-3, "batch_size": 16}},
        "distill": {"alpha": 0.0},
        "export": {"calibrate": True, "distribution_heads": ["ekman", "sentiment"]},
        "release": {"name": "round-test", "version": "0.0.2", "bundle_dir": str(base / "served"),
                    "guard_bundle": str(first / "bundle"), "max_test_drop": max_test_drop},
        "threads": 1,
    }


def _run(config: dict[str, Any], path: Path, *stages: str) -> int:
    path.write_text(yaml.safe_dump(config))
    return main(["--config", str(path), *(["--stages", ",".join(stages)] if stages else [])])


@pytest.fixture(scope="module")
def round_output(job_output: Path, table_dataset: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("round")
    assert _run(_config(base, job_output, 1.0, table_dataset), base / "config.yaml") == 0
    return base


def test_the_round_starts_from_the_student_and_reports_before_and_after(round_output: Path) -> None:
    report = json.loads((round_output / "reports" / "round-0.0.2-guard.json").read_text())
    assert report["passed"] is True and set(report["test_macro_f1"]) == {"fine", "ekman", "sentiment"}
    held = report["merged"]["held_out"]
    assert report["merged"]["read"] == 30 and report["merged"]["trained"] == 30 - held
    assert report["feedback"]["guard"]["items"] == held == report["feedback"]["candidate"]["items"]
    assert "Release guard" in (round_output / "reports" / "round-0.0.2-guard.md").read_text()
    served = json.loads((round_output / "served" / "model.json").read_text())
    assert served["version"] == "0.0.2"
    history = json.loads((round_output / "run" / "student" / "history.json").read_text())
    assert history["epoch"] == 1


def test_a_round_worse_than_the_served_bundle_is_refused(round_output: Path, job_output: Path,
                                                        table_dataset: dict[str, str]) -> None:
    before = (round_output / "served" / "model.json").read_bytes()
    # A negative tolerance: any candidate is "worse"; the release stage must refuse and leave it aside.
    config = _config(round_output, job_output, -1.0, table_dataset)
    with pytest.raises(SystemExit, match=r"release refused: .*fine macro-F1 [0-9.]+ against"):
        _run(config, round_output / "strict.yaml", "release")
    assert (round_output / "served" / "model.json").read_bytes() == before
    assert (round_output / "run" / "candidate-bundle" / "model.json").is_file()
    assert json.loads((round_output / "reports" / "round-0.0.2-guard.json").read_text())["passed"] is False
