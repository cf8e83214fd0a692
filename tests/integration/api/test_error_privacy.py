"""Defect 7 of issue 10: no error answer quotes a submitted text, whatever the route and the mistake.

In process with moto's server behind /v1/jobs, so a submission reaches its real parser."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from devtools.local import LocalStack
from emotion_core import Classifier
from functions.api.factory import create_app
from tests.helpers.api import api_settings
from tests.helpers.bulk import MAX_RECEIVE_COUNT

SECRETS = [f"private remark number {n} about my boss" for n in range(4)]
CSV, JSONL = {"Content-Type": "text/csv"}, {"Content-Type": "application/x-ndjson"}

# (path, body, headers): each is refused with a 4xx.
BAD_SUBMISSIONS: list[tuple[str, bytes, dict[str, str]]] = [
    ("/v1/jobs", "\n".join(SECRETS).encode() + b"\n", CSV),  # a CSV without its header row
    ("/v1/jobs?text_column=body", ("\n".join(["text,id", *[f"{s},1" for s in SECRETS]]) + "\n").encode(), CSV),
    ("/v1/jobs", json.dumps({"texts": SECRETS[0]}).encode(), {}),
    ("/v1/jobs", json.dumps({"items": [{"id": "a", "text": SECRETS[0]}, {"id": "a", "text": SECRETS[1]}]}).encode(),
     {}),
    ("/v1/jobs", json.dumps({"items": [{"id": ["x"], "text": SECRETS[0]}]}).encode(), {}),
    ("/v1/jobs", json.dumps({"texts": SECRETS, "items": []}).encode(), {}),
    ("/v1/jobs", json.dumps({"texts": SECRETS}).encode()[:-3], {}),
    ("/v1/jobs", json.dumps({"texts": SECRETS}).encode(), {"Content-Type": "text/plain"}),
    ("/v1/predict-emotion", json.dumps({"text": SECRETS[0] * 40}).encode(), {}),
    ("/v1/predict-emotion", json.dumps({"text": [SECRETS[0]]}).encode(), {}),
    ("/v1/predict-emotion", json.dumps({"text": SECRETS[0], "include_scores": SECRETS[1]}).encode(), {}),
    ("/v1/predict-emotion", json.dumps({"text": SECRETS[0]})[:-2].encode(), {}),
    ("/v1/predict-emotion-batch", json.dumps({"texts": SECRETS * 3}).encode(), {}),
    ("/v1/predict-emotion-batch", json.dumps({"texts": [SECRETS[0], {"t": SECRETS[1]}]}).encode(), {}),
]


def test_no_error_answer_contains_a_submitted_text(stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
                                                   tiny_classifier: Classifier) -> None:
    settings = api_settings(**stack.settings_values(moto_endpoint, MAX_RECEIVE_COUNT), model_dir=tiny_bundle_dir,
                            max_text_chars=400, max_batch_texts=8)
    client = TestClient(create_app(settings, tiny_classifier))
    for path, body, headers in BAD_SUBMISSIONS:
        response = client.post(path, content=body, headers={"Content-Type": "application/json", **headers})
        assert 400 <= response.status_code < 500, (path, body[:60], response.status_code)
        answer = response.text.lower()
        quoted = [secret for secret in SECRETS if secret.lower() in answer or secret[:20].lower() in answer]
        assert not quoted, (path, response.status_code, response.text[:300])
