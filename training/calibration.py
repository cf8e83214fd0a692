"""Score calibration fitted on dev: temperatures for distribution heads, Platt scaling per label.

`fit_calibration` is the calibration stage's work: distribution heads (`export.distribution_heads`,
Ekman and sentiment for GoEmotions) become softmax over logits / a fitted temperature, other
multi-label heads get Platt scaling per label, single-label heads a temperature. `as_logits` turns
calibrated scores back into logits of the head's usual activation, so threshold tuning and the
reports downstream work on calibrated scores unchanged.

Model 1.0.0 reported raw sigmoids: an Ekman confidence of 0.90 was right 68 % of the time (ECE
0.163) and the seven Ekman sigmoids summed to 1.36. Here the Ekman and sentiment heads become
softmax distributions over their logits divided by one temperature, and every fine label gets its
own Platt scaling sigmoid(a * logit + b). Both are fitted on dev by maximum likelihood and are
monotone, so they change scores, not rankings; thresholds are re-tuned on the calibrated scores.
The fitted parameters go into model.json, and emotion_core applies them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.data import Head, Split

ECE_BINS = 15


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits.astype(np.float64) / temperature
    z -= z.max(axis=-1, keepdims=True)
    exp = np.exp(z)
    result: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return result


def _distribution_targets(targets: np.ndarray) -> np.ndarray:
    """Multi-hot rows as distributions (a text with two Ekman labels gives each 0.5)."""
    counts = targets.sum(axis=1, keepdims=True)
    keep = counts[:, 0] > 0
    result: np.ndarray = targets[keep] / counts[keep]
    return result


def _golden_section(f: Callable[[float], float], low: float, high: float, steps: int = 60) -> float:
    """Minimum of a unimodal function on [low, high]; no scipy at training time."""
    ratio = (math.sqrt(5) - 1) / 2
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(steps):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The T minimising the cross-entropy of softmax(logits / T) against the (multi-hot) targets."""
    keep = targets.sum(axis=1) > 0
    z, goal = logits[keep].astype(np.float64), _distribution_targets(targets)

    def nll(log_t: float) -> float:
        probs = softmax(z, math.exp(log_t))
        return float(-(goal * np.log(np.clip(probs, 1e-12, 1.0))).sum(axis=1).mean())

    return round(math.exp(_golden_section(nll, math.log(0.05), math.log(20.0))), 4)


@dataclass(frozen=True)
class Platt:
    a: float
    b: float

    def apply(self, logits: np.ndarray) -> np.ndarray:
        result: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * (self.a * logits.astype(np.float64) + self.b)))
        return result


