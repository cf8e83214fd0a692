"""Merging corrections into a dataset: derived heads, weighting, held-out slice, no leakage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.config import DataConfig, FeedbackConfig
from training.data import DataError, load_dataset
from training.feedback.dataset import HOLDOUT_SPLIT, held_out, load_dataset_with_feedback


def _config(table_dataset: dict[str, str], feedback: Path, **options: object) -> DataConfig:
    return DataConfig(kind="table", path=None, files=table_dataset,
                      label_columns={"fine": "fine", "ekman": "ekman", "sentiment": "sentiment"},
                      feedback=FeedbackConfig(path=str(feedback), **options))  # type: ignore[arg-type]


def _write(path: Path, items: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def _labels(split_targets: dict[str, np.ndarray], labels: dict[str, list[str]], row: int) -> dict[str, set[str]]:
    return {head: {labels[head][i] for i in np.where(matrix[row] > 0)[0]} for head, matrix in split_targets.items()}


def test_corrections_train_with_their_weight_and_derived_heads(table_dataset: dict[str, str], tmp_path: Path) -> None:
    items = [{"id": f"c{i}", "text": f"grr this broke again number {i}", "labels": {"fine": ["anger"]}}
             for i in range(40)]
    dataset = load_dataset_with_feedback(_config(table_dataset, _write(tmp_path / "f.jsonl", items), weight=2,
                                                 holdout_share=0.25), seed=5)
    labels = {head: info.labels for head, info in dataset.heads.items()}
    train, holdout = dataset.splits["train"], dataset.splits[HOLDOUT_SPLIT]
    expected_held = {f"c{i}" for i in range(40) if held_out(f"c{i}", 0.25, 5)}
    assert {i.removeprefix("feedback-") for i in holdout.ids} == expected_held and 0 < len(expected_held) < 40
    trained = [row for row, item_id in enumerate(train.ids) if item_id.startswith("feedback-")]
    assert len(trained) == 2 * (40 - len(expected_held))
    # The coarser heads follow from the fine label through the dataset's own taxonomy.
    assert _labels(train.targets, labels, trained[0]) == {"fine": {"anger"}, "ekman": {"anger"},
                                                         "sentiment": {"negative"}}
    assert dataset.feedback_summary["trained"] == 40 - len(expected_held)


def test_a_correction_replaces_the_train_row_and_never_leaks_eval_texts(table_dataset: dict[str, str],
                                                                        tmp_path: Path) -> None:
    plain = load_dataset(DataConfig(kind="table", path=None, files=table_dataset,
                                    label_columns={"fine": "fine", "ekman": "ekman", "sentiment": "sentiment"}))
    train_text, test_text = plain.splits["train"].texts[0], plain.splits["test"].texts[0]
    items = [{"id": "a", "text": f"  {train_text.upper()} ", "labels": {"fine": ["fear"]}},
             {"id": "b", "text": test_text, "labels": {"fine": ["joy"]}},
             {"id": "c", "text": "only the top emotion was wrong", "labels": {"ekman": ["sadness"]}}]
    dataset = load_dataset_with_feedback(_config(table_dataset, _write(tmp_path / "f.jsonl", items), weight=1,
                                                 holdout_share=0.0), seed=5)
    summary = dataset.feedback_summary
    assert (summary["replaced_train"], summary["dropped_in_eval"], summary["without_fine"], summary["trained"]) == (
        sum(1 for t in plain.splits["train"].texts if t.casefold() == train_text.casefold()), 1, 1, 1)
    assert test_text not in dataset.splits["train"].texts
    assert train_text not in dataset.splits["train"].texts


@pytest.mark.parametrize(("labels", "message"), [({"fine": ["hunger"]}, r"fine labels \['hunger'\]"),
                                                 ({"mood": ["joy"]}, "head 'mood'")])
def test_labels_outside_the_taxonomy_are_refused(table_dataset: dict[str, str], tmp_path: Path,
                                                 labels: dict[str, list[str]], message: str) -> None:
    feedback = _write(tmp_path / "f.jsonl", [{"id": "x1", "text": "hello", "labels": labels}])
    with pytest.raises(DataError, match=f"feedback item x1: .*{message}|{message}"):
        load_dataset_with_feedback(_config(table_dataset, feedback), seed=1)


def test_a_broken_line_names_the_file_and_line(table_dataset: dict[str, str], tmp_path: Path) -> None:
    feedback = tmp_path / "f.jsonl"
    feedback.write_text('{"id": "1", "text": "a", "labels": {"fine": ["joy"]}}\n{"id": "2"}\n')
    with pytest.raises(DataError, match=r"f.jsonl: line 2 is not a feedback item"):
        load_dataset_with_feedback(_config(table_dataset, feedback), seed=1)
