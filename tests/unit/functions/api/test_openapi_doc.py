"""Issue 10, defect 13: the published OpenAPI document is true. It lists the errors the service
answers with the body it sends, every $ref resolves, it validates as OpenAPI 3.1, and the committed
docs/openapi.json is what the app serves with default settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from devtools.openapi import SPEC, default_document, render
from functions.api.factory import create_app
from functions.api.settings import ApiSettings
from tests.helpers.settings import settings_from


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return default_document()


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def test_the_committed_document_is_the_apps(document: dict[str, Any]) -> None:
    assert SPEC.read_text(encoding="utf-8") == render(document), "run: python -m devtools.openapi"


def test_it_validates_and_every_ref_resolves(document: dict[str, Any]) -> None:
    validate(document)
    schemas = document["components"]["schemas"]
    assert {ref.removeprefix("#/components/schemas/") for ref in refs(document)} <= set(schemas)
    assert "$defs" not in json.dumps(document["paths"])


def test_errors_are_listed_with_the_body_the_service_sends(document: dict[str, Any], tiny_bundle_dir: Any) -> None:
    predict = document["paths"]["/v1/predict-emotion"]["post"]["responses"]
    assert {"401", "403", "408", "413", "422", "503"} <= set(predict)
    assert predict["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert {"404", "409", "415"} <= set(document["paths"]["/v1/jobs"]["post"]["responses"])
    assert "401" not in document["paths"]["/v1/health/live"]["get"]["responses"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    # What the schema says is what a client gets: detail a string, errors naming fields.
    app = create_app(settings_from(ApiSettings, model_dir=tiny_bundle_dir, api_keys=["k"]))
    answer = TestClient(app).post("/v1/predict-emotion", json={"text": 5}, headers={"X-API-Key": "k"})
    body = answer.json()
    assert answer.status_code == 422 and isinstance(body["detail"], str)
    required = document["components"]["schemas"]["ErrorBody"]["required"]
    assert set(required) <= set(body) and set(body) <= set(document["components"]["schemas"]["ErrorBody"]["properties"])
    assert {"field", "message"} <= set(body["errors"][0])
