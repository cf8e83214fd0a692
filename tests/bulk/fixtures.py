"""moto's server on 127.0.0.1 with real boto3 clients, a fresh bulk stack per test, and the real
bulk handler wired to it. Imported by the bulk test folders' conftest files."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from emotion_core import Classifier
from functions.bulk.aws import AwsClients, aws_clients
from functions.bulk.local import LocalEventSource, LocalStack, create_stack
from functions.bulk.processing import BulkRuntime, build_runtime
from functions.bulk.settings import BulkSettings
from tests.helpers.moto import moto_endpoint_fixture  # noqa: F401 - the moto_endpoint fixture

MAX_RECEIVE_COUNT = 5


@pytest.fixture(scope="session")
def aws(moto_endpoint: str) -> AwsClients:
    return aws_clients(moto_endpoint)


@pytest.fixture()
def stack(aws: AwsClients) -> LocalStack:
    return create_stack(aws, prefix="test", max_receive_count=MAX_RECEIVE_COUNT)


def settings_for(stack: LocalStack, endpoint: str, bundle: Path, **overrides: Any) -> BulkSettings:
    return BulkSettings(model_dir=bundle, ort_threads=1, jobs_queue_url=stack.queue_url,
                        results_bucket=stack.bucket, jobs_table=stack.table, aws_endpoint_url=endpoint,
                        bulk_max_receive_count=MAX_RECEIVE_COUNT, **overrides)


@pytest.fixture()
def bulk_settings(stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path) -> BulkSettings:
    return settings_for(stack, moto_endpoint, tiny_bundle_dir)


@pytest.fixture()
def runtime(bulk_settings: BulkSettings, tiny_classifier: Classifier) -> BulkRuntime:
    return build_runtime(bulk_settings, tiny_classifier)


@pytest.fixture(scope="session")
def handler_module(moto_endpoint: str, tiny_bundle_dir: Path) -> ModuleType:
    """functions.bulk.handler imported as Lambda would: configuration from the environment."""
    env = {"MODEL_DIR": str(tiny_bundle_dir), "ORT_THREADS": "1", "RESULTS_BUCKET": "unused-until-patched",
           "JOBS_TABLE": "unused-until-patched", "AWS_ENDPOINT_URL": moto_endpoint,
           "BULK_MAX_RECEIVE_COUNT": str(MAX_RECEIVE_COUNT), "POWERTOOLS_TRACE_DISABLED": "true"}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        return importlib.import_module("functions.bulk.handler")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture()
def bulk_handler(handler_module: ModuleType, runtime: BulkRuntime, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real handler, pointed at this test's stack (the module reads its runtime per record)."""
    monkeypatch.setattr(handler_module, "runtime", runtime)
    return handler_module.handler


@pytest.fixture()
def event_source(aws: AwsClients, stack: LocalStack, bulk_handler: Any) -> LocalEventSource:
    return LocalEventSource(aws.sqs, stack.queue_url, stack.queue_arn, bulk_handler)


def read_results(aws: AwsClients, stack: LocalStack, job_id: str) -> dict[int, list[dict[str, Any]]]:
    """Every result object of a job, parsed: {chunk: [line, ...]}."""
    out: dict[int, list[dict[str, Any]]] = {}
    listing = aws.s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"jobs/{job_id}/")
    for obj in listing.get("Contents", []):
        body = aws.s3.get_object(Bucket=stack.bucket, Key=obj["Key"])["Body"].read().decode("utf-8")
        chunk = int(obj["Key"].rsplit("/", 1)[-1].removesuffix(".jsonl"))
        out[chunk] = [json.loads(line) for line in body.splitlines()]
    return out


def queue_depth(aws: AwsClients, queue_url: str) -> int:
    attributes = aws.sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def job_item(aws: AwsClients, stack: LocalStack, job_id: str, record: str = "job") -> dict[str, Any]:
    return aws.dynamodb.get_item(TableName=stack.table, Key={"job_id": {"S": job_id}, "record": {"S": record}},
                                 ConsistentRead=True).get("Item", {})
