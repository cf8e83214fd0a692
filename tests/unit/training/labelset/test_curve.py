"""The quality curve's draws: fixed by the seed, examples never in the domain set, nested across
points (the N-example point uses the first N of each label's list), evaluation on test only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from training.data import load_carer
from training.labelset.curve import CurveSettings, draw, example_ids, point_labelset
from training.labelset.curve_report import markdown
from training.labelset.spec import Label, LabelSet


def test_draws_are_seeded_disjoint_and_nested(carer_folder: Path) -> None:
    dataset = load_carer(carer_folder)
    settings = CurveSettings(shots=(0, 2, 4), domain_texts=50, eval_texts=5)
    sample = draw(dataset, "emotion", settings)
    assert sample == draw(dataset, "emotion", settings)
    assert sample != draw(dataset, "emotion", dataclasses.replace(settings, seed=14))
    taken = {i for rows in sample.examples.values() for i in rows}
    assert not taken & set(sample.domain) and len(sample.domain) == 50 and len(sample.evaluation) == 5
    train = dataset.splits["train"]
    for label, rows in sample.examples.items():
        assert len(rows) == min(4, int(train.targets["emotion"][:, dataset.heads["emotion"].labels.index(label)].sum()))
        assert all(train.texts[i].startswith(f"i feel {label} ") for i in rows)
    base = LabelSet("carer", tuple(Label(name, f"feeling {name}") for name in dataset.heads["emotion"].labels))
    two = point_labelset(base, sample, 2, carer_folder / "domain.jsonl")
    assert two.name == "carer-2shot" and all(len(label.examples) == min(2, len(sample.examples[label.name]))
                                              for label in two.labels)
    assert two.labels[0].examples == tuple(train.texts[i] for i in sample.examples["sadness"][:2])
    ids = example_ids(sample)
    assert ids["joy"] == [train.ids[i] for i in sample.examples["joy"]]


def test_the_report_lists_points_published_figures_and_examples() -> None:
    point = {"dataset": "carer", "shots": 8, "teacher": {"accuracy": 0.5, "macro_f1": 0.4},
             "student_int8": {"accuracy": 0.45, "macro_f1": 0.35}, "pseudo_labelled_kept": 10,
             "domain_texts": 20, "build_seconds": 1.0}
    text = markdown({"settings": {"domain_texts": 20, "eval_texts": 5}, "points": [point],
                     "examples": {"carer": {"joy": ["train-3", "train-9"]}}})
    assert "| carer | 8 | 0.500 / 0.400 | 0.450 / 0.350 | 10 / 20 | 1.0 |" in text
    assert "| SetFit, paraphrase-mpnet-base-v2 | 48.8 ± 4.7 | 59.4 ± 4.3 | 76.2 ± 1.4 |" in text
    assert "- **joy**: train-3, train-9" in text
