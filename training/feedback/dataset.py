"""Feedback items (the export's JSONL) merged into a GoEmotions-shaped dataset.

A line: ``{"id": str, "text": str, "labels": {"fine": [...], "ekman": [...], ...}}`` (other keys, such
as the model that answered, are ignored here). The fine labels are what trains: the other heads'
targets follow from them through the taxonomy read off the train split (`training.data.taxonomy`),
so a correction cannot contradict itself across heads. A correction of a coarser head only is
counted, not trained on: it says nothing about the fine labels.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from training.config import DataConfig, FeedbackConfig
from training.data import FINE_HEAD, SPLITS, DataError, Dataset, Split, load_dataset, targets_from_fine

HOLDOUT_SPLIT = "feedback"


@dataclass(frozen=True)
class FeedbackItem:
    id: str
    text: str
    labels: dict[str, list[str]]


@dataclass(frozen=True)
class MergeSummary:
    read: int
    trained: int  # distinct corrections added to train (each `weight` times)
    held_out: int
    dropped_in_eval: int  # texts of GoEmotions dev/test: never trained on
    replaced_train: int  # GoEmotions train rows whose text a correction now labels
    without_fine: int  # corrections of a coarser head only


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def read_items(path: Path) -> list[FeedbackItem]:
    if not path.is_file():
        raise DataError(f"{path}: feedback file missing (python -m training.feedback export --out {path})")
    items: dict[str, FeedbackItem] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = FeedbackItem(str(raw["id"]), str(raw["text"]),
                                {str(h): [str(n) for n in names] for h, names in dict(raw["labels"]).items()})
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
            raise DataError(f"{path}: line {number} is not a feedback item ({type(err).__name__})") from err
        items[item.id] = item  # a later line for the same id is the newer correction
    return list(items.values())


def _check_labels(dataset: Dataset, item: FeedbackItem) -> None:
    for head, names in item.labels.items():
        if head not in dataset.heads:
            raise DataError(f"feedback item {item.id}: head {head!r} is not one of {list(dataset.heads)}")
        unknown = sorted(set(names) - set(dataset.heads[head].labels))
        if unknown:
            raise DataError(f"feedback item {item.id}: {head} labels {unknown} are not in the dataset's taxonomy")


def held_out(item_id: str, share: float, seed: int) -> bool:
    # By a hash of the id: an item stays on its side however the file grows or is reordered.
    digest = hashlib.sha256(f"{seed}:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _split_of(items: list[FeedbackItem], train: Split, dataset: Dataset) -> Split:
    targets = targets_from_fine([item.labels[FINE_HEAD] for item in items], train, dataset.heads)
    return Split([item.text for item in items], [f"feedback-{item.id}" for item in items], targets)


def _concat(a: Split, b: Split) -> Split:
    return Split(a.texts + b.texts, a.ids + b.ids, {h: np.concatenate([a.targets[h], b.targets[h]]) for h in a.targets})


def merge_feedback(dataset: Dataset, config: FeedbackConfig, seed: int) -> MergeSummary:
    """Add the feedback to `dataset` in place: train gets each trainable correction `config.weight`
    times (instead of any GoEmotions train row of the same text), split `feedback` the held-out ones."""
    assert config.path is not None
    items = read_items(Path(config.path))
    for item in items:
        _check_labels(dataset, item)
    in_eval = {normalized(text) for split in SPLITS[1:] for text in dataset.splits[split].texts}
    usable = [item for item in items if item.labels.get(FINE_HEAD) and normalized(item.text) not in in_eval]
    held = [item for item in usable if held_out(item.id, config.holdout_share, seed)]
    trained = [item for item in usable if not held_out(item.id, config.holdout_share, seed)]
    corrected = {normalized(item.text) for item in trained}
    train = dataset.splits["train"]
    keep = [row for row, text in enumerate(train.texts) if normalized(text) not in corrected]
    kept = Split([train.texts[row] for row in keep], [train.ids[row] for row in keep],
                 {head: matrix[keep] for head, matrix in train.targets.items()})
    repeated = [item for item in trained for _ in range(config.weight)]
    dataset.splits["train"] = _concat(kept, _split_of(repeated, train, dataset))
    dataset.splits[HOLDOUT_SPLIT] = _split_of(held, train, dataset)
    dataset.sources[str(config.path)] = hashlib.sha256(Path(config.path).read_bytes()).hexdigest()
    return MergeSummary(
        read=len(items), trained=len(trained), held_out=len(held),
        dropped_in_eval=sum(1 for item in items if normalized(item.text) in in_eval),
        replaced_train=len(train) - len(keep),
        without_fine=sum(1 for item in items if not item.labels.get(FINE_HEAD)))


def load_dataset_with_feedback(config: DataConfig, seed: int) -> Dataset:
    """load_dataset, plus `data.feedback` merged in (train, and the held-out `feedback` split)."""
    dataset = load_dataset(config)
    if config.feedback.path:
        if FINE_HEAD not in dataset.heads:
            raise DataError("data.feedback needs a dataset with a fine head (GoEmotions)")
        dataset.feedback_summary = asdict(merge_feedback(dataset, config.feedback, seed))
    return dataset
