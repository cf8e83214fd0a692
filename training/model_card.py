"""The model card (the bundle's README.md), written from the config's dataset: its name, source,
heads and labels, and how well each label is represented in training."""

from __future__ import annotations

from typing import Any

from training.config import DataConfig
from training.data import Dataset, Head

# What the texts of a known dataset are; any other dataset is described by its name and source.
DATASET_TEXTS = {
    "goemotions": "English Reddit comments (GoEmotions, Demszky et al. 2020)",
    "carer": "English tweets (CARER, Saravia et al. 2018)",
}
RARE_LABELS_SHOWN = 4


def dataset_source(data: DataConfig) -> str:
    if data.kind == "table":
        return ", ".join(f"{split}: `{path}`" for split, path in sorted(data.files.items()))
    if data.path:
        return f"`{data.path}`" + (f" (hub copy: `{data.hub_id}`)" if data.hub_id else "")
    return f"hub dataset `{data.hub_id}`"


def least_represented(dataset: Dataset, name: str, count: int = RARE_LABELS_SHOWN) -> list[tuple[str, int]]:
    """Up to `count` labels of the head with under half its mean number of training examples, fewest first."""
    totals = dataset.splits["train"].targets[name].sum(axis=0)
    pairs = sorted(zip(dataset.heads[name].labels, (int(t) for t in totals), strict=True), key=lambda p: p[1])
    return [(label, n) for label, n in pairs if n < totals.mean() / 2][:count]


def _kind(head: Head, served: dict[str, Any]) -> str:
    """The gold labels' kind, and how the bundle scores the head (a calibrated softmax for some)."""
    gold = "single-label" if head.kind == "single" else "multi-label"
    scoring = served.get("activation", "softmax" if head.kind == "single" else "sigmoid")
    if served.get("temperature", 1.0) != 1.0:
        scoring += f", temperature {served['temperature']}"
    if served.get("platt"):
        scoring += ", Platt-calibrated per label"
    return f"{gold} ({scoring})"


def _heads_table(dataset: Dataset, meta: dict[str, Any]) -> list[str]:
    lines = ["| head | kind | labels |", "|---|---|---|"]
    for name, head in dataset.heads.items():
        marker = " (primary)" if name == meta["primary"] else ""
        kind = _kind(head, meta["heads"].get(name, {}))
        lines.append(f"| {name}{marker} | {kind} | {len(head.labels)}: {', '.join(head.labels)} |")
    return lines


def _metrics_table(meta: dict[str, Any]) -> list[str]:
    lines = ["| head | labels | macro-F1 | micro-F1 | accuracy |", "|---|---|---|---|---|"]
    for name, metrics in meta["metrics"]["test"].items():
        cells = " | ".join(f"{metrics.get(k, '-')}" for k in ("macro_f1", "micro_f1", "accuracy"))
        lines.append(f"| {name} | {len(meta['heads'][name]['labels'])} | {cells} |")
    return lines


def _limits(meta: dict[str, Any], dataset: Dataset, texts: str) -> list[str]:
    rare = {name: least_represented(dataset, name) for name in dataset.heads}
    rare_text = "; ".join(
        f"{name}: " + ", ".join(f"{label} ({n})" for label, n in pairs) for name, pairs in rare.items() if pairs
    )
    lines = [
        f"Emotions as expressed in short English text like the training texts: {texts}.",
        "Labels are annotators' readings, not a person's state.",
    ]
    if rare_text:
        lines.append(f"Labels with few training examples are the least reliable: {rare_text}.")
    lines.append(f"Texts longer than {meta['max_length']} tokens are read in overlapping windows.")
    return lines


def model_card(meta: dict[str, Any], dataset: Dataset, data: DataConfig, report_path: str) -> str:
    """`meta` is the bundle's model.json content (without `files`)."""
    texts = DATASET_TEXTS.get(dataset.name, f"the {dataset.name} dataset")
    origin = (
        f"distilled from {meta['teacher_model']}"
        if meta["teacher_model"]
        else "fine-tuned on the gold labels (no distillation: see the report)"
    )
    heads = f"{len(dataset.heads)} head{'s' if len(dataset.heads) > 1 else ''} ({', '.join(dataset.heads)})"
    sizes = ", ".join(f"{split} {len(part):,}" for split, part in dataset.splits.items())
    lines = [
        f"# {meta['name']} {meta['version']}",
        "",
        f"An int8-quantized ONNX emotion classifier: one {meta['base_model']} encoder with {heads},",
        f"{origin}. Served by `emotion_core`; its `emotion` field comes from the `{meta['primary']}` head.",
        "",
        "## Heads",
        *_heads_table(dataset, meta),
        "",
        f"## Training data: {dataset.name}",
        f"{texts}; source {dataset_source(data)}; {sizes} texts (file checksums in `model.json`).",
        "",
        f"## Test-split results ({dataset.name}, thresholds tuned on dev)",
        *_metrics_table(meta),
        "",
        f"Full report: `{report_path}`.",
        "",
        "## Intended use and limits",
        *_limits(meta, dataset, texts),
    ]
    return "\n".join(lines) + "\n"
