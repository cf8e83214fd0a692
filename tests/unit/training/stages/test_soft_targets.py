"""An ensemble teacher: a released bundle's logits, averaged with the teacher's head by head."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from devtools.tiny_bundle import build_tiny_bundle
from emotion_core import Classifier
from training.stages.soft_targets import bundle_logits, ensemble


def test_bundle_logits_are_the_served_models_raw_scores(tmp_path: Path) -> None:
    bundle = build_tiny_bundle(tmp_path / "bundle")
    texts = ["so happy and glad", "angry", "nothing here"]
    name, logits = bundle_logits(bundle, texts, threads=1)
    assert name == "tiny-test-bundle 0.0.1"
    assert set(logits) == {"fine", "ekman", "sentiment"} and logits["fine"].shape == (3, 28)
    served = Classifier.load(bundle).predict(texts, include_scores=True)
    fine_labels = list(served[0].scores["fine"])  # type: ignore[index]
    for row, prediction in enumerate(served):
        sigmoid = 1 / (1 + np.exp(-logits["fine"][row]))
        expected = [prediction.scores["fine"][label] for label in fine_labels]  # type: ignore[index]
        np.testing.assert_allclose(sigmoid, expected, atol=1e-4)


def test_ensemble_is_the_mean_logit_per_head() -> None:
    first = {"fine": np.array([[2.0, -2.0]]), "ekman": np.array([[1.0]])}
    second = {"fine": np.array([[0.0, 4.0]]), "ekman": np.array([[3.0]])}
    mean = ensemble([first, second])
    np.testing.assert_array_equal(mean["fine"], [[1.0, 1.0]])
    np.testing.assert_array_equal(mean["ekman"], [[2.0]])
