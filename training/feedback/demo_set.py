"""A feedback set to run the loop on, made the way users make one: texts the released model gets
wrong, each with the label a person would pick.

The texts are CARER train sentences (a different corpus from GoEmotions, labelled with six emotions
that are also GoEmotions fine labels); a "correction" is made for each sentence whose CARER label is
not among the fine labels the bundle returns. Written as the bodies of ``POST /v1/feedback`` requests,
so the loop is exercised from the API on (``python -m training.feedback send``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from emotion_core import Classifier


def carer_items(path: Path) -> list[tuple[str, str]]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, sep, label = line.rpartition(";")
        if sep and text.strip():
            items.append((text.strip(), label))
    return items


def corrections(bundle: Path, carer: Path, *, count: int, sample: int, seed: int) -> list[dict[str, object]]:
    """Up to `count` correction requests, from a fixed-seed sample of `sample` CARER sentences."""
    classifier = Classifier.load(bundle, threads=2)
    fine = set(classifier.heads["fine"])
    pool = [item for item in carer_items(carer) if item[1] in fine]
    chosen = random.Random(seed).sample(pool, min(sample, len(pool)))
    predictions = classifier.predict([text for text, _ in chosen])
    requests: list[dict[str, object]] = []
    for index, ((text, label), prediction) in enumerate(zip(chosen, predictions, strict=True)):
        returned = [entry.label for entry in prediction.labels.get("fine", ())]
        if label in returned:
            continue
        requests.append({
            "client_id": f"carer-demo-{seed}-{index}",
            "text": text,
            "store_text": True,
            "model_version": str(classifier.metadata.get("version")),
            "predicted": {"fine": returned, "ekman": [entry.label for entry in prediction.labels.get("ekman", ())]},
            "corrected": {"fine": [label]},
            "comment": "demo set: CARER label the model missed",
        })
        if len(requests) >= count:
            break
    return requests


def write_jsonl(rows: list[dict[str, object]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
