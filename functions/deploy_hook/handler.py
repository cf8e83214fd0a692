"""Lambda entry point of the pre-traffic hook (template.yaml: ApiPreTrafficHook).

CodeDeploy calls it with a deployment id and a hook execution id before shifting the `live`
alias; it runs `checks.CHECKS` against the new version (TARGET_FUNCTION, a version ARN) and
reports Succeeded or Failed. It always reports: a hook that never answers stalls the deployment
for an hour.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, cast

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from functions.deploy_hook.checks import Invocation, parse_payload, run_checks

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "emotion-deploy-hook"))

Status = Literal["Succeeded", "Failed"]


class LambdaInvoker(Protocol):
    def invoke(self, *, FunctionName: str, Payload: bytes) -> Mapping[str, Any]: ...


class LifecycleReporter(Protocol):
    def put_lifecycle_event_hook_execution_status(
        self, *, deploymentId: str, lifecycleEventHookExecutionId: str, status: Status
    ) -> Mapping[str, Any]: ...


def clients() -> tuple[LambdaInvoker, LifecycleReporter]:
    # The first call to a new version includes its cold start (model load): allow for it.
    config = Config(read_timeout=120, retries={"mode": "standard", "max_attempts": 3})
    return (
        cast(LambdaInvoker, boto3.client("lambda", config=config)),
        cast(LifecycleReporter, boto3.client("codedeploy", config=config)),
    )


def invoker(client: LambdaInvoker, function: str) -> Callable[[dict[str, Any]], Invocation]:
    def invoke(event: dict[str, Any]) -> Invocation:
        answer = client.invoke(FunctionName=function, Payload=json.dumps(event).encode())
        return parse_payload(answer["Payload"].read(), answer.get("FunctionError"))

    return invoke


def run_hook(
    event: Mapping[str, Any], target: str | None, lambda_client: LambdaInvoker, codedeploy: LifecycleReporter
) -> dict[str, Any]:
    deployment_id = str(event["DeploymentId"])
    execution_id = str(event["LifecycleEventHookExecutionId"])
    failures = run_checks(invoker(lambda_client, target)) if target else ["TARGET_FUNCTION is not set"]
    status: Status = "Failed" if failures else "Succeeded"
    for failure in failures:
        logger.error("pre-traffic check failed", extra={"failure": failure, "target": target})
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status=status
    )
    logger.info("pre-traffic hook reported", extra={"status": status, "target": target, "failures": len(failures)})
    return {"status": status, "failures": failures}


# CodeDeploy's event holds two ids and nothing else: safe to log.
@logger.inject_lambda_context(log_event=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    lambda_client, codedeploy = clients()
    return run_hook(event, os.environ.get("TARGET_FUNCTION"), lambda_client, codedeploy)
