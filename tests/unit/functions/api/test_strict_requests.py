"""Defect 13 of issue 10 (request part): the predict bodies are strict, as their schema says:
unknown fields and non-boolean `include_scores` are 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from emotion_core import Classifier
from functions.api.factory import create_app
from tests.helpers.api import api_settings

PREDICT, BATCH = "/v1/predict-emotion", "/v1/predict-emotion-batch"


@pytest.fixture(scope="module")
def client(tiny_classifier: Classifier) -> TestClient:
    return TestClient(create_app(api_settings(), tiny_classifier))


@pytest.mark.parametrize(("path", "body", "field"), [
    (PREDICT, {"text": "so happy", "include_score": True}, "include_score"),
    (BATCH, {"texts": ["so happy"], "include_score": True}, "include_score"),
    (PREDICT, {"text": "so happy", "texts": ["so sad"]}, "texts"),
    (PREDICT, {"text": "so happy", "include_scores": 0}, "include_scores"),
    (PREDICT, {"text": "so happy", "include_scores": 1}, "include_scores"),
    (PREDICT, {"text": "so happy", "include_scores": "yes"}, "include_scores"),
    (BATCH, {"texts": ["so happy"], "include_scores": "true"}, "include_scores"),
    (BATCH, {"texts": ["so happy"], "include_scores": None}, "include_scores"),
])
def test_unknown_fields_and_non_boolean_flags_are_422_naming_the_field(client: TestClient, path: str,
                                                                       body: dict[str, Any], field: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert response.json()["detail"].startswith(f"{field}: ")


def test_the_schema_says_what_is_enforced(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("PredictRequest", "BatchRequest"):
        assert schemas[name]["additionalProperties"] is False
        assert schemas[name]["properties"]["include_scores"]["type"] == "boolean"
    assert client.post(PREDICT, json={"text": "so happy", "include_scores": True}).json()["scores"]
