"""The evaluation report: teacher, student fp32 and student int8 side by side on the test split,
beside published results, with the export's parity figures (Markdown and JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from training.checkpoint import Progress
from training.data import Dataset, Head
from training.results import MODEL_TITLES, STUDENT_INT8, Evaluation, ExportResult

# Published results on the same test splits (../shared/data/README.md), for comparison.
PUBLISHED = {
    "goemotions": [
        ("fine", "macro_f1", "BERT-base (GoEmotions paper)", 0.46),
        ("fine", "macro_f1", "BERT (minfenli/GoEmotions)", 0.531),
        ("fine", "macro_f1", "RoBERTa-base, per-label thresholds (SamLowe)", 0.541),
        ("fine", "macro_f1", "RoBERTa-base int8 ONNX 125 MB, threshold 0.5 (SamLowe)", 0.447),
        ("fine", "macro_f1", "linear head on frozen all-MiniLM-L6-v2, tuned", 0.397),
        ("ekman", "macro_f1", "BERT-base (GoEmotions paper)", 0.64),
        ("sentiment", "macro_f1", "BERT-base (GoEmotions paper)", 0.69),
    ],
    "carer": [
        ("emotion", "accuracy", "DistilBERT-base (bhadresh-savani), hub-verified", 0.927),
        ("emotion", "accuracy", "BERT-base (same card)", 0.9405),
    ],
}
HISTORY_CHARS = 4000


@dataclass(frozen=True)
class Report:
    markdown: str
    data: dict[str, Any]  # the report's JSON


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _results_table(heads: dict[str, Head], evaluation: Evaluation) -> list[str]:
    header = (
        "| model | "
        + " | ".join(
            f"{h} accuracy" if heads[h].kind == "single" else f"{h} macro-F1 | {h} micro-F1 | {h} macro-F1 at 0.5"
            for h in heads
        )
        + " |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for key, model in evaluation.models.items():
        cells = []
        for h in heads:
            r = model.test[h]
            if heads[h].kind == "single":
                cells.append(_fmt(r["accuracy"]))
            else:
                cells += [_fmt(r["macro_f1"]), _fmt(r["micro_f1"]), _fmt(r["at_0.5"]["macro_f1"])]
        lines.append(f"| {MODEL_TITLES[key]} | " + " | ".join(cells) + " |")
    return lines


def _published(dataset_name: str, ours: dict[str, Any]) -> list[str]:
    lines = ["", "## Published results on the same split", ""]
    lines += ["| head | metric | model | value | ours (int8) |", "|---|---|---|---|---|"]
    for head, metric, model, value in PUBLISHED.get(dataset_name, []):
        if head in ours:
            lines.append(f"| {head} | {metric} | {model} | {value} | {_fmt(ours[head][metric])} |")
    return lines


def _export_section(export: ExportResult) -> list[str]:
    chosen = export.chosen
    lines = [
        "",
        "## Export and quantization",
        "",
        f"- PyTorch vs ONNX fp32, max |logit diff| on dev: {export.torch_vs_onnx_max_abs_diff:.2e}",
        f"- fp32 ONNX size: {export.fp32_bytes / 1e6:.1f} MB; chosen int8: {chosen.bytes / 1e6:.1f} MB "
        f"({json.dumps(chosen.config)})",
        f"- dev score drop fp32 → int8: {export.int8_dev_score_drop:.4f}",
        "",
        "| int8 candidate | size MB | dev score | agreement with fp32 decisions |",
        "|---|---|---|---|",
    ]
    for c in export.candidates:
        lines.append(
            f"| {json.dumps(c.config)} | {c.bytes / 1e6:.1f} | {c.dev_score:.4f} | {c.agreement_with_fp32:.4f} |"
        )
    return lines


def _per_label(heads: dict[str, Head], evaluation: Evaluation) -> list[str]:
    keys = list(evaluation.models)
    lines = ["", "## Per-label F1 (test)", ""]
    lines += ["| head | label | " + " | ".join(MODEL_TITLES[k] for k in keys) + " |", "|---|---|" + "---|" * len(keys)]
    for h, head in heads.items():
        for label in head.labels:
            values = (_fmt(evaluation.models[k].test[h]["per_label_f1"][label]) for k in keys)
            lines.append(f"| {h} | {label} | " + " | ".join(values) + " |")
    return lines


def _confusion(name: str, head: Head, report: dict[str, Any]) -> list[str]:
    matrix = report["confusion" if head.kind == "single" else "top1_confusion"]
    lines = ["", f"## {name} confusion matrix, student int8 (rows gold, columns predicted top-1)", ""]
    lines += ["| | " + " | ".join(head.labels) + " |", "|---|" + "---|" * len(head.labels)]
    lines += [
        f"| {label} | " + " | ".join(str(v) for v in row) + " |"
        for label, row in zip(head.labels, matrix, strict=True)
    ]
    return lines


def build_report(title: str, dataset: Dataset, primary: str, evaluation: Evaluation, export: ExportResult,
                 student_history: Progress | None) -> Report:
    """`title` names the release ("<name> <version>"); `primary` is the head whose confusion
    matrix is shown (the bundle's primary head)."""
    heads = dataset.heads
    ours = evaluation.models[STUDENT_INT8].test
    lines = [f"# {title} — evaluation on the {dataset.name} test split", ""]
    lines += ["Thresholds tuned per label on dev, applied to test. `at 0.5` = one global threshold.", ""]
    lines += _results_table(heads, evaluation)
    lines += _published(dataset.name, ours)
    lines += _export_section(export)
    lines += _per_label(heads, evaluation)
    lines += _confusion(primary, heads[primary], ours[primary])
    if student_history is not None:
        history = json.dumps(student_history.to_dict(), indent=2)[:HISTORY_CHARS]
        lines += ["", "## Training history (dev)", "", "```", history, "```"]
    data = {
        "results": evaluation.to_json(),
        "export": export.to_json(),
        "titles": {key: MODEL_TITLES[key] for key in evaluation.models},
    }
    return Report("\n".join(lines) + "\n", data)
