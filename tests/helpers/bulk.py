"""moto's server on 127.0.0.1 with real boto3 clients, a fresh bulk stack per test, and the real
bulk handler wired to it. The bulk test folders' conftest files import these fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devtools.local import LocalEventSource, LocalStack, create_stack
from emotion_core import Classifier
from functions.bulk.processing import BulkRuntime, build_runtime
from functions.bulk.settings import BulkSettings
from functions.bulk.sqs_batch import Handler, make_handler
from functions.jobs.aws import AwsClients, aws_clients
from tests.helpers.moto import moto_endpoint_fixture  # noqa: F401 - the moto_endpoint fixture
from tests.helpers.settings import settings_from

MAX_RECEIVE_COUNT = 5


def bulk_settings_for(stack: LocalStack, endpoint: str, bundle: Path, **overrides: Any) -> BulkSettings:
    """BulkSettings for this stack from these values only, never from the environment."""
    values: dict[str, Any] = {**stack.settings_values(endpoint, MAX_RECEIVE_COUNT), "model_dir": bundle,
                              "ort_threads": 1, **overrides}
    return settings_from(BulkSettings, **values)


@pytest.fixture(scope="session")
def aws(moto_endpoint: str) -> AwsClients:
    return aws_clients(moto_endpoint)


@pytest.fixture()
def stack(aws: AwsClients) -> LocalStack:
    return create_stack(aws, prefix="test", max_receive_count=MAX_RECEIVE_COUNT)


@pytest.fixture()
def bulk_settings(stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path) -> BulkSettings:
    return bulk_settings_for(stack, moto_endpoint, tiny_bundle_dir)


@pytest.fixture()
def runtime(bulk_settings: BulkSettings, tiny_classifier: Classifier) -> BulkRuntime:
    return build_runtime(bulk_settings, tiny_classifier)


@pytest.fixture()
def bulk_handler(runtime: BulkRuntime) -> Handler:
    """The real Lambda handler of the bulk function, working on this test's stack."""
    return make_handler(runtime)


@pytest.fixture()
def event_source(aws: AwsClients, stack: LocalStack, bulk_handler: Handler) -> LocalEventSource:
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
