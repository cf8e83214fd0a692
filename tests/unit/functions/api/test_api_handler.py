"""Every events/api/*.json through the Lambda handler of an app from create_app, in process, stage
prefix included."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from devtools.local import FakeLambdaContext
from emotion_core import Classifier
from functions.api.factory import create_app
from functions.api.lambda_adapter import Handler, lambda_handler
from tests.helpers.api import JUNK_BODIES, api_settings
from tests.unit.functions.api.event_cases import CASES, EVENTS_DIR, body, load_event


def handler_for(bundle: Path, classifier: Classifier, *, on_lambda: bool) -> Handler:
    settings = api_settings(model_dir=bundle, ort_threads=1,
                            aws_lambda_function_name="emotion-api" if on_lambda else None)
    return lambda_handler(create_app(settings, classifier))


@pytest.fixture(scope="module")
def handler(tiny_bundle_dir: Path, tiny_classifier: Classifier) -> Handler:
    return handler_for(tiny_bundle_dir, tiny_classifier, on_lambda=True)


def invoke(handler: Handler, event: dict[str, Any]) -> dict[str, Any]:
    return handler(event, FakeLambdaContext(function_name="emotion-api"))


def test_every_event_file_has_a_case() -> None:
    assert sorted(p.name for p in EVENTS_DIR.glob("*.json")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_event(handler: Handler, name: str) -> None:
    event = load_event(name)
    assert event["requestContext"]["stage"] == "Prod"
    assert event["requestContext"]["path"].startswith("/Prod/")
    status, check = CASES[name]
    response = invoke(handler, event)
    assert response["statusCode"] == status, response["body"][:500]
    check(response, True)


def test_stage_in_event_path_too(handler: Handler) -> None:
    # Custom domain with a base-path mapping: `path` itself arrives with the prefix.
    for name in ["predict-emotion.json", "docs.json"]:
        event = load_event(name)
        event["path"] = "/Prod" + event["path"]
        response = invoke(handler, event)
        assert response["statusCode"] == 200, response["body"][:300]
        CASES[name][1](response, True)


def test_no_stage_in_public_url(handler: Handler) -> None:
    # Custom domain without the stage in its URLs: the docs must not invent one.
    event = load_event("docs.json")
    event["requestContext"]["path"] = event["path"]
    response = invoke(handler, event)
    assert "url: 'openapi.json'" in response["body"]  # relative to the page, no prefix of its own


def test_unknown_route_is_404_json(handler: Handler) -> None:
    event = load_event("health-live.json")
    event["path"] = event["resource"] = "/v1/nothing-here"
    event["requestContext"]["path"] = "/Prod/v1/nothing-here"
    response = invoke(handler, event)
    assert response["statusCode"] == 404
    assert body(response)["detail"]


def batch_event_with(marker: str) -> dict[str, Any]:
    event = load_event("predict-emotion-batch.json")
    event["body"] = json.dumps({"texts": [f"I am happy {marker}", "I am sad", "ok"]})
    event["headers"].pop("Content-Length")
    event["multiValueHeaders"].pop("Content-Length")
    return event


def emf_documents(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_emf_metrics_and_no_text_in_output(handler: Handler, capsys: pytest.CaptureFixture[str]) -> None:
    marker = "zebra-quokka-marker"
    response = invoke(handler, copy.deepcopy(batch_event_with(marker)))
    assert response["statusCode"] == 200
    out = capsys.readouterr().out
    emf = emf_documents(out)
    assert emf, out[-2000:]
    document = emf[-1]
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "EmotionService"
    names = {m["Name"] for m in directive["Metrics"]}
    assert {"Requests", "Texts", "Latency", "BatchSize"} <= names
    assert any(name.startswith("Emotion_") for name in names)
    assert document["Texts"] == [3.0]
    assert marker not in out


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_request_metrics_only_when_settings_say_lambda(
    tiny_bundle_dir: Path, tiny_classifier: Classifier, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same Lambda event, an app whose settings say it is not on Lambda (AWS_LAMBDA_FUNCTION_NAME
    # unset): no request metrics are added, whatever the ASGI scope holds.
    off_lambda = handler_for(tiny_bundle_dir, tiny_classifier, on_lambda=False)
    capsys.readouterr()
    assert invoke(off_lambda, batch_event_with("x"))["statusCode"] == 200
    names = {m["Name"] for doc in emf_documents(capsys.readouterr().out)
             for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert not names & {"Requests", "Texts", "Latency", "BatchSize"}


@pytest.mark.parametrize("name", ["predict-emotion.json", "predict-emotion-batch.json"])
def test_junk_bodies_through_the_handler_are_never_5xx(handler: Handler, name: str) -> None:
    for raw in JUNK_BODIES:
        event = load_event(name)
        # Base64 carries any bytes, as API Gateway does for binary media types.
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
        for headers in (event["headers"], event["multiValueHeaders"]):
            headers.pop("Content-Length")
        response = invoke(handler, event)
        assert response["statusCode"] < 500, (raw[:60], response["body"][:300])
        if response["statusCode"] >= 400:
            assert body(response)["detail"]


@pytest.mark.parametrize("name", ["predict-emotion.json", "predict-emotion-bad-input.json", "health-live.json"])
def test_every_answer_carries_api_gateways_request_id(handler: Handler, name: str) -> None:
    # The id API Gateway logs (access log `requestId`, Powertools' correlation id) is the one the
    # client sees, on success and on error alike.
    event = load_event(name)
    response = invoke(handler, event)
    headers = {key.lower(): value for key, value in response["headers"].items()}
    assert headers["x-request-id"] == event["requestContext"]["requestId"]