def fit_platt(logits: np.ndarray, positive: np.ndarray, iterations: int = 50) -> Platt:
    """Platt's method with his smoothed targets, so a rare label (grief: a handful of dev positives)
    does not get a scale fitted to three points; Newton steps with a small ridge for stability."""
    x = logits.astype(np.float64)
    y = positive.astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    target = np.where(y, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(a: float, b: float) -> float:
        z = a * x + b  # log(1 + e^z) - t z, written to stay finite for large |z|
        return float((np.logaddexp(0.0, z) - target * z).mean() + 1e-4 * (a - 1.0) ** 2)

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(iterations):
        p = 0.5 * (1.0 + np.tanh(0.5 * (a * x + b)))
        w = np.clip(p * (1 - p), 1e-9, None)
        grad = np.array([((p - target) * x).mean() + 2e-4 * (a - 1.0), (p - target).mean()])
        hess = np.array([[(w * x * x).mean() + 2e-4, (w * x).mean()], [(w * x).mean(), w.mean() + 1e-9]])
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while scale > 1e-4 and loss(a - scale * step[0], b - scale * step[1]) > current:
            scale /= 2  # backtrack: a full Newton step can overshoot on separable rare labels
        a, b = a - scale * float(step[0]), b - scale * float(step[1])
        previous, current = current, loss(a, b)
        if previous - current < 1e-10:
            break
    # A non-positive slope would reverse the label's ranking; keep the identity scale instead.
    return Platt(round(a, 6), round(b, 6)) if a > 0 else Platt(1.0, 0.0)


@dataclass(frozen=True)
class Reliability:
    ece: float
    bin_confidence: list[float]
    bin_accuracy: list[float]
    bin_count: list[int]


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> Reliability:
    """Expected calibration error over equal-width confidence bins, with the bins for a diagram."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    conf, acc, count = [], [], []
    ece = 0.0
    for b in range(bins):
        members = index == b
        n = int(members.sum())
        count.append(n)
        if n == 0:
            conf.append(float("nan"))
            acc.append(float("nan"))
            continue
        mean_conf, mean_acc = float(confidence[members].mean()), float(correct[members].mean())
        conf.append(mean_conf)
        acc.append(mean_acc)
        ece += n / len(confidence) * abs(mean_conf - mean_acc)
    return Reliability(round(ece, 4), conf, acc, count)


def plot_reliability(path: str, title: str, curves: dict[str, Reliability]) -> None:
    """One reliability diagram (confidence vs accuracy per bin) with a curve per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    for name, curve in curves.items():
        points = [(c, a) for c, a, n in zip(curve.bin_confidence, curve.bin_accuracy, curve.bin_count, strict=True)
                  if n > 0]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{name} (ECE {curve.ece:.3f})")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


EPSILON = 1e-7


@dataclass(frozen=True)
class HeadCalibration:
    activation: str  # as served: "sigmoid" or "softmax"
    temperature: float = 1.0
    platt: tuple[Platt, ...] | None = None

    def scores(self, logits: np.ndarray) -> np.ndarray:
        if self.platt is not None:
            return np.stack([p.apply(logits[:, i]) for i, p in enumerate(self.platt)], axis=1)
        if self.activation == "softmax":
            return softmax(logits, self.temperature)
        result: np.ndarray = 1.0 / (1.0 + np.exp(-logits.astype(np.float64) / self.temperature))
        return result

    def model_json(self) -> dict[str, Any]:
        """The head's calibration keys in model.json (docs/bundle-format.md)."""
        entry: dict[str, Any] = {"activation": self.activation, "temperature": self.temperature}
        if self.platt is not None:
            entry["platt"] = [[p.a, p.b] for p in self.platt]
        return entry

    def to_json(self) -> dict[str, Any]:
        return self.model_json()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> HeadCalibration:
        platt = tuple(Platt(a, b) for a, b in raw["platt"]) if raw.get("platt") else None
        return cls(raw["activation"], float(raw.get("temperature", 1.0)), platt)


@dataclass(frozen=True)
class Calibration:
    heads: dict[str, HeadCalibration]

    def as_logits(self, logits: dict[str, np.ndarray], kinds: dict[str, str]) -> dict[str, np.ndarray]:
        """Logits whose plain activation (sigmoid for multi-label, softmax for single-label heads)
        gives the calibrated scores."""
        out = {}
        for name, values in logits.items():
            calibrated = self.heads[name].scores(values)
            if kinds[name] == "single":
                out[name] = np.log(np.clip(calibrated, EPSILON, 1.0))
            else:
                clipped = np.clip(calibrated, EPSILON, 1 - EPSILON)
                out[name] = np.log(clipped) - np.log1p(-clipped)
        return out

    def to_json(self) -> dict[str, Any]:
        return {name: head.to_json() for name, head in self.heads.items()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Calibration:
        return cls({name: HeadCalibration.from_json(entry) for name, entry in raw.items()})


def identity(heads: dict[str, Head]) -> Calibration:
    """Uncalibrated scores, as 1.0.0 served them."""
    return Calibration({name: HeadCalibration("softmax" if h.kind == "single" else "sigmoid") for name, h in
                        heads.items()})


def fit_calibration(dev_logits: dict[str, np.ndarray], dev: Split, heads: dict[str, Head],
                    distribution_heads: list[str]) -> Calibration:
    unknown = set(distribution_heads) - set(heads)
    if unknown:
        raise ValueError(f"export.distribution_heads names {sorted(unknown)}, not heads of the dataset {list(heads)}")
    result = {}
    for name, head in heads.items():
        logits, gold = dev_logits[name], dev.targets[name]
        if head.kind == "single" or name in distribution_heads:
            result[name] = HeadCalibration("softmax", fit_temperature(logits, gold))
        else:
            platt = tuple(fit_platt(logits[:, i], gold[:, i] > 0) for i in range(logits.shape[1]))
            result[name] = HeadCalibration("sigmoid", platt=platt)
    return Calibration(result)
