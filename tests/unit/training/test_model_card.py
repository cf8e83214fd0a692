"""The model card is written from the dataset the job trained on, not from GoEmotions' text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.config import DataConfig
from training.data import load_carer
from training.model_card import least_represented, model_card

CARER_LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]


def _carer_meta() -> dict[str, Any]:
    return {
        "name": "carer-minilm-l6-int8", "version": "1.0.0", "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "teacher_model": None, "max_length": 128, "primary": "emotion",
        "heads": {"emotion": {"labels": CARER_LABELS, "thresholds": [0.0] * 6, "activation": "softmax"}},
        "metrics": {"test": {"emotion": {"accuracy": 0.932, "macro_f1": 0.89, "n": 2000}}},
    }


def test_carer_card_names_its_six_labels_source_and_rare_label(carer_folder: Path) -> None:
    dataset = load_carer(carer_folder)
    data = DataConfig(kind="carer", path=str(carer_folder), hub_id="dair-ai/emotion")
    card = model_card(_carer_meta(), dataset, data, "training/reports/carer-1.0.0.md")
    assert card.startswith("# carer-minilm-l6-int8 1.0.0\n")
    assert "encoder with 1 head (emotion)," in card
    assert "| emotion (primary) | single-label (softmax) | 6: " + ", ".join(CARER_LABELS) + " |" in card
    assert "English tweets (CARER" in card and f"`{carer_folder}` (hub copy: `dair-ai/emotion`)" in card
    assert "train 112, dev 6, test 6 texts" in card
    assert "| emotion | 6 | 0.89 | - | 0.932 |" in card
    assert "emotion: surprise (4), love (8)" in card  # under half the mean of 18.7 examples per label
    assert "Full report: `training/reports/carer-1.0.0.md`" in card
    assert "fine-tuned on the gold labels" in card
    # Nothing of GoEmotions leaks into another dataset's card.
    for goemotions_only in ("Reddit", "grief", "ekman", "sentiment", "28 labels", "three"):
        assert goemotions_only not in card


def test_least_represented_lists_fewest_first_and_only_rare_labels(carer_folder: Path) -> None:
    dataset = load_carer(carer_folder)
    assert least_represented(dataset, "emotion") == [("surprise", 4), ("love", 8)]
    assert least_represented(dataset, "emotion", count=1) == [("surprise", 4)]
