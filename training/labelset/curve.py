"""The quality curve of label-set models on public data with known labels.

    python -m training.labelset.curve [--shots 0,8,16,64] [--datasets goemotions-ekman,carer]

For each dataset and each number of examples per label: the label set's descriptions
(`training/configs/labelsets/<dataset>.yaml`), that many examples per label sampled from the train
split with a fixed seed, other train texts as the unlabelled domain set; the build runs as a user's
would, then the teacher and the served int8 bundle are scored on a fixed sample of the test split.
Single-label texts only (GoEmotions texts with one Ekman label), so accuracy and macro-F1 compare
with published single-label few-shot results. Writes `<report>.json` and `<report>.md`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from emotion_core import Classifier
from training.config import parse_overrides
from training.data import Dataset, load_carer, load_goemotions
from training.labelset.build import build
from training.labelset.curve_report import write_report
from training.labelset.settings import build_settings
from training.labelset.spec import DomainSource, Label, LabelSet, load_labelset
from training.metrics import single_label_report

HEADS = {"goemotions-ekman": "ekman", "carer": "emotion"}


@dataclass(frozen=True)
class CurveSettings:
    datasets: tuple[str, ...] = ("goemotions-ekman", "carer")
    shots: tuple[int, ...] = (0, 8, 16, 64)
    domain_texts: int = 3000
    eval_texts: int = 1000
    seed: int = 13
    data_root: str = "../shared/data"
    labelsets: str = "training/configs/labelsets"
    output_root: str = "training/output/labelsets-curve"
    report: str = "training/reports/labelsets-curve"
    # Build settings of every point (training.labelset.settings.BuildSettings keys).
    build: tuple[tuple[str, Any], ...] = (("student_epochs", 2),)


@dataclass(frozen=True)
class Sample:
    """Fixed-seed draws from one dataset: examples (per label, in draw order), domain and eval rows."""

    dataset: Dataset
    head: str
    examples: dict[str, list[int]]
    domain: list[int]
    evaluation: list[int]


def load(name: str, data_root: Path) -> Dataset:
    return load_goemotions(data_root / "goemotions") if name == "goemotions-ekman" else load_carer(data_root / "carer")


def draw(dataset: Dataset, head: str, settings: CurveSettings) -> Sample:
    rng = np.random.default_rng(settings.seed)
    train, test = dataset.splits["train"], dataset.splits["test"]
    single = np.flatnonzero(train.targets[head].sum(axis=1) == 1)
    top = train.targets[head].argmax(axis=1)
    examples = {}
    for index, label in enumerate(dataset.heads[head].labels):
        members = single[top[single] == index]
        examples[label] = rng.permutation(members)[: max(settings.shots)].tolist()
    taken = {i for rows in examples.values() for i in rows}
    rest = np.array([i for i in range(len(train)) if i not in taken])
    domain = rng.permutation(rest)[: settings.domain_texts].tolist()
    test_single = np.flatnonzero(test.targets[head].sum(axis=1) == 1)
    evaluation = rng.permutation(test_single)[: settings.eval_texts].tolist()
    return Sample(dataset, head, examples, sorted(domain), sorted(evaluation))


def point_labelset(base: LabelSet, sample: Sample, shots: int, domain_file: Path) -> LabelSet:
    texts = sample.dataset.splits["train"].texts
    labels = tuple(Label(x.name, x.description, tuple(texts[i] for i in sample.examples[x.name][:shots]))
                   for x in base.labels)
    return dataclasses.replace(base, name=f"{base.name}-{shots}shot", labels=labels,
                               domain=DomainSource(str(domain_file), "text"))


def scores(gold: np.ndarray, probs: np.ndarray, labels: list[str]) -> dict[str, float]:
    report = single_label_report(gold, probs, labels)
    return {"accuracy": report["accuracy"], "macro_f1": report["macro_f1"]}


def run_point(base: LabelSet, sample: Sample, shots: int, settings: CurveSettings) -> dict[str, Any]:
    root = Path(settings.output_root) / base.name
    cached = root / f"{base.name}-{shots}shot.point.json"
    if cached.is_file():
        return dict(json.loads(cached.read_text()))
    domain_file = root / "domain.jsonl"
    train, test = sample.dataset.splits["train"], sample.dataset.splits["test"]
    domain_file.parent.mkdir(parents=True, exist_ok=True)
    domain_file.write_text("".join(json.dumps({"text": train.texts[i]}) + "\n" for i in sample.domain))
    labelset = point_labelset(base, sample, shots, domain_file)
    # The label set's order may differ from the dataset's: score in the label set's order.
    order = [sample.dataset.heads[sample.head].labels.index(name) for name in labelset.label_names]
    gold = test.targets[sample.head][sample.evaluation][:, order]
    texts = [test.texts[i] for i in sample.evaluation]
    started = time.perf_counter()
    overrides = {**dict(settings.build), "seed": settings.seed, "output_root": str(root),
                 "report_dir": str(root / "reports")}
    result = build(labelset, build_settings(overrides))
    seconds = time.perf_counter() - started
    point: dict[str, Any] = {"dataset": base.name, "shots": shots, "build_seconds": round(seconds, 1),
                             "teacher_method": result.summary["teacher"],
                             "pseudo_labelled_kept": result.summary["pseudo_labelled_kept"],
                             "domain_texts": result.summary["domain_texts"], "eval_texts": len(texts)}
    if result.teacher is not None:
        point["teacher"] = scores(gold, result.teacher.probabilities(texts), labelset.label_names)
    classifier = Classifier.load(result.paths.bundle, threads=1)
    served = [p.emotion for p in classifier.predict(texts)]
    one_hot = np.eye(len(labelset.labels), dtype=np.float32)[[labelset.label_names.index(x) for x in served]]
    point["student_int8"] = scores(gold, one_hot, labelset.label_names)
    cached.write_text(json.dumps(point, indent=2))
    return point


def example_ids(sample: Sample) -> dict[str, list[str]]:
    ids = sample.dataset.splits["train"].ids
    return {label: [ids[i] for i in rows] for label, rows in sample.examples.items()}


def main(argv: list[str] | None = None) -> int:
    defaults = CurveSettings()
    parser = argparse.ArgumentParser(prog="python -m training.labelset.curve",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--datasets", default=",".join(defaults.datasets))
    parser.add_argument("--shots", default=",".join(str(n) for n in defaults.shots))
    parser.add_argument("--domain-texts", type=int, default=defaults.domain_texts)
    parser.add_argument("--eval-texts", type=int, default=defaults.eval_texts)
    parser.add_argument("--output-root", default=defaults.output_root)
    parser.add_argument("--report", default=defaults.report)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a build setting of every point")
    args = parser.parse_args(argv)
    settings = CurveSettings(
        datasets=tuple(args.datasets.split(",")), shots=tuple(int(n) for n in args.shots.split(",")),
        domain_texts=args.domain_texts, eval_texts=args.eval_texts, output_root=args.output_root, report=args.report,
        build=tuple({**dict(defaults.build), **parse_overrides(args.set)}.items()))
    torch.set_num_threads(1)
    results: dict[str, Any] = {"settings": dataclasses.asdict(settings), "points": [], "examples": {}}
    for name in settings.datasets:
        base = load_labelset(Path(settings.labelsets) / f"{name}.yaml")
        sample = draw(load(name, Path(settings.data_root)), HEADS[name], settings)
        results["examples"][name] = example_ids(sample)
        for shots in settings.shots:
            results["points"].append(run_point(base, sample, shots, settings))
            write_report(results, Path(settings.report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
