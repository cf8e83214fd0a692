"""The whole label-set build on tiny random encoders: YAML → teacher → pseudo-labels → the training
job → an int8 bundle emotion_core serves, with the label set in its model card."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from emotion_core import Classifier
from tests.helpers.labelset import write_labelset
from training.labelset.__main__ import main
from training.labelset.head import fit_head
from training.labelset.pseudo import select_confident
from training.labelset.setfit import make_pairs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("labelset")
    assert main(["build", str(write_labelset(folder)), "--set", "version=\"0.0.1\""]) == 0
    return folder


def test_the_bundle_serves_the_label_sets_labels(built: Path) -> None:
    bundle = built / "out" / "tiny-tickets" / "bundle"
    meta = json.loads((bundle / "model.json").read_text())
    assert meta["name"] == "tiny-tickets" and meta["version"] == "0.0.1" and meta["primary"] == "label"
    assert meta["heads"]["label"]["labels"] == ["angry", "happy"]
    assert meta["heads"]["label"]["activation"] == "softmax"  # a single-label set
    classifier = Classifier.load(bundle, threads=1)
    predictions = classifier.predict(["so furious and angry", "thanks, delighted"], include_scores=True)
    assert all(p.emotion in {"angry", "happy"} for p in predictions)
    assert meta["provenance"]["training_config"]["data"]["label_columns"] == {"label": "labels"}


def test_the_card_names_the_label_set_and_the_report_exists(built: Path) -> None:
    card = (built / "out" / "tiny-tickets" / "bundle" / "README.md").read_text()
    assert "## Label set `tiny-tickets`" in card and "| angry | furious angry hate it | 3 |" in card
    assert "agreement with the teacher" in card
    assert (built / "reports" / "tiny-tickets-0.0.1.md").is_file()


def test_resolved_settings_and_job_config_sit_beside_the_artifacts(built: Path) -> None:
    root = built / "out" / "tiny-tickets"
    summary = json.loads((root / "labelset.json").read_text())
    assert summary["settings"]["keep_share"] == 0.5 and summary["settings"]["version"] == "0.0.1"
    assert summary["teacher"].startswith("SetFit") and summary["domain_texts"] == 90
    assert sum(summary["table_rows"].values()) == summary["pseudo_labelled_kept"] + 6
    job = yaml.safe_load((root / "job.yaml").read_text())
    assert job["teacher"] is None and job["student"]["model"]["base"] == "tiny-bert:32x1"
    dev = [json.loads(line) for line in (root / "data" / "tiny-tickets-dev.jsonl").read_text().splitlines()]
    train = (root / "data" / "tiny-tickets.jsonl").read_text()
    assert dev and all(row["text"] not in train for row in dev)  # the held-out slice is not trained on


def test_pairs_are_same_and_other_label_partners() -> None:
    labels = [0, 0, 1, 1, 2]
    pairs = make_pairs(labels, iterations=3, max_pairs=100, seed=1)
    assert len(pairs) == 30
    assert all((labels[p.first] == labels[p.second]) == p.similar for p in pairs)
    assert len(make_pairs(labels, iterations=3, max_pairs=7, seed=1)) == 7


def test_confident_selection_keeps_a_share_per_label_and_tops_up_rare_labels() -> None:
    probs = np.array([[0.9, 0.05, 0.05], [0.6, 0.3, 0.1], [0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1]])
    pseudo = select_confident([f"t{i}" for i in range(5)], probs, multi_label=False, keep_share=0.5, min_per_label=1)
    # Label 2 is nobody's top label: the text scoring highest for it (t1; ties go to the first) joins it.
    assert {text: labels[0] for text, labels in zip(pseudo.texts, pseudo.labels, strict=True)} == {
        "t0": 0, "t2": 0, "t4": 1, "t1": 2}


def test_the_head_separates_separable_embeddings() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(1, 0.3, (20, 4)), rng.normal(-1, 0.3, (20, 4))]).astype(np.float32)
    y = np.zeros((40, 2), dtype=np.float32)
    y[:20, 0] = y[20:, 1] = 1
    head = fit_head(x, y, multi_label=False, l2=1e-3, steps=50, seed=0)
    assert (head.probabilities(x).argmax(axis=1) == y.argmax(axis=1)).all()
