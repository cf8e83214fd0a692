"""The API answers every events/api/*.json as it did before the functions were redesigned: the
responses recorded in tests/golden/api_events.json (released bundle, Lambda handler, in process).

After a model release the recorded predictions change: regenerate with the command in
tests/golden/api_events.py and review the diff.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.golden.api_events import GOLDEN_FILE, RELEASED_BUNDLE, event_names, released_handler, replay

# Scores are rounded to 4 decimals; another CPU's float kernels may move the last digit.
SCORE_TOLERANCE = 2e-4


def differences(got: Any, want: Any, where: str) -> list[str]:
    if isinstance(want, dict) and isinstance(got, dict):
        found = [f"{where}: keys {sorted(got.keys() ^ want.keys())} differ"] if got.keys() != want.keys() else []
        return found + [line for key in want.keys() & got.keys()
                        for line in differences(got[key], want[key], f"{where}.{key}")]
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return [f"{where}: {len(got)} items, recorded {len(want)}"]
        return [line for index, (g, w) in enumerate(zip(got, want, strict=True))
                for line in differences(g, w, f"{where}[{index}]")]
    if isinstance(want, float) and isinstance(got, float | int) and not isinstance(got, bool):
        return [] if abs(got - want) <= SCORE_TOLERANCE else [f"{where}: {got} != recorded {want}"]
    return [] if got == want else [f"{where}: {str(got)[:200]!r} != recorded {str(want)[:200]!r}"]


def test_every_event_answers_as_recorded() -> None:
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle: layers/model/model.json is absent (run the training job)")
    golden: dict[str, Any] = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    version = json.loads((RELEASED_BUNDLE / "model.json").read_text())["version"]
    recorded_version = golden["health-live.json"]["body"]["model"]["version"]
    assert version == recorded_version, (
        f"layers/model is {version}, the golden responses are of {recorded_version}: "
        "regenerate them (python -m tests.golden.api_events) and review the diff")
    assert sorted(golden) == event_names(), "a new or removed event: regenerate the golden responses"
    found = differences(replay(released_handler()), golden, "events")
    assert not found, "\n".join(found[:40])


def test_the_comparison_catches_a_changed_answer() -> None:
    recorded = {"statusCode": 200, "body": {"emotion": "joy", "confidence": 0.9912, "labels": [1, 2]}}
    assert differences(recorded, recorded, "e") == []
    assert differences({**recorded, "statusCode": 422}, recorded, "e") == ["e.statusCode: '422' != recorded '200'"]
    assert differences({**recorded, "body": {**recorded["body"], "confidence": 0.9915}}, recorded, "e")
    assert not differences({**recorded, "body": {**recorded["body"], "confidence": 0.9913}}, recorded, "e")
    assert differences({**recorded, "body": {**recorded["body"], "labels": [1]}}, recorded, "e")
    assert differences({**recorded, "extra": 1}, recorded, "e") == ["e: keys ['extra'] differ"]
