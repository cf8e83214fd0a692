"""`release.guard_bundle`: a new bundle replaces the served one only if it is not worse on GoEmotions
test, both measured as served (emotion_core, their own thresholds and calibration), beyond
`release.max_test_drop` on any head. Used by feedback rounds: corrections must not cost the
taxonomy everyone else relies on. The verdict and the before/after figures — GoEmotions test and the
held-out feedback — are written as a report either way.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emotion_core import Classifier
from training.bundle_eval import evaluate_bundle
from training.data import Split

log = logging.getLogger("training")


@dataclass(frozen=True)
class GuardVerdict:
    passed: bool
    # head -> (guard bundle's macro-F1, candidate's); a drop beyond the tolerance refuses the release
    test_f1: dict[str, tuple[float, float]]
    reasons: list[str]


def feedback_agreement(bundle: Path, holdout: Split, fine_labels: list[str]) -> dict[str, Any]:
    """On held-out corrections: how often the label the person picked is among the returned fine
    labels, and how often the top emotion is one of the corrected Ekman labels."""
    classifier = Classifier.load(bundle, threads=2)
    predictions = classifier.predict(holdout.texts)
    picked = sum(
        1 for prediction, row in zip(predictions, holdout.targets["fine"], strict=True)
        if {fine_labels[i] for i, v in enumerate(row) if v} & {e.label for e in prediction.labels.get("fine", ())})
    ekman = classifier.heads.get("ekman", [])
    top_right = sum(
        1 for prediction, row in zip(predictions, holdout.targets.get("ekman", []), strict=False)
        if prediction.emotion in {ekman[i] for i, v in enumerate(row) if v})
    return {"items": len(holdout), "corrected_label_returned": picked, "top_emotion_right": top_right}


def judge(guard: dict[str, Any], candidate: dict[str, Any], max_drop: float) -> GuardVerdict:
    test_f1, reasons = {}, []
    for head, figures in guard["heads"].items():
        before, after = figures["macro_f1"], candidate["heads"][head]["macro_f1"]
        test_f1[head] = (before, after)
        if before - after > max_drop:
            reasons.append(f"{head} macro-F1 {after:.4f} against {before:.4f} (a drop of {before - after:.4f}, "
                           f"over release.max_test_drop {max_drop})")
    return GuardVerdict(not reasons, test_f1, reasons)


def _markdown(verdict: GuardVerdict, names: tuple[str, str], feedback: dict[str, Any], merged: dict[str, int],
              max_drop: float) -> str:
    lines = [f"# Release guard: {names[1]} against {names[0]}", "",
             f"**{'released' if verdict.passed else 'refused'}** (tolerance {max_drop} macro-F1 per head)"
             + "".join(f"\n- {reason}" for reason in verdict.reasons), "",
             f"| GoEmotions test, as served | {names[0]} | {names[1]} |", "|---|---|---|"]
    lines += [f"| {head} macro-F1 | {before} | {after} |" for head, (before, after) in verdict.test_f1.items()]
    if feedback:
        lines += ["", f"| held-out feedback ({feedback['guard']['items']} corrections) | {names[0]} | {names[1]} |",
                  "|---|---|---|"]
        for key, label in (("corrected_label_returned", "corrected fine label returned"),
                           ("top_emotion_right", "top emotion among the corrected Ekman labels")):
            lines.append(f"| {label} | {feedback['guard'][key]} | {feedback['candidate'][key]} |")
    if merged:
        lines += ["", "Feedback merged into training: " + ", ".join(f"{k.replace('_', ' ')} {v}"
                                                                     for k, v in merged.items())]
    return "\n".join(lines) + "\n"


def guard_release(guard: Path, candidate: Path, test: Split, holdout: Split | None, fine_labels: list[str],
                  max_drop: float, report: Path, merged: dict[str, int]) -> GuardVerdict:
    """Measure both bundles, write `report` (.md and .json), and return the verdict."""
    before, after = evaluate_bundle(guard, test), evaluate_bundle(candidate, test)
    verdict = judge(before, after, max_drop)
    feedback = ({"guard": feedback_agreement(guard, holdout, fine_labels),
                 "candidate": feedback_agreement(candidate, holdout, fine_labels)} if holdout else {})
    names = (f"{before['name']} {before['version']}", f"{after['name']} {after['version']}")
    report.parent.mkdir(parents=True, exist_ok=True)
    # Not with_suffix: the stem holds the version's dots ("goemotions-2.1.0-guard").
    markdown_path, json_path = report.parent / f"{report.name}.md", report.parent / f"{report.name}.json"
    markdown_path.write_text(_markdown(verdict, names, feedback, merged, max_drop))
    figures = {"passed": verdict.passed, "reasons": verdict.reasons, "test_macro_f1": verdict.test_f1,
               "feedback": feedback, "merged": merged, "challenge": {"guard": before["challenge"],
                                                                     "candidate": after["challenge"]}}
    json_path.write_text(json.dumps(figures, indent=2))
    log.info("release guard: %s (%s)", "passed" if verdict.passed else "refused", markdown_path)
    return verdict
