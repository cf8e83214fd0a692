"""An ensemble teacher: a released bundle's logits, averaged with the teacher's head by head."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from devtools.tiny_bundle import build_tiny_bundle
from emotion_core import Classifier
from training.results import SoftTargets
from training.stages.soft_targets import bundle_logits, ensemble, ensemble_logits_of, with_ensemble


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


def test_teacher_and_bundle_are_averaged_for_soft_targets_and_for_evaluation(tmp_path: Path) -> None:
    bundle = str(build_tiny_bundle(tmp_path / "bundle"))
    texts = ["so happy", "angry and sad"]
    _, served = bundle_logits(Path(bundle), texts, threads=1)
    teacher = {head: np.full_like(logits, 2.0) for head, logits in served.items()}
    soft = with_ensemble(SoftTargets(texts, 1, teacher), [bundle], threads=1)
    assert soft.texts == texts and soft.n_train == 1
    for head, logits in served.items():
        np.testing.assert_allclose(soft.logits[head], (logits + 2.0) / 2, rtol=1e-6)
    as_model = ensemble_logits_of(lambda batch: {h: np.full((len(batch), v.shape[1]), 2.0) for h, v in served.items()},
                                  [bundle], threads=1)
    for head, logits in as_model(texts).items():
        np.testing.assert_allclose(logits, soft.logits[head], rtol=1e-6)
