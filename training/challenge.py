"""The challenge set (training/challenge/README.md): per-category accuracy of a served bundle.

    python -m training.challenge layers/model [other bundle dirs...] [--json OUT]

Read only after a model is final: the set is never used for training, tuning or selection.
An item is right when the Prediction's top `emotion` is in its `accept` list; for the
`languages` category, when the answer reports a language other than the model's and a warning.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emotion_core import Classifier, Prediction

CHALLENGE_DIR = Path(__file__).resolve().parent / "challenge"
log = logging.getLogger("training")


@dataclass(frozen=True)
class Item:
    id: str
    category: str
    text: str
    accept: tuple[str, ...]
    sentiment: tuple[str, ...]


def long_items(spec: dict[str, Any]) -> list[Item]:
    """Each emotional sentence inside about `words` words of filler drawn with the spec's seed."""
    rng = random.Random(spec["seed"])
    items = []
    for entry in spec["items"]:
        filler: list[str] = []
        while sum(len(sentence.split()) for sentence in filler) < spec["words"]:
            filler.append(rng.choice(spec["filler"]))
        at = int(len(filler) * entry["position"])
        text = " ".join([*filler[:at], entry["sentence"], *filler[at:]])
        items.append(Item(entry["id"], "long_texts", text, tuple(entry["accept"]), tuple(entry["sentiment"])))
    return items


def load_items(folder: Path = CHALLENGE_DIR) -> list[Item]:
    items = []
    for line in (folder / "challenge.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        items.append(Item(raw["id"], raw["category"], raw["text"], tuple(raw["accept"]), tuple(raw["sentiment"])))
    return items + long_items(json.loads((folder / "long_texts.json").read_text(encoding="utf-8")))


def is_right(item: Item, prediction: Prediction) -> bool:
    if item.category == "languages":
        return prediction.language not in (None, "en") and prediction.warning is not None
    return prediction.emotion in item.accept


def evaluate(classifier: Classifier, items: list[Item]) -> dict[str, Any]:
    """Per category: items, right, sentiment right, and the ids of the misses (texts stay in the file)."""
    predictions = classifier.predict([item.text for item in items])
    by_category: dict[str, dict[str, Any]] = defaultdict(lambda: {"items": 0, "right": 0, "sentiment_right": 0,
                                                                  "missed": []})
    for item, prediction in zip(items, predictions, strict=True):
        entry = by_category[item.category]
        entry["items"] += 1
        if is_right(item, prediction):
            entry["right"] += 1
        else:
            entry["missed"].append({"id": item.id, "emotion": prediction.emotion})
        entry["sentiment_right"] += int(prediction.sentiment in item.sentiment)
    return dict(by_category)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.challenge", description=__doc__.splitlines()[0])
    parser.add_argument("bundles", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    items = load_items()
    results = {}
    for bundle in args.bundles:
        classifier = Classifier.load(bundle, threads=1)
        name = f"{classifier.metadata.get('name')} {classifier.metadata.get('version')}"
        results[name] = evaluate(classifier, items)
        for category, entry in results[name].items():
            log.info("%s %-13s %2d/%2d right, sentiment %2d/%2d", name, category, entry["right"], entry["items"],
                     entry["sentiment_right"], entry["items"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
