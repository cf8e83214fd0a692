"""The hook's decision: which answers of a new API version pass, which fail the deployment.

The events are the real events/api samples; the answers are proxy responses in the shapes the API
returns (the integration test runs the real API under the Lambda emulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.deploy_hook.checks import CHECKS, EVENTS_DIR, Invocation, judge, load_event, parse_payload, run_checks

GOOD = {
    "/v1/predict-emotion:" + json.dumps({"text": "I am very happy today"}):
        {"statusCode": 200, "body": json.dumps({"emotion": "joy", "confidence": 0.93, "sentiment": "positive"})},
    "/v1/predict-emotion:" + json.dumps({"text": 123}):
        {"statusCode": 422, "body": json.dumps({"detail": "text: Input should be a valid string"})},
    "/v1/health/live:": {"statusCode": 200, "body": json.dumps({"status": "healthy", "inference": "ok"})},
}


def key(event: dict[str, Any]) -> str:
    body = json.dumps(json.loads(event["body"])) if event.get("body") else ""
    return f"{event['path']}:{body}"


def answering(responses: dict[str, dict[str, Any]], error: str | None = None) -> Any:
    def invoke(event: dict[str, Any]) -> Invocation:
        return parse_payload(json.dumps(responses[key(event)]).encode(), error)

    return invoke


def test_the_checks_send_the_real_samples() -> None:
    assert {check.event_file for check in CHECKS} <= {path.name for path in EVENTS_DIR.glob("*.json")}
    assert sorted(key(load_event(check.event_file)) for check in CHECKS) == sorted(GOOD)


def test_a_good_version_passes() -> None:
    assert run_checks(answering(GOOD)) == []


@pytest.mark.parametrize(("route", "response", "expected"), [
    ("/v1/predict-emotion:" + json.dumps({"text": "I am very happy today"}),
     {"statusCode": 200, "body": json.dumps({"emotion": "sadness", "confidence": 0.9})}, "got 'sadness'"),
    ("/v1/predict-emotion:" + json.dumps({"text": "I am very happy today"}),
     {"statusCode": 200, "body": json.dumps({"emotion": "joy", "confidence": 1.7})}, "outside [0, 1]"),
    ("/v1/predict-emotion:" + json.dumps({"text": "I am very happy today"}),
     {"statusCode": 503, "body": json.dumps({"detail": "model unusable"})}, "got 503"),
    ("/v1/predict-emotion:" + json.dumps({"text": 123}),
     {"statusCode": 500, "body": json.dumps({"detail": "Internal Server Error"})}, "expected a 4xx"),
    ("/v1/predict-emotion:" + json.dumps({"text": 123}),
     {"statusCode": 200, "body": json.dumps({"emotion": "neutral", "confidence": 1.0})}, "expected a 4xx"),
    ("/v1/predict-emotion:" + json.dumps({"text": 123}),
     {"statusCode": 422, "body": json.dumps({"detail": "invalid"})}, "field 'text'"),
    ("/v1/health/live:", {"statusCode": 200, "body": json.dumps({"status": "degraded", "inference": "failed"})},
     "expected status healthy"),
    ("/v1/health/live:", {"statusCode": 200, "body": "<html>not json</html>"}, "expected status healthy"),
])
def test_a_wrong_answer_fails_and_says_why(route: str, response: dict[str, Any], expected: str) -> None:
    failures = run_checks(answering({**GOOD, route: response}))
    assert len(failures) == 1 and expected in failures[0], failures


def test_a_function_error_fails_every_check() -> None:
    failures = run_checks(answering(GOOD, error="Unhandled"))
    assert [f.split(":")[0] for f in failures] == [check.name for check in CHECKS]
    assert all("the function raised (Unhandled)" in failure for failure in failures)


def test_no_answer_fails_the_check_and_the_others_still_run() -> None:
    calls: list[str] = []

    def invoke(event: dict[str, Any]) -> Invocation:
        calls.append(key(event))
        if event["path"] == "/v1/health/live":
            raise TimeoutError("read timeout")
        return answering(GOOD)(event)

    failures = run_checks(invoke)
    assert failures == ["health: no answer (TimeoutError: read timeout)"]
    assert len(calls) == len(CHECKS)


def test_a_payload_that_is_not_a_proxy_response_has_no_status() -> None:
    for payload in (b"not json", b"[1, 2]", json.dumps({"errorMessage": "boom"}).encode()):
        answer = parse_payload(payload, None)
        assert answer.status is None and answer.body == {}
        assert judge(CHECKS[0], answer) == "prediction: expected status 200, got None"
