"""Test-split evaluation of every model the job made (teacher, student fp32, student int8).

Thresholds are always tuned on dev and applied to test, per model: each model is judged with
the thresholds it would ship with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from training.data import Head, Split
from training.evaluation import evaluate, scores, tuned_thresholds
from training.metrics import top1_confusion
from training.results import MODEL_TITLES, Evaluation, ModelEvaluation

log = logging.getLogger("training")
LogitsOf = Callable[[list[str]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class ModelUnderTest:
    key: str  # TEACHER_FP32, STUDENT_FP32 or STUDENT_INT8
    logits_of: LogitsOf  # texts -> logits per head


def memoized(logits_of: LogitsOf) -> LogitsOf:
    """The same texts are scored once: the ensemble teacher reuses the teacher's logits."""
    seen: dict[tuple[str, ...], dict[str, np.ndarray]] = {}

    def cached(texts: list[str]) -> dict[str, np.ndarray]:
        key = tuple(texts)
        if key not in seen:
            seen[key] = logits_of(texts)
        return seen[key]

    return cached


def evaluate_model(logits_of: LogitsOf, dev: Split, test: Split, heads: dict[str, Head]) -> ModelEvaluation:
    dev_logits, test_logits = logits_of(dev.texts), logits_of(test.texts)
    thresholds = tuned_thresholds(dev_logits, dev, heads)
    report = evaluate(test_logits, test, heads, thresholds)
    for name, head in heads.items():
        if head.kind == "multi":
            report[name]["top1_confusion"] = top1_confusion(test.targets[name], scores(test_logits[name], head))
    rounded = {h: [round(float(x), 2) for x in t] for h, t in thresholds.items()}
    return ModelEvaluation(report, rounded)


def evaluate_models(models: list[ModelUnderTest], dev: Split, test: Split, heads: dict[str, Head]) -> Evaluation:
    results: dict[str, ModelEvaluation] = {}
    for model in models:
        log.info("evaluating %s", MODEL_TITLES[model.key])
        results[model.key] = evaluate_model(model.logits_of, dev, test, heads)
    return Evaluation(results)
