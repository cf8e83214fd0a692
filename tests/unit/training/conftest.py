"""Fixtures for the training tests: small table datasets written to temp folders."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import yaml

FINE = ["admiration", "anger", "fear", "gratitude", "joy", "sadness", "surprise", "neutral"]
EKMAN = {
    "admiration": "joy",
    "gratitude": "joy",
    "joy": "joy",
    "anger": "anger",
    "fear": "fear",
    "sadness": "sadness",
    "surprise": "surprise",
    "neutral": "neutral",
}
SENTIMENT = {
    "joy": "positive",
    "anger": "negative",
    "fear": "negative",
    "sadness": "negative",
    "surprise": "ambiguous",
    "neutral": "neutral",
}
WORDS = {
    "admiration": "amazing great work",
    "anger": "furious angry hate",
    "fear": "scared afraid terrified",
    "gratitude": "thanks thank grateful",
    "joy": "happy glad delighted",
    "sadness": "sad cry miss",
    "surprise": "wow whoa unexpected",
    "neutral": "the table is there",
}


def write_table(path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text", "fine", "ekman", "sentiment"])
        writer.writeheader()
        for i in range(n):
            label = FINE[i % len(FINE)]
            words = [*WORDS[label].split(), "today", "really", "so", "it", "was"]
            rng.shuffle(words)
            ekman = EKMAN[label]
            row = {
                "id": f"r{i}",
                "text": " ".join(words[: rng.randint(3, 7)]) + " " + WORDS[label].split()[0],
                "fine": label,
                "ekman": ekman,
                "sentiment": SENTIMENT[ekman],
            }
            if i % 10 == 9:  # some texts carry two emotions, as in GoEmotions: heads are multi-label
                row.update(
                    text=row["text"] + " wow",
                    fine=f"{label},surprise",
                    ekman=f"{ekman},surprise",
                    sentiment=f"{SENTIMENT[ekman]},ambiguous",
                )
            writer.writerow(row)


# CARER's text;label files, with `surprise` rare in train as in the real data.
CARER_TRAIN = {"sadness": 30, "joy": 30, "love": 8, "anger": 20, "fear": 20, "surprise": 4}


@pytest.fixture(scope="session")
def carer_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("carer")
    train = [f"i feel {label} number {i};{label}" for label, n in CARER_TRAIN.items() for i in range(n)]
    (folder / "train.txt").write_text("\n".join(train) + "\n")
    for name in ("val.txt", "test.txt"):
        (folder / name).write_text("".join(f"i feel {label} again;{label}\n" for label in CARER_TRAIN))
    return folder


@pytest.fixture(scope="session")
def table_dataset(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("table")
    files = {}
    for seed, (split, n) in enumerate((("train", 320), ("dev", 80), ("test", 80))):
        path = folder / f"{split}.csv"
        write_table(path, n, seed)
        files[split] = str(path)
    return files


@pytest.fixture(scope="session")
def job_output(table_dataset: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole training job on tiny random encoders, run once: its outputs, bundle and reports."""
    from training.job import main

    out = tmp_path_factory.mktemp("job")
    config = {
        "name": "pipeline",
        "seed": 3,
        "output_dir": str(out / "run"),
        "report_dir": str(out / "reports"),
        "data": {
            "kind": "table",
            "path": None,
            "files": table_dataset,
            "label_columns": {"fine": "fine", "ekman": "ekman", "sentiment": "sentiment"},
        },
        "teacher": {
            "model": {"base": "tiny-bert:64x2", "max_length": 32, "freeze_layers": 1},
            "optim": {"epochs": 2, "lr": 2.0e-3, "head_lr": 5.0e-3, "batch_size": 16},
        },
        "student": {
            "model": {"base": "tiny-bert:32x1", "max_length": 32},
            "optim": {
                "epochs": 2,
                "lr": 2.0e-3,
                "head_lr": 5.0e-3,
                "batch_size": 16,
                "pos_weight_power": 0.5,
                "average_best_and_last": True,
            },
        },
        "release": {"name": "pipeline-test", "version": "0.0.1", "bundle_dir": str(out / "bundle")},
        "augment": {"noisy_copies": 0.2},
        "export": {"calibrate": True, "distribution_heads": ["ekman", "sentiment"]},
        "threads": 1,
    }
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    assert main(["--config", str(path)]) == 0
    return out
