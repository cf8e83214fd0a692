"""Every events/api/*.json through functions.api.handler.handler, in process, stage prefix included."""

from __future__ import annotations

import base64
import copy
import importlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.functions.api.event_cases import CASES, EVENTS_DIR, body, load_event


@dataclass
class LambdaContext:
    """The attributes the Lambda runtime's context object carries (what Powertools reads)."""

    function_name: str = "emotion-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1769
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:emotion-api"
    aws_request_id: str = "6f3c1b1e-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/emotion-api"
    log_stream_name: str = "2026/11/21/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


# Modules whose import reads the environment (Settings, BulkSettings, Powertools names) or loads
# the model: functions.api.app loads MODEL_DIR's bundle at import.
APP_PACKAGES = ("functions.api", "functions.bulk")


def _is_app_module(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in APP_PACKAGES)


def _swap_app_modules(modules: dict[str, ModuleType]) -> dict[str, ModuleType]:
    """Take every functions.api*/functions.bulk* module out of sys.modules, put `modules` back
    (parent packages' attributes too) and return what was taken out."""
    taken = {name: module for name, module in sys.modules.items() if _is_app_module(name)}
    for name in taken:
        del sys.modules[name]
    sys.modules.update(modules)
    for name, module in modules.items():
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, module)
    return taken


@pytest.fixture(scope="module")
def handler_module(tiny_bundle_dir: Path) -> Iterator[ModuleType]:
    # Settings are read at import: the environment has to be in place before the first import,
    # and an earlier import (collecting another test file imports functions.api.jobs, hence
    # functions.api.config) must not be reused - it may have read the default MODEL_DIR, which
    # holds no bundle in a fresh clone and the released bundle (not the tiny one) after a release.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MODEL_DIR", str(tiny_bundle_dir))
        mp.setenv("ORT_THREADS", "1")
        mp.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        for name in ("API_KEYS", "AWS_LAMBDA_FUNCTION_NAME", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"):
            mp.delenv(name, raising=False)
        earlier = _swap_app_modules({})
        try:
            module = importlib.import_module("functions.api.handler")
            assert sys.modules["functions.api.config"].settings.model_dir.resolve() == tiny_bundle_dir.resolve()
            yield module
        finally:
            # Later tests get the modules they imported at collection, not this file's.
            _swap_app_modules(earlier)


def invoke(module: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = module.handler(event, LambdaContext())
    return response


def test_every_event_file_has_a_case() -> None:
    assert sorted(p.name for p in EVENTS_DIR.glob("*.json")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_event(handler_module: ModuleType, name: str) -> None:
    event = load_event(name)
    assert event["requestContext"]["stage"] == "Prod"
    assert event["requestContext"]["path"].startswith("/Prod/")
    status, check = CASES[name]
    response = invoke(handler_module, event)
    assert response["statusCode"] == status, response["body"][:500]
    check(response, True)


def test_stage_in_event_path_too(handler_module: ModuleType) -> None:
    # Custom domain with a base-path mapping: `path` itself arrives with the prefix.
    for name in ["predict-emotion.json", "docs.json"]:
        event = load_event(name)
        event["path"] = "/Prod" + event["path"]
        response = invoke(handler_module, event)
        assert response["statusCode"] == 200, response["body"][:300]
        CASES[name][1](response, True)


def test_no_stage_in_public_url(handler_module: ModuleType) -> None:
    # Custom domain without the stage in its URLs: the docs must not invent one.
    event = load_event("docs.json")
    event["requestContext"]["path"] = event["path"]
    response = invoke(handler_module, event)
    assert "url: '/openapi.json'" in response["body"]


def test_unknown_route_is_404_json(handler_module: ModuleType) -> None:
    event = load_event("health-live.json")
    event["path"] = event["resource"] = "/v1/nothing-here"
    event["requestContext"]["path"] = "/Prod/v1/nothing-here"
    response = invoke(handler_module, event)
    assert response["statusCode"] == 404
    assert body(response)["detail"]


def test_emf_metrics_and_no_text_in_output(handler_module: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    event = load_event("predict-emotion-batch.json")
    marker = "zebra-quokka-marker"
    event["body"] = json.dumps({"texts": [f"I am happy {marker}", "I am sad", "ok"]})
    event["headers"].pop("Content-Length")
    event["multiValueHeaders"].pop("Content-Length")
    response = invoke(handler_module, copy.deepcopy(event))
    assert response["statusCode"] == 200
    out = capsys.readouterr().out
    emf = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
    assert emf, out[-2000:]
    document = emf[-1]
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "EmotionService"
    names = {m["Name"] for m in directive["Metrics"]}
    assert {"Requests", "Texts", "Latency", "BatchSize"} <= names
    assert any(name.startswith("Emotion_") for name in names)
    assert document["Texts"] == [3.0]
    assert marker not in out


@pytest.mark.parametrize("name", ["predict-emotion.json", "predict-emotion-batch.json"])
def test_junk_bodies_through_the_handler_are_never_5xx(handler_module: ModuleType, name: str) -> None:
    from tests.integration.api.test_api_http import JUNK_BODIES

    for raw in JUNK_BODIES:
        event = load_event(name)
        # Base64 carries any bytes, as API Gateway does for binary media types.
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
        for headers in (event["headers"], event["multiValueHeaders"]):
            headers.pop("Content-Length")
        response = invoke(handler_module, event)
        assert response["statusCode"] < 500, (raw[:60], response["body"][:300])
        if response["statusCode"] >= 400:
            assert body(response)["detail"]
