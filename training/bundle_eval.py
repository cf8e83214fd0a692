"""Served bundles side by side, through emotion_core exactly as users get them.

    python -m training.bundle_eval OLD_BUNDLE NEW_BUNDLE [--data ../shared/data/goemotions] [--out DIR]

For each bundle, on the GoEmotions test split with the thresholds and calibration it ships with:
macro-F1 per head (the labels the Prediction lists), the ECE of `confidence` on single-label
items, the mean score and precision of the fine labels it returns, and the challenge set per
category. Writes `bundles.json`, `bundles.md` and one reliability diagram per head (PNG).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from emotion_core import Classifier, Prediction
from training.calibration import Reliability, plot_reliability, reliability
from training.challenge import evaluate as evaluate_challenge
from training.challenge import load_items
from training.config import DataConfig
from training.data import Split, load_dataset
from training.metrics import f1_per_label

log = logging.getLogger("training")


def _decisions(predictions: list[Prediction], head: str, labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(predictions), len(labels)), np.float32)
    for row, prediction in enumerate(predictions):
        for entry in prediction.labels.get(head, ()):
            out[row, index[entry.label]] = 1.0
    return out


def _top1_reliability(predictions: list[Prediction], gold: np.ndarray, labels: list[str],
                      head: str) -> Reliability:
    """Confidence of the head's top label against single-label gold (the issue's ECE)."""
    single = gold.sum(axis=1) == 1
    confidence, correct = [], []
    for prediction, row, keep in zip(predictions, gold, single, strict=True):
        if not keep or prediction.scores is None:
            continue
        scores = prediction.scores[head]
        top = max(scores, key=lambda label: scores[label])
        confidence.append(scores[top])
        correct.append(float(labels.index(top) == int(row.argmax())))
    return reliability(np.array(confidence), np.array(correct))


def _returned_fine(predictions: list[Prediction], gold: np.ndarray, labels: list[str]) -> dict[str, float]:
    scores, right = [], []
    for prediction, row in zip(predictions, gold, strict=True):
        for entry in prediction.labels.get("fine", ()):
            scores.append(entry.score)
            right.append(float(row[labels.index(entry.label)] > 0))
    return {"returned": len(scores), "mean_score": round(float(np.mean(scores)), 4) if scores else 0.0,
            "precision": round(float(np.mean(right)), 4) if right else 0.0}


def evaluate_bundle(bundle_dir: Path, test: Split) -> dict[str, Any]:
    classifier = Classifier.load(bundle_dir, threads=2)
    predictions = classifier.predict(test.texts, include_scores=True)
    heads: dict[str, Any] = {}
    curves: dict[str, Reliability] = {}
    for head, labels in classifier.heads.items():
        if head not in test.targets:
            continue
        gold = test.targets[head]
        f1 = f1_per_label(gold, _decisions(predictions, head, labels))
        curves[head] = _top1_reliability(predictions, gold, labels, head)
        heads[head] = {"macro_f1": round(float(f1.mean()), 4), "top1_ece": curves[head].ece}
    if "fine" in classifier.heads and "fine" in test.targets:
        heads["fine"]["returned_labels"] = _returned_fine(predictions, test.targets["fine"], classifier.heads["fine"])
    meta = classifier.metadata
    return {
        "name": meta.get("name"), "version": meta.get("version"),
        "model_bytes": (bundle_dir / "model.onnx").stat().st_size,
        "heads": heads,
        "challenge": evaluate_challenge(classifier, load_items()),
        "_curves": curves,
    }


def markdown(results: list[dict[str, Any]]) -> str:
    names = [f"{r['name']} {r['version']}" for r in results]
    lines = ["| metric (GoEmotions test, as served) | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(results)]
    for head in results[0]["heads"]:
        lines.append(f"| {head} macro-F1 | " + " | ".join(str(r["heads"][head]["macro_f1"]) for r in results) + " |")
        lines.append(f"| {head} top-1 ECE | " + " | ".join(str(r["heads"][head]["top1_ece"]) for r in results) + " |")
    if "returned_labels" in results[0]["heads"].get("fine", {}):
        cells = [f"{r['heads']['fine']['returned_labels']['mean_score']} / "
                 f"{r['heads']['fine']['returned_labels']['precision']}" for r in results]
        lines.append("| fine labels returned: mean score / precision | " + " | ".join(cells) + " |")
    lines.append("| model.onnx size (MB) | " + " | ".join(f"{r['model_bytes'] / 1e6:.1f}" for r in results) + " |")
    lines += ["", "| challenge category | " + " | ".join(names) + " |", "|---|" + "---|" * len(results)]
    for category in results[0]["challenge"]:
        cells = [f"{r['challenge'][category]['right']}/{r['challenge'][category]['items']}" for r in results]
        lines.append(f"| {category} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def compare(bundles: list[Path], data_path: str, out: Path) -> list[dict[str, Any]]:
    test = load_dataset(DataConfig(kind="goemotions", path=data_path)).splits["test"]
    results = [evaluate_bundle(bundle, test) for bundle in bundles]
    out.mkdir(parents=True, exist_ok=True)
    for head in results[0]["_curves"]:
        plot_reliability(str(out / f"reliability-{head}.png"), f"{head}: top-1 confidence, GoEmotions test",
                         {f"{r['name']} {r['version']}": r["_curves"][head] for r in results if head in r["_curves"]})
    for result in results:
        result.pop("_curves")
    (out / "bundles.json").write_text(json.dumps(results, indent=2))
    (out / "bundles.md").write_text(markdown(results))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.bundle_eval", description=__doc__.splitlines()[0])
    parser.add_argument("bundles", nargs="+", type=Path)
    parser.add_argument("--data", default="../shared/data/goemotions")
    parser.add_argument("--out", type=Path, default=Path("training/output/bundle-eval"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    compare(args.bundles, args.data, args.out)
    log.info("%s", (args.out / "bundles.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
