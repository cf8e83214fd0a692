"""The released bundle, as served by emotion_core, still scores what model.json says it scored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from emotion_core import Classifier
from training.config import DataConfig
from training.data import load_dataset
from training.metrics import f1_per_label

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "layers" / "model"
# GOEMOTIONS_DIR: for checkouts (such as git worktrees) that do not sit beside ../shared.
GOEMOTIONS = Path(os.environ.get("GOEMOTIONS_DIR", ROOT.parent / "shared" / "data" / "goemotions"))

pytestmark = [
    pytest.mark.skipif(not (BUNDLE / "model.json").is_file(), reason="no released bundle in layers/model/"),
    pytest.mark.skipif(not GOEMOTIONS.is_dir(),
                       reason=f"GoEmotions test split not found at {GOEMOTIONS} (set GOEMOTIONS_DIR)"),
]


@pytest.fixture(scope="module")
def served_decisions() -> tuple[dict, dict[str, np.ndarray], dict[str, np.ndarray]]:
    meta = json.loads((BUNDLE / "model.json").read_text())
    test = load_dataset(DataConfig(path=str(GOEMOTIONS))).splits["test"]
    classifier = Classifier.load(BUNDLE)
    predictions = classifier.predict(test.texts)
    decided = {}
    for head, info in meta["heads"].items():
        matrix = np.zeros((len(predictions), len(info["labels"])), np.float32)
        for row, prediction in enumerate(predictions):
            for item in prediction.labels[head]:
                matrix[row, info["labels"].index(item.label)] = 1.0
        decided[head] = matrix
    return meta, decided, test.targets


def test_recorded_metrics_hold_on_the_test_split(served_decisions: tuple) -> None:
    meta, decided, gold = served_decisions
    for head, recorded in meta["metrics"]["test"].items():
        measured = float(f1_per_label(gold[head], decided[head]).mean())
        # Training evaluated the same int8 graph; serving rounds nothing before thresholding,
        # so only float noise in tokenization batching may differ.
        assert measured == pytest.approx(recorded["macro_f1"], abs=0.005), head


def test_bundle_is_small_and_labelled_from_the_dataset(served_decisions: tuple) -> None:
    meta, _, _ = served_decisions
    assert (BUNDLE / "model.onnx").stat().st_size <= 30 * 1024 * 1024
    labels_txt = (GOEMOTIONS / "original" / "labels.txt").read_text().split()
    assert meta["heads"]["fine"]["labels"] == labels_txt


def test_a_text_gets_the_same_answer_alone_and_among_others(served_decisions: tuple) -> None:
    """Dynamic int8 takes activation ranges per model call; the core runs each window alone."""
    test = load_dataset(DataConfig(path=str(GOEMOTIONS))).splits["test"]
    texts = [*test.texts[:200], "word " * 400]  # and a long text of several windows
    classifier = Classifier.load(BUNDLE)
    together = classifier.predict(texts, include_scores=True)
    for text, among_others in zip(texts, together, strict=True):
        alone = classifier.predict([text], include_scores=True)[0]
        assert alone.labels == among_others.labels and alone.emotion == among_others.emotion
        for head, scores in alone.scores.items():  # type: ignore[union-attr]
            others = among_others.scores[head]  # type: ignore[index]
            assert max(abs(scores[label] - others[label]) for label in scores) <= 1e-4, head
