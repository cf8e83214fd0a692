"""A tiny label set (two labels, a generated domain CSV, tiny random encoders) that builds in seconds."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest
import yaml

WORDS = {"angry": "hate furious angry annoyed broken awful", "happy": "happy glad delighted thanks great love"}


def write_labelset(folder: Path) -> Path:
    rng = random.Random(1)
    with (folder / "domain.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "body"])
        for i in range(90):
            words = WORDS["angry" if i % 2 else "happy"].split()
            writer.writerow([i, " ".join(rng.sample(words, 3)) + f" ticket {i}"])
    raw = {
        "name": "tiny-tickets",
        "labels": [
            {"name": "happy", "description": "happy glad delighted thanks",
             "examples": ["so happy with it", "glad it works now", "delighted thanks a lot"]},
            {"name": "angry", "description": "furious angry hate it",
             "examples": ["i hate this so much", "this makes me furious", "angry about the outage"]},
        ],
        "domain": {"path": "domain.csv", "column": "body"},
        "build": {"encoder": "tiny-bert:32x1", "student": "tiny-bert:32x1", "max_length": 32, "pair_iterations": 2,
                  "student_epochs": 1, "student_lr": 0.002, "student_head_lr": 0.005,
                  "output_root": str(folder / "out"), "report_dir": str(folder / "reports")},
    }
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def build_labelset_models(folder: Path) -> Path:
    """Build the tiny label set with the real command and lay its bundle out as a MODELS_DIR."""
    from training.labelset.__main__ import main as labelset_main

    assert labelset_main(["build", str(write_labelset(folder))]) == 0
    models = folder / "models"
    shutil.copytree(folder / "out" / "tiny-tickets" / "bundle", models / "tiny-tickets")
    return models


@pytest.fixture(scope="session")
def labelset_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_labelset_models(tmp_path_factory.mktemp("labelset"))
