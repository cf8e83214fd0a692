"""Datasets: GoEmotions (three taxonomies), CARER, and generic CSV/JSONL tables.

Every loader returns the same shape — per split the texts, their ids, and one target matrix
per head — and is validated before any training starts, so a wrong file fails in seconds
with a message naming it, not hours later as a shape error.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from training.config import DataConfig

SPLITS = ("train", "dev", "test")
GOEMOTIONS_HEADS = {"fine": "original", "ekman": "ekman", "sentiment": "group"}
# dair-ai/emotion's class order (the label ids of the hub copy).
CARER_LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]


class DataError(ValueError):
    """A dataset file is missing, malformed, or inconsistent with the others."""


@dataclass
class Head:
    labels: list[str]
    # "multi" = independent sigmoids (BCE); "single" = one class per text (softmax CE).
    kind: str = "multi"


@dataclass
class Split:
    texts: list[str]
    ids: list[str]
    targets: dict[str, np.ndarray]  # head -> float32 [n, n_labels] (one-hot for single)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, n: int | None) -> Split:
        if n is None or n >= len(self):
            return self
        return Split(self.texts[:n], self.ids[:n], {h: t[:n] for h, t in self.targets.items()})


@dataclass
class Dataset:
    name: str
    heads: dict[str, Head]
    splits: dict[str, Split]
    sources: dict[str, str] = field(default_factory=dict)  # file -> sha256
    # What merging `data.feedback` did (training.feedback.dataset.MergeSummary), for the report.
    feedback_summary: dict[str, int] = field(default_factory=dict)

    def fingerprint(self) -> str:
        digest = hashlib.sha256(json.dumps(self.sources, sort_keys=True).encode())
        digest.update(json.dumps({h: v.labels for h, v in self.heads.items()}).encode())
        return digest.hexdigest()[:16]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_labels(path: Path) -> list[str]:
    if not path.is_file():
        raise DataError(f"{path}: labels file missing")
    labels = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if len(set(labels)) != len(labels):
        raise DataError(f"{path}: duplicate label names")
    return labels


def _multi_hot(indices: list[list[int]], n_labels: int, where: str) -> np.ndarray:
    out = np.zeros((len(indices), n_labels), dtype=np.float32)
    for row, idx in enumerate(indices):
        if not idx:
            raise DataError(f"{where}: line {row + 1} has no label")
        for i in idx:
            if not 0 <= i < n_labels:
                raise DataError(f"{where}: line {row + 1} has label index {i}, expected 0..{n_labels - 1}")
            out[row, i] = 1.0
    return out


def load_goemotions(root: Path) -> Dataset:
    if not root.is_dir():
        raise DataError(f"{root}: GoEmotions folder missing (expected original/, ekman/, group/)")
    heads: dict[str, Head] = {}
    splits: dict[str, Split] = {}
    sources: dict[str, str] = {}
    per_split: dict[str, dict[str, Any]] = {s: {} for s in SPLITS}
    for head, folder in GOEMOTIONS_HEADS.items():
        labels = _read_labels(root / folder / "labels.txt")
        heads[head] = Head(labels)
        for split in SPLITS:
            path = root / folder / f"{split}.tsv"
            if not path.is_file():
                raise DataError(f"{path}: split file missing")
            sources[str(path.relative_to(root))] = _sha256(path)
            texts, ids, indices = [], [], []
            with path.open(newline="", encoding="utf-8") as fh:
                for number, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                    if len(row) != 3:
                        raise DataError(f"{path}: line {number} has {len(row)} columns, expected 3")
                    text, label_field, comment_id = row
                    try:
                        idx = [int(x) for x in label_field.split(",") if x != ""]
                    except ValueError as err:
                        raise DataError(f"{path}: line {number}: labels {label_field!r} are not integers") from err
                    texts.append(text)
                    ids.append(comment_id)
                    indices.append(idx)
            entry = per_split[split]
            if "ids" in entry and entry["ids"] != ids:
                raise DataError(f"{path}: ids differ from the other taxonomies' {split} split")
            entry["ids"], entry["texts"] = ids, texts
            entry.setdefault("targets", {})[head] = _multi_hot(indices, len(labels), str(path))
    for split, entry in per_split.items():
        splits[split] = Split(entry["texts"], entry["ids"], entry["targets"])
    return Dataset("goemotions", heads, splits, sources)


def load_carer(root: Path) -> Dataset:
    files = {"train": "train.txt", "dev": "val.txt", "test": "test.txt"}
    splits: dict[str, Split] = {}
    sources: dict[str, str] = {}
    for split, name in files.items():
        path = root / name
        if not path.is_file():
            raise DataError(f"{path}: CARER split file missing")
        sources[name] = _sha256(path)
        texts, indices = [], []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text, sep, label = line.rpartition(";")
            if not sep or not text:
                raise DataError(f"{path}: line {number} is not 'text;label'")
            if label not in CARER_LABELS:
                raise DataError(f"{path}: line {number} has unknown label {label!r}; known: {CARER_LABELS}")
            texts.append(text)
            indices.append([CARER_LABELS.index(label)])
        ids = [f"{split}-{i}" for i in range(len(texts))]
        splits[split] = Split(texts, ids, {"emotion": _multi_hot(indices, len(CARER_LABELS), str(path))})
    return Dataset("carer", {"emotion": Head(list(CARER_LABELS), kind="single")}, splits, sources)


def _read_table(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DataError(f"{path}: file missing")
    if path.suffix == ".jsonl":
        rows = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise DataError(f"{path}: line {number} is not JSON ({err.msg})") from err
        return rows
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_table(config: DataConfig) -> Dataset:
    """CSV or JSONL with a text column and, per head, a column of label names.

    A label cell holds one name, several names separated by commas, or a JSON list.
    """
    if set(config.files) != set(SPLITS):
        raise DataError(f"data.files must name exactly the splits {list(SPLITS)}, got {sorted(config.files)}")
    if not config.label_columns:
        raise DataError("data.label_columns must map at least one head to a column")
    raw = {split: _read_table(Path(path)) for split, path in config.files.items()}
    heads: dict[str, Head] = {}
    parsed: dict[str, dict[str, list[list[str]]]] = {s: {} for s in SPLITS}
    for head, column in config.label_columns.items():
        for split, rows in raw.items():
            cells = []
            for number, row in enumerate(rows, 1):
                if config.text_column not in row or column not in row:
                    raise DataError(
                        f"{config.files[split]}: row {number} lacks column {config.text_column!r} or {column!r}"
                    )
                value = row[column]
                names = value if isinstance(value, list) else [v.strip() for v in str(value).split(",") if v.strip()]
                cells.append([str(n) for n in names])
            parsed[split][head] = cells
        labels = sorted({n for row in parsed["train"][head] for n in row})
        for split in ("dev", "test"):
            unseen = {n for row in parsed[split][head] for n in row} - set(labels)
            if unseen:
                raise DataError(f"{config.files[split]}: labels {sorted(unseen)} of {column!r} never occur in train")
        single = all(len(row) == 1 for split in SPLITS for row in parsed[split][head])
        heads[head] = Head(labels, kind="single" if single else "multi")
    splits = {}
    for split, rows in raw.items():
        texts = [str(r[config.text_column]) for r in rows]
        ids = [str(r.get("id", f"{split}-{i}")) for i, r in enumerate(rows)]
        targets = {
            head: _multi_hot(
                [[heads[head].labels.index(n) for n in row] for row in parsed[split][head]],
                len(heads[head].labels),
                config.files[split],
            )
            for head in heads
        }
        splits[split] = Split(texts, ids, targets)
    sources = {p: _sha256(Path(p)) for p in config.files.values()}
    return Dataset(Path(config.files["train"]).stem, heads, splits, sources)


def _from_hub(config: DataConfig) -> Dataset:
    import datasets  # type: ignore[import-not-found]  # optional: only when online

    if config.kind == "carer":
        hub = datasets.load_dataset(config.hub_id or "dair-ai/emotion", "split")
        splits = {}
        for split, name in (("train", "train"), ("dev", "validation"), ("test", "test")):
            part = hub[name]
            indices = [[int(x)] for x in part["label"]]
            splits[split] = Split(
                list(part["text"]),
                [f"{split}-{i}" for i in range(len(part))],
                {"emotion": _multi_hot(indices, len(CARER_LABELS), config.hub_id or "dair-ai/emotion")},
            )
        return Dataset("carer", {"emotion": Head(list(CARER_LABELS), "single")}, splits, {"hub": "dair-ai/emotion"})
    raise DataError(
        f"data.path {config.path!r} is missing; hub loading is only wired for CARER — "
        "for GoEmotions download the TSV splits (see ../shared/data/README.md)"
    )


def validate(dataset: Dataset) -> None:
    for split in SPLITS:
        if split not in dataset.splits or len(dataset.splits[split]) == 0:
            raise DataError(f"{dataset.name}: split {split!r} is missing or empty")
        part = dataset.splits[split]
        for head, info in dataset.heads.items():
            matrix = part.targets.get(head)
            if matrix is None or matrix.shape != (len(part), len(info.labels)):
                raise DataError(f"{dataset.name}/{split}: targets of head {head!r} have the wrong shape")
            if info.kind == "single" and not np.all(matrix.sum(axis=1) == 1):
                raise DataError(f"{dataset.name}/{split}: head {head!r} is single-label but a row has != 1 label")
        empty = [i for i, t in enumerate(part.texts) if not t.strip()]
        if empty:
            raise DataError(f"{dataset.name}/{split}: {len(empty)} empty texts (first at row {empty[0] + 1})")
    train = dataset.splits["train"]
    for head, info in dataset.heads.items():
        missing = [info.labels[i] for i in np.where(train.targets[head].sum(axis=0) == 0)[0]]
        if missing:
            raise DataError(f"{dataset.name}/train: head {head!r} has labels with no example: {missing}")


def load_dataset(config: DataConfig) -> Dataset:
    path = Path(config.path) if config.path else None
    if config.kind == "table":
        dataset = load_table(config)
    elif path is None or not path.exists():
        dataset = _from_hub(config)
    elif config.kind == "goemotions":
        dataset = load_goemotions(path)
    elif config.kind == "carer":
        dataset = load_carer(path)
    else:
        raise DataError(f"data.kind must be goemotions, carer or table, not {config.kind!r}")
    validate(dataset)
    dataset.splits["train"] = dataset.splits["train"].subset(config.max_train_examples)
    for split in ("dev", "test"):
        dataset.splits[split] = dataset.splits[split].subset(config.max_eval_examples)
    return dataset


FINE_HEAD = "fine"


def taxonomy(train: Split, heads: dict[str, Head]) -> dict[str, np.ndarray]:
    """Per other head, a [fine labels, head labels] 0/1 matrix: the head labels that train texts
    carrying only that fine label usually have (GoEmotions gives all taxonomies for every text)."""
    fine = train.targets[FINE_HEAD]
    single = fine.sum(axis=1) == 1
    result = {}
    for name in heads:
        if name == FINE_HEAD:
            continue
        other = train.targets[name]
        rows = np.zeros((fine.shape[1], other.shape[1]), np.float32)
        for label in range(fine.shape[1]):
            members = single & (fine[:, label] > 0)
            if members.any():
                rows[label] = other[members].mean(axis=0) >= 0.5
        result[name] = rows
    return result


def targets_from_fine(fine_labels: Sequence[Sequence[str]], train: Split,
                      heads: dict[str, Head]) -> dict[str, np.ndarray]:
    """Targets of every head for texts known by their fine labels: the others through `taxonomy`."""
    labels = heads[FINE_HEAD].labels
    fine = np.zeros((len(fine_labels), len(labels)), np.float32)
    for row, names in enumerate(fine_labels):
        fine[row, [labels.index(name) for name in names]] = 1.0
    mapped = {name: np.clip(fine @ matrix, 0.0, 1.0) for name, matrix in taxonomy(train, heads).items()}
    return {FINE_HEAD: fine, **mapped}


def load_transfer_texts(paths: list[str]) -> list[str]:
    """Unlabeled texts for distillation: lines of a text file, or the text field of CARER lines."""
    texts: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise DataError(f"{path}: transfer file missing")
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.rpartition(";")[0] if path.suffix == ".txt" and ";" in line else line
            if text.strip():
                texts.append(text.strip())
    return texts
