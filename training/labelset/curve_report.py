"""The quality curve's report: measured points beside published SetFit figures, how they were made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Published few-shot figures on the same datasets, shown beside ours (filled in only from a cited source).
PUBLISHED: dict[str, list[dict[str, Any]]] = {}


def _cell(point: dict[str, Any], key: str) -> str:
    scores = point.get(key)
    return f"{scores['accuracy']:.3f} / {scores['macro_f1']:.3f}" if scores else "—"


def markdown(results: dict[str, Any]) -> str:
    settings = results["settings"]
    lines = ["# Label-set models: quality curve", "",
             "Accuracy / macro-F1 on a fixed-seed sample of each test split (single-label texts), for 0 "
             "(descriptions only), 8, 16 and 64 examples per label. Teacher = all-MiniLM-L6-v2 contrastively "
             "fine-tuned on the examples with a logistic-regression head (the SetFit method; zero-shot "
             "similarity to the descriptions at 0). Student = the served int8 bundle, MiniLM-L6 distilled from "
             "the teacher's confident pseudo-labels of the domain texts.", "",
             "| dataset | examples per label | teacher acc / macro-F1 | served int8 student acc / macro-F1 "
             "| pseudo-labels kept / domain texts | build seconds |", "|---|---|---|---|---|---|"]
    for point in results["points"]:
        lines.append(f"| {point['dataset']} | {point['shots']} | {_cell(point, 'teacher')} | "
                     f"{_cell(point, 'student_int8')} | {point['pseudo_labelled_kept']} / {point['domain_texts']} | "
                     f"{point['build_seconds']} |")
    lines += ["", f"Settings: `{json.dumps(settings)}`", ""]
    for name, rows in PUBLISHED.items():
        lines += [f"Published ({name}):", *[f"- {row}" for row in rows], ""]
    return "\n".join(lines) + "\n"


def write_report(results: dict[str, Any], stem: Path) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    stem.with_suffix(".md").write_text(markdown(results))
