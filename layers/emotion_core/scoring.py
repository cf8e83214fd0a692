"""Logits -> calibrated scores per window, and a long text's windows -> one set of scores.

Calibration (model.json, fitted on dev by the training job): a head's logits are divided by its
`temperature` (softmax heads: Ekman and sentiment distributions in model 2.0), or mapped label by
label through Platt scaling sigmoid(a * logit + b) (`platt`, multi-label heads). Both are monotone,
so they change how far a score can be trusted, never which label ranks first.
"""

import numpy as np

from .bundle import Bundle, Head

NEUTRAL = "neutral"


def sigmoid(logits: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warnings for large negative logits, unlike 1 / (1 + exp(-x)).
    result: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * logits.astype(np.float64)))
    return result


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return result


def head_scores(head: Head, logits: np.ndarray) -> np.ndarray:
    """[windows, labels] logits -> calibrated scores in [0, 1]."""
    z = logits.astype(np.float64)
    if head.platt is not None:
        slopes = np.array([a for a, _ in head.platt])
        offsets = np.array([b for _, b in head.platt])
        return sigmoid(z * slopes + offsets)
    z = z / head.temperature
    return softmax(z) if head.activation == "softmax" else sigmoid(z)


def deciding_window(bundle: Bundle, primary_scores: np.ndarray) -> int | None:
    """The window carrying the strongest emotion of the primary head, or None when no window has a
    non-neutral label at or over its threshold."""
    head = bundle.heads[bundle.primary_head]
    emotional = [i for i, label in enumerate(head.labels) if label != NEUTRAL]
    if not emotional:
        return None
    values = primary_scores[:, emotional]
    carries = (values >= np.array(head.thresholds)[emotional]).any(axis=1)
    if not carries.any():
        return None
    return int(np.argmax(np.where(carries, values.max(axis=1), -1.0)))


def aggregate_windows(bundle: Bundle, scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One text's per-window scores ([windows, labels] per head) -> its scores (docs/prediction.md).

    The rule, so that one furious sentence is not outvoted by pages of neutral filler:
    - the deciding window is the one whose primary head shows the strongest non-neutral emotion over
      its threshold; without such a window the text is neutral as a whole;
    - single-choice heads (the primary head, the sentiment head, any softmax head) take the deciding
      window's scores, or the mean over windows when there is none;
    - multi-label heads take each emotion's maximum over windows (expressed anywhere = detected), and
      their `neutral` label the deciding window's score (or the mean), since one neutral window does
      not make an emotional text neutral.
    """
    if next(iter(scores.values())).shape[0] == 1:
        return {name: values[0] for name, values in scores.items()}
    deciding = deciding_window(bundle, scores[bundle.primary_head])
    single_choice = {bundle.primary_head, bundle.sentiment_head}
    result: dict[str, np.ndarray] = {}
    for name, values in scores.items():
        head = bundle.heads[name]
        chosen = values[deciding] if deciding is not None else values.mean(axis=0)
        if name in single_choice or head.activation == "softmax":
            result[name] = chosen
            continue
        combined = values.max(axis=0)
        for index, label in enumerate(head.labels):
            if label == NEUTRAL:
                combined[index] = chosen[index]
        result[name] = combined
    return result
