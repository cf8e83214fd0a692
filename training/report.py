"""Test-split evaluation of teacher, student fp32 and student int8, side by side.

Thresholds are always tuned on dev and applied to test, per model (each model is judged
with the thresholds it would ship with).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from training.export import ort_logits, session
from training.metrics import top1_confusion
from training.model import MultiHeadClassifier
from training.train import evaluate, predict_logits, scores, tuned_thresholds

if TYPE_CHECKING:
    from training.job import Job

log = logging.getLogger("training")

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


def _models(job: Job) -> list[tuple[str, Any]]:
    """(row name, logits function for a list of texts) for each model that exists."""
    rows: list[tuple[str, Any]] = []
    if job.config.teacher is not None and (job.out / "teacher" / "best").is_dir():
        teacher_cfg = job.config.teacher
        teacher = MultiHeadClassifier.load(job.out / "teacher" / "best")
        rows.append(
            (
                "teacher (PyTorch fp32)",
                lambda texts: predict_logits(
                    teacher, job.encoded(teacher_cfg, texts), job.tokenizer(teacher_cfg).pad_token_id, precision="fp32"
                ),
            )
        )
    stage = job.config.student
    pad = job.tokenizer(stage).pad_token_id
    student = MultiHeadClassifier.load(job.out / "student" / "best")
    rows.append(
        (
            "student (PyTorch fp32)",
            lambda texts: predict_logits(student, job.encoded(stage, texts), pad, precision="fp32"),
        )
    )
    export = json.loads((job.out / "student" / "onnx" / "export.json").read_text())
    int8 = session(Path(export["chosen"]["path"]))
    rows.append(("student (ONNX int8)", lambda texts: ort_logits(int8, job.encoded(stage, texts), pad)))
    return rows


def evaluate_all(job: Job) -> dict[str, Any]:
    cached = job.out / "eval.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    dev, test = job.dataset.splits["dev"], job.dataset.splits["test"]
    heads = job.dataset.heads
    results: dict[str, Any] = {}
    for name, logits_of in _models(job):
        log.info("evaluating %s", name)
        dev_logits, test_logits = logits_of(dev.texts), logits_of(test.texts)
        thresholds = tuned_thresholds(dev_logits, dev, heads)
        report = evaluate(test_logits, test, heads, thresholds)
        for head_name, head in heads.items():
            if head.kind == "multi":
                report[head_name]["top1_confusion"] = top1_confusion(
                    test.targets[head_name], scores(test_logits[head_name], head)
                )
        results[name] = {
            "test": report,
            "thresholds": {h: [round(float(x), 2) for x in t] for h, t in thresholds.items()},
        }
    cached.write_text(json.dumps(results, indent=2))
    return results


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_markdown(job: Job, results: dict[str, Any], export: dict[str, Any]) -> str:
    heads = job.dataset.heads
    names = list(results)
    lines = [
        f"# {job.config.release.name} {job.config.release.version} — evaluation on the {job.dataset.name} test split",
        "",
    ]
    lines += ["Thresholds tuned per label on dev, applied to test. `at 0.5` = one global threshold.", ""]
    header = (
        "| model | "
        + " | ".join(
            f"{h} accuracy" if heads[h].kind == "single" else f"{h} macro-F1 | {h} micro-F1 | {h} macro-F1 at 0.5"
            for h in heads
        )
        + " |"
    )
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    for name in names:
        cells = []
        for h in heads:
            r = results[name]["test"][h]
            if heads[h].kind == "single":
                cells.append(_fmt(r["accuracy"]))
            else:
                cells += [_fmt(r["macro_f1"]), _fmt(r["micro_f1"]), _fmt(r["at_0.5"]["macro_f1"])]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Published results on the same split",
        "",
        "| head | metric | model | value | ours (int8) |",
        "|---|---|---|---|---|",
    ]
    ours = results[names[-1]]["test"]
    for head, metric, model, value in PUBLISHED.get(job.dataset.name, []):
        if head in ours:
            lines.append(f"| {head} | {metric} | {model} | {value} | {_fmt(ours[head][metric])} |")
    lines += [
        "",
        "## Export and quantization",
        "",
        f"- PyTorch vs ONNX fp32, max |logit diff| on dev: {export['parity']['torch_vs_onnx_fp32_max_abs_diff']:.2e}",
        f"- fp32 ONNX size: {export['fp32_bytes'] / 1e6:.1f} MB; chosen int8: {export['chosen']['bytes'] / 1e6:.1f} MB "
        f"({json.dumps(export['chosen']['config'])})",
        f"- dev score drop fp32 → int8: {export['int8_dev_score_drop']:.4f}",
        "",
        "| int8 candidate | size MB | dev score | agreement with fp32 decisions |",
        "|---|---|---|---|",
    ]
    for c in export["candidates"]:
        lines.append(
            f"| {json.dumps(c['config'])} | {c['bytes'] / 1e6:.1f} | "
            f"{c['dev_score']:.4f} | {c['agreement_with_fp32']:.4f} |"
        )
    lines += [
        "",
        "## Per-label F1 (test)",
        "",
        "| head | label | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for h, head in heads.items():
        for label in head.labels:
            lines.append(
                f"| {h} | {label} | "
                + " | ".join(_fmt(results[n]["test"][h]["per_label_f1"][label]) for n in names)
                + " |"
            )
    for h, head in heads.items():
        key = "confusion" if head.kind == "single" else "top1_confusion"
        if h in ("ekman", "emotion"):
            matrix = results[names[-1]]["test"][h][key]
            lines += [
                "",
                f"## {h} confusion matrix, student int8 (rows gold, columns predicted top-1)",
                "",
                "| | " + " | ".join(head.labels) + " |",
                "|---|" + "---|" * len(head.labels),
            ]
            lines += [
                f"| {label} | " + " | ".join(str(v) for v in row) + " |"
                for label, row in zip(head.labels, matrix, strict=True)
            ]
    history = job.out / "student" / "history.json"
    if history.is_file():
        lines += ["", "## Training history (dev)", "", "```", history.read_text()[:4000], "```"]
    return "\n".join(lines) + "\n"


def write_report(job: Job) -> Path:
    results = evaluate_all(job)
    export = json.loads((job.out / "student" / "onnx" / "export.json").read_text())
    folder = Path(job.config.report_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{job.config.name}-{job.config.release.version}"
    (folder / f"{stem}.json").write_text(json.dumps({"results": results, "export": export}, indent=2))
    path = folder / f"{stem}.md"
    path.write_text(render_markdown(job, results, export))
    log.info("report: %s", path)
    return path


def int8_test_metrics(results: dict[str, Any]) -> dict[str, Any]:
    report = results["student (ONNX int8)"]["test"]
    return {
        h: {k: v for k, v in r.items() if k in ("macro_f1", "micro_f1", "accuracy", "n")} for h, r in report.items()
    }


def as_array(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)
