"""Issue 10: faults on the wire, not in Python. The bulk function's stores talk to moto's server through
tests/helpers/fault_proxy.py, which fails, or forwards then loses, chosen requests: an S3 outage over
every delivery including the last, an AccessDenied on the last one, a DynamoDB response lost after
its write, and a DynamoDB outage followed by a redrive. Every item ends with exactly one line.

(Concurrent deliveries of one chunk are not simulated here: moto's transactions are not thread-safe.
Their safety rests on the conditional marker write in functions.jobs.store, see ADR 0003.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devtools.local import LocalStack
from functions.bulk.processing import BulkRuntime, process_chunk
from functions.jobs.aws import AwsClients
from functions.jobs.contract import encode_chunk
from functions.jobs.results import ResultStore
from functions.jobs.store import DONE, JobStore
from tests.helpers.bulk import MAX_RECEIVE_COUNT, read_results
from tests.helpers.fault_proxy import FaultProxy


@pytest.fixture()
def proxy(moto_endpoint: str) -> Iterator[tuple[FaultProxy, str]]:
    faults = FaultProxy(moto_endpoint)
    with faults as url:
        yield faults, url


def wired(runtime: BulkRuntime, stack: LocalStack, url: str, attempts: int) -> BulkRuntime:
    """The runtime with its stores behind the proxy; `attempts` per call (botocore's own retries)."""
    config = Config(retries={"mode": "standard", "max_attempts": attempts}, connect_timeout=5, read_timeout=10,
                    s3={"addressing_style": "path"})
    dynamodb: Any = boto3.client("dynamodb", endpoint_url=url, config=config)
    s3: Any = boto3.client("s3", endpoint_url=url, config=config)
    return BulkRuntime(settings=runtime.settings, classifier=runtime.classifier,
                       jobs=JobStore(dynamodb, stack.table, 7), results=ResultStore(s3, stack.bucket))


def body(job_id: str, chunk: int, n: int = 4) -> str:
    return encode_chunk(job_id, chunk, [{"id": f"{chunk}-{i}", "text": f"so glad {i}"} for i in range(n)])


def deliver_all(runtime: BulkRuntime, message: str) -> None:
    for attempt in range(1, MAX_RECEIVE_COUNT + 1):
        try:
            process_chunk(runtime, message, receive_count=attempt)
        except Exception:  # any botocore error: the record fails, and SQS retries it
            continue
        raise AssertionError(f"delivery {attempt} succeeded through the fault")


def assert_done_once(runtime: BulkRuntime, aws: AwsClients, stack: LocalStack, job_id: str, chunks: int) -> None:
    record = runtime.jobs.get(job_id)
    assert record is not None
    assert (record.status, record.chunks_done, record.processed) == (DONE, chunks, 4 * chunks)
    results = read_results(aws, stack, job_id)
    assert sorted(results) == list(range(chunks))
    assert all([line["id"] for line in lines] == [f"{c}-{i}" for i in range(4)] for c, lines in results.items())


def test_s3_down_through_every_delivery_then_a_redrive(runtime: BulkRuntime, aws: AwsClients, stack: LocalStack,
                                                       proxy: tuple[FaultProxy, str]) -> None:
    faults, url = proxy
    runtime.jobs.create("s3-wire", items=4, chunks=1)
    faults.add("s3", "PutObject", "s3-500")
    deliver_all(wired(runtime, stack, url, attempts=1), body("s3-wire", 0))
    assert read_results(aws, stack, "s3-wire") == {}
    record = runtime.jobs.get("s3-wire")
    assert record is not None and record.chunks_done == 0  # not counted without its lines
    faults.clear()
    assert process_chunk(wired(runtime, stack, url, attempts=1), body("s3-wire", 0), receive_count=1).counted
    assert_done_once(runtime, aws, stack, "s3-wire", 1)


def test_access_denied_on_the_last_delivery_only(runtime: BulkRuntime, aws: AwsClients, stack: LocalStack,
                                                 proxy: tuple[FaultProxy, str]) -> None:
    faults, url = proxy
    runtime.jobs.create("denied", items=4, chunks=1)
    faults.add("s3", "PutObject", "s3-500", times=MAX_RECEIVE_COUNT - 1)
    # From the last delivery on (its results and its error lines), until the policy is fixed.
    faults.add("s3", "PutObject", "access-denied")
    deliver_all(wired(runtime, stack, url, attempts=1), body("denied", 0))
    assert read_results(aws, stack, "denied") == {}
    faults.clear()
    assert process_chunk(wired(runtime, stack, url, attempts=1), body("denied", 0), receive_count=1).counted
    assert_done_once(runtime, aws, stack, "denied", 1)


def test_a_dynamodb_response_lost_after_the_write_counts_once(runtime: BulkRuntime, aws: AwsClients,
                                                              stack: LocalStack, proxy: tuple[FaultProxy, str]) -> None:
    faults, url = proxy
    runtime.jobs.create("lost", items=4, chunks=1)
    rule = faults.add("dynamodb", "TransactWriteItems", "drop-response", times=1)
    outcome = process_chunk(wired(runtime, stack, url, attempts=3), body("lost", 0), receive_count=1)
    assert rule.fired == 1
    assert not outcome.counted  # the retried transaction found the marker its lost first attempt wrote
    assert_done_once(runtime, aws, stack, "lost", 1)
    # And a redelivery of the same message changes nothing.
    assert not process_chunk(wired(runtime, stack, url, attempts=1), body("lost", 0), receive_count=2).counted
    assert_done_once(runtime, aws, stack, "lost", 1)


def test_a_dynamodb_outage_then_a_redrive(runtime: BulkRuntime, aws: AwsClients, stack: LocalStack,
                                          proxy: tuple[FaultProxy, str]) -> None:
    faults, url = proxy
    runtime.jobs.create("outage", items=12, chunks=3)
    faults.add("dynamodb", None, "dynamodb-500")
    broken = wired(runtime, stack, url, attempts=1)
    for chunk in range(3):
        deliver_all(broken, body("outage", chunk))
    record = runtime.jobs.get("outage")
    assert record is not None and record.chunks_done == 0 and record.processed == 0
    faults.clear()  # DynamoDB is back; the DLQ is redriven
    healthy = wired(runtime, stack, url, attempts=1)
    assert all(process_chunk(healthy, body("outage", chunk), receive_count=1).counted for chunk in range(3))
    assert_done_once(runtime, aws, stack, "outage", 3)
    assert ("dynamodb", "TransactWriteItems") in faults.seen
