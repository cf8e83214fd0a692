"""run_hook reports Succeeded or Failed to CodeDeploy.

CodeDeploy cannot run here and moto does not implement PutLifecycleEventHookExecutionStatus, so
botocore's Stubber stands in for that one call: it checks the request against the real CodeDeploy
API model (parameter names, types) and the exact values sent."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from functions.deploy_hook import handler as hook

EVENT = {"DeploymentId": "d-ABCDEF123", "LifecycleEventHookExecutionId": "eyJleGVjdXRpb25JZCI6ImV4YW1wbGUifQ=="}


class ApiVersion:
    """Answers Invoke like a deployed API version would (payload stream, optional FunctionError)."""

    def __init__(self, healthy: bool) -> None:
        self.healthy = healthy
        self.invoked: list[str] = []

    def invoke(self, *, FunctionName: str, Payload: bytes) -> Mapping[str, Any]:
        self.invoked.append(FunctionName)
        event = json.loads(Payload)
        if not self.healthy:
            body = {"errorMessage": "BundleError: model.onnx sha256 mismatch", "errorType": "BundleError"}
            return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(json.dumps(body).encode())}
        if event["path"] == "/v1/health/live":
            answer = {"statusCode": 200, "body": json.dumps({"status": "healthy", "inference": "ok"})}
        elif json.loads(event["body"])["text"] == 123:
            answer = {"statusCode": 422, "body": json.dumps({"detail": "text: Input should be a valid string"})}
        else:
            answer = {"statusCode": 200, "body": json.dumps({"emotion": "joy", "confidence": 0.9})}
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


@pytest.fixture()
def codedeploy() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("codedeploy", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_status(stubber: Stubber, status: str) -> None:
    stubber.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
        {"deploymentId": EVENT["DeploymentId"], "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"],
         "status": status})


def test_a_good_version_is_reported_succeeded(codedeploy: tuple[Any, Stubber]) -> None:
    client, stubber = codedeploy
    expect_status(stubber, "Succeeded")
    version = ApiVersion(healthy=True)
    target = "arn:aws:lambda:us-east-1:123456789012:function:emotion-api:7"
    result = hook.run_hook(EVENT, target, version, client)
    assert result == {"status": "Succeeded", "failures": []}
    assert version.invoked == [target] * 3  # the new version itself, never the alias


def test_a_broken_version_is_reported_failed(codedeploy: tuple[Any, Stubber]) -> None:
    client, stubber = codedeploy
    expect_status(stubber, "Failed")
    result = hook.run_hook(EVENT, "arn:aws:lambda:us-east-1:123456789012:function:emotion-api:8",
                           ApiVersion(healthy=False), client)
    assert result["status"] == "Failed" and len(result["failures"]) == 3


def test_without_a_target_it_still_reports_failed(codedeploy: tuple[Any, Stubber]) -> None:
    client, stubber = codedeploy
    expect_status(stubber, "Failed")
    version = ApiVersion(healthy=True)
    assert hook.run_hook(EVENT, None, version, client)["failures"] == ["TARGET_FUNCTION is not set"]
    assert version.invoked == []
