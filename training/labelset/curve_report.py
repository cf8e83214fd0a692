"""The quality curve's report: measured points beside published SetFit figures, how they were made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Published SetFit accuracy (%) on CARER ("emotion", SetFit/emotion on the hub: the same splits), mean ± sd
# over 10 samples of N examples per label, full test split (2,000): the results files the SetFit authors
# publish in github.com/huggingface/setfit (commit 0f8e322), final_results/setfit/<model>.tar.gz,
# emotion/train-<N>-<seed>/results.json. MPNet's are the paper's Table 2 figures (Tunstall et al. 2022).
PUBLISHED_SOURCE = ("huggingface/setfit @ 0f8e322, final_results/setfit/<model>.tar.gz, "
                    "emotion/train-<N>-<seed>/results.json (10 seeds)")
PUBLISHED: dict[str, dict[str, dict[int, str]]] = {
    "carer": {
        "SetFit, all-MiniLM-L6-v2 (our encoder)": {8: "39.1 ± 5.0"},
        "SetFit, paraphrase-mpnet-base-v2": {8: "48.8 ± 4.7", 16: "59.4 ± 4.3", 64: "76.2 ± 1.4"},
    },
}

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
    lines += ["", "## How it was made", "",
              "    nice -n 15 python -m training.labelset.curve      # defaults: both datasets, 0,8,16,64", "",
              f"Settings: `{json.dumps(settings)}`; every other build setting is the default of "
              "`training/labelset/settings.py` (MiniLM teacher and student, at most 1,280 contrastive pairs, "
              "max_length 64, keep_share 0.5, one thread).", "",
              f"Reductions for a shared 2-core CPU: the domain set is {settings['domain_texts']:,} train texts "
              f"(not the whole train split), the evaluation {settings['eval_texts']:,} single-label test texts, "
              "both sampled with the seed; contrastive pairs are capped (SetFit's 20 iterations would give "
              "2 × 20 × examples pairs); all-MiniLM-L6-v2 is the SetFit body (the issue's mpnet was not "
              "affordable); one sample per point (published figures are means of 10).", ""]
    for name, models in PUBLISHED.items():
        shots = sorted({n for figures in models.values() for n in figures})
        lines += [f"Published SetFit accuracy (%) on {name}, from {PUBLISHED_SOURCE}:", "",
                  "| model | " + " | ".join(f"{n} per label" for n in shots) + " |", "|---" * (len(shots) + 1) + "|"]
        lines += [f"| {model} | " + " | ".join(figures.get(n, "—") for n in shots) + " |"
                  for model, figures in models.items()]
        lines.append("")
    lines += _examples(results)
    return "\n".join(lines) + "\n"


def _examples(results: dict[str, Any]) -> list[str]:
    lines = ["## Examples per label", "",
             "Sampled once per dataset with the seed, among train texts with exactly one label; the point with "
             "N examples uses the first N of each list. GoEmotions: comment ids; CARER: `train-<line>` "
             "(0-based line of train.txt).", ""]
    for name, labels in results["examples"].items():
        lines.append(f"### {name}")
        lines += [f"- **{label}**: {', '.join(ids)}" for label, ids in labels.items()]
        lines.append("")
    return lines


def write_report(results: dict[str, Any], stem: Path) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    stem.with_suffix(".md").write_text(markdown(results))
