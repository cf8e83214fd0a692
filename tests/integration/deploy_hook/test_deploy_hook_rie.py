"""The pre-traffic hook against the real API handler: the API runs under the Lambda Runtime
Interface Emulator (what `sam local invoke` runs), and the hook's own boto3 Lambda client invokes it
there (AWS_ENDPOINT_URL_LAMBDA) with the events/api samples, exactly as it invokes a new version on
AWS. Only CodeDeploy's reply is stubbed (botocore Stubber): nothing here implements that API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from functions.deploy_hook import handler as hook
from tests.helpers.lambda_rie import lambda_rie
from tests.helpers.moto import AWS_ENV

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENT = {"DeploymentId": "d-ABCDEF123", "LifecycleEventHookExecutionId": "hook-execution-1"}
# The emulator serves one function, named "function", at Lambda's own Invoke path.
EMULATED_FUNCTION = "function"


@dataclass
class LambdaContext:
    """The attributes of the runtime's context object that Powertools reads."""

    function_name: str = "CodeDeployHook_emotion-service-dev-api-pre-traffic"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:CodeDeployHook_emotion"
    aws_request_id: str = "0f9a7c1e-0000-4000-8000-000000000001"


def api_under_emulator(model_dir: Path, log: Path) -> Any:
    env = {**os.environ, **AWS_ENV, "MODEL_DIR": str(model_dir), "ORT_THREADS": "1",
           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "emotion-api",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    env.pop("API_KEYS", None)  # on AWS, API Gateway checks keys, the app does not
    return lambda_rie("functions.api.handler.handler", env=env, cwd=REPO_ROOT, log=log)


def run_hook_against(endpoint: str, monkeypatch: pytest.MonkeyPatch, status: str) -> dict[str, Any]:
    """The real handler with its real Lambda client pointed at the emulator; CodeDeploy stubbed."""
    for name, value in {**AWS_ENV, "AWS_ENDPOINT_URL_LAMBDA": endpoint, "TARGET_FUNCTION": EMULATED_FUNCTION}.items():
        monkeypatch.setenv(name, value)
    codedeploy = boto3.client("codedeploy")
    real_clients = hook.clients
    monkeypatch.setattr(hook, "clients", lambda: (real_clients()[0], codedeploy))
    with Stubber(codedeploy) as stubber:
        stubber.add_response(
            "put_lifecycle_event_hook_execution_status",
            {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
            {"deploymentId": EVENT["DeploymentId"],
             "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"], "status": status})
        result: dict[str, Any] = hook.handler(dict(EVENT), LambdaContext())  # type: ignore[arg-type]
        stubber.assert_no_pending_responses()
    return result


@pytest.fixture(scope="module")
def healthy_api(tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with api_under_emulator(tiny_bundle_dir, tmp_path_factory.mktemp("rie") / "api.log") as emulator:
        assert emulator.first_invoke({"path": "/v1/health/live", "httpMethod": "GET"}).status_code == 200
        yield emulator.url.split("/2015-03-31/")[0]


def test_the_hook_passes_a_good_version(healthy_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_hook_against(healthy_api, monkeypatch, "Succeeded")
    assert result == {"status": "Succeeded", "failures": []}


def test_the_hook_fails_a_version_that_cannot_load_its_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bundle folder without a model: the new version's init fails, as a bad image would.
    with api_under_emulator(tmp_path, tmp_path / "api.log") as emulator:
        emulator.first_invoke({"path": "/v1/health/live", "httpMethod": "GET"})
        result = run_hook_against(emulator.url.split("/2015-03-31/")[0], monkeypatch, "Failed")
    assert result["status"] == "Failed", result
    assert len(result["failures"]) == 3, result
    assert all("the function raised" in failure or "no answer" in failure for failure in result["failures"])
