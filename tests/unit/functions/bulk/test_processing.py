"""The bulk function's per-chunk classification and its start-up checks, without AWS (the round
trips through S3, SQS and DynamoDB are in tests/integration/bulk)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotion_core import Classifier
from emotion_core.errors import ConfigError
from functions.bulk.processing import build_runtime, classify_chunk, encode_lines
from functions.bulk.settings import BulkSettings
from functions.jobs.contract import SQS_MAX_BODY_BYTES, parse_chunk
from tests.helpers.settings import settings_from


def test_one_line_per_item_in_order_and_bad_items_answered_alone(tiny_classifier: Classifier) -> None:
    items = [{"id": "ok", "text": "what a joy"}, {"id": 7, "text": "   "}, {"id": "missing"},
             {"id": "row", "error": "row 3: 2 fields"}, {"id": "surrogate", "text": "bad \ud800 text"}]
    message = parse_chunk(json.dumps({"job_id": "j", "chunk": 0, "items": items}), SQS_MAX_BODY_BYTES)
    lines = classify_chunk(tiny_classifier, message)
    assert [line["id"] for line in lines] == ["ok", 7, "missing", "row", "surrogate"]
    assert lines[0]["emotion"] == "joy"
    assert lines[1] == {"id": 7, **tiny_classifier.predict_one("   ").to_dict()}  # blank: the API's answer
    assert [line.get("error") for line in lines[2:]] == [
        "text is missing", "row 3: 2 fields",
        "text is not valid Unicode (it holds an unpaired surrogate)"]
    encoded = encode_lines(lines)
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in encoded)


def test_the_function_refuses_to_start_without_its_resources(tiny_bundle_dir: Path,
                                                             tiny_classifier: Classifier) -> None:
    settings = settings_from(BulkSettings, model_dir=tiny_bundle_dir, jobs_table="jobs")
    with pytest.raises(ConfigError, match="the bulk function needs RESULTS_BUCKET in its environment"):
        build_runtime(settings, tiny_classifier)
