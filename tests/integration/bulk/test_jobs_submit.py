"""Submission against moto's server: chunking into messages, SendMessageBatch partial failures
retried, the job record."""

import json
from typing import Any

import pytest

from devtools.local import LocalEventSource, LocalStack
from functions.bulk.processing import BulkRuntime
from functions.jobs.aws import AwsClients
from functions.jobs.contract import SQS_MAX_BODY_BYTES, parse_chunk
from functions.jobs.idempotency import IdempotencyStore, body_digest
from functions.jobs.submit import (
    EnqueueError,
    Idempotency,
    IdempotencyConflict,
    Submission,
    send_chunks,
    submit_job,
)
from tests.helpers.bulk import job_item, queue_depth, read_results


class DropsEntries:
    """The real SQS client, except that the first `times` batch calls report their last entry as a
    throttled (retryable) failure without sending it, as SendMessageBatch can."""

    def __init__(self, real: Any, times: int, sender_fault: bool = False) -> None:
        self.real, self.times, self.sender_fault, self.calls = real, times, sender_fault, 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls > self.times:
            return dict(self.real.send_message_batch(QueueUrl=QueueUrl, Entries=Entries))
        kept, dropped = Entries[:-1], Entries[-1]
        response = dict(self.real.send_message_batch(QueueUrl=QueueUrl, Entries=kept)) if kept else {}
        response["Failed"] = [{"Id": dropped["Id"], "SenderFault": self.sender_fault,
                               "Code": "InvalidParameterValue" if self.sender_fault else "ThrottlingException",
                               "Message": "injected"}]
        return response


def drain_bodies(aws: AwsClients, queue_url: str) -> list[str]:
    bodies = []
    while True:
        messages = aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            aws.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_failed_entries_are_retried_until_every_chunk_is_on_the_queue(aws: AwsClients, stack: LocalStack) -> None:
    bodies = [json.dumps({"n": i}) for i in range(23)]
    flaky = DropsEntries(aws.sqs, times=2)
    send_chunks(flaky, stack.queue_url, bodies, backoff_s=0)  # type: ignore[arg-type]
    assert sorted(drain_bodies(aws, stack.queue_url), key=lambda b: json.loads(b)["n"]) == bodies


def test_a_chunk_still_failing_after_the_retries_is_an_error(aws: AwsClients, stack: LocalStack) -> None:
    with pytest.raises(EnqueueError, match="still failing after 5 attempts"):
        send_chunks(DropsEntries(aws.sqs, times=99), stack.queue_url, ["{}"], backoff_s=0)  # type: ignore[arg-type]
    with pytest.raises(EnqueueError, match="refused 1 chunk"):
        send_chunks(DropsEntries(aws.sqs, times=1, sender_fault=True), stack.queue_url, ["{}"],  # type: ignore[arg-type]
                    backoff_s=0)


def test_submit_records_the_job_then_enqueues_its_chunks(runtime: BulkRuntime, aws: AwsClients,
                                                         stack: LocalStack) -> None:
    items = [{"id": str(i), "text": f"text {i}"} for i in range(1, 1001)]
    submission = submit_job(items, jobs=runtime.jobs, sqs=aws.sqs, queue_url=stack.queue_url, max_items=300,
                            max_bytes=200_000)
    assert (submission.items, submission.chunks) == (1000, 4)
    record = runtime.jobs.get(submission.job_id)
    assert record is not None and (record.items, record.chunks, record.status) == (1000, 4, "queued")
    assert int(job_item(aws, stack, submission.job_id)["expires_at"]["N"]) > 0
    messages = [parse_chunk(body, SQS_MAX_BODY_BYTES) for body in drain_bodies(aws, stack.queue_url)]
    assert sorted(message.chunk for message in messages) == [0, 1, 2, 3]
    ids = [item.id for message in sorted(messages, key=lambda m: m.chunk) for item in message.items]
    assert ids == [item["id"] for item in items]


def test_a_job_whose_chunks_cannot_be_queued_is_marked(runtime: BulkRuntime, aws: AwsClients,
                                                       stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("functions.jobs.submit.time.sleep", lambda _: None)  # the retry backoff
    created = []
    real_create = runtime.jobs.create
    monkeypatch.setattr(runtime.jobs, "create",
                        lambda job_id, **kw: (created.append(job_id), real_create(job_id, **kw)))
    with pytest.raises(EnqueueError):
        submit_job([{"id": "1", "text": "hi"}], jobs=runtime.jobs, sqs=DropsEntries(aws.sqs, times=99),  # type: ignore[arg-type]
                   queue_url=stack.queue_url, max_items=10, max_bytes=200_000)
    record = runtime.jobs.get(created[0])
    assert record is not None and record.status == "submit-failed"


class FailsAfter:
    """The real SQS client for the first `ok_calls` batch calls; after that every entry fails as
    throttled (retryable), as when SQS becomes unreachable half-way through a submission."""

    def __init__(self, real: Any, ok_calls: int) -> None:
        self.real, self.ok_calls, self.calls = real, ok_calls, 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.ok_calls:
            return dict(self.real.send_message_batch(QueueUrl=QueueUrl, Entries=Entries))
        return {"Failed": [{"Id": entry["Id"], "SenderFault": False, "Code": "ThrottlingException",
                            "Message": "injected"} for entry in Entries]}


def test_a_submission_that_failed_part_way_completes_on_retry_with_its_idempotency_key(
        runtime: BulkRuntime, aws: AwsClients, stack: LocalStack, event_source: LocalEventSource,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("functions.jobs.submit.time.sleep", lambda _: None)  # the retry backoff
    items = [{"id": f"i{n}", "text": "what a joy"} for n in range(30)]
    idempotency = Idempotency(IdempotencyStore(aws.dynamodb, stack.table, 1), "retry-me", body_digest(b"30 items"))

    def submit(sqs: Any) -> Submission:
        return submit_job(items, jobs=runtime.jobs, sqs=sqs, queue_url=stack.queue_url, max_items=2,
                          max_bytes=200_000, owner="sha256:x", idempotency=idempotency)

    with pytest.raises(EnqueueError):
        submit(FailsAfter(aws.sqs, ok_calls=1))  # 15 chunks: the first 10 are queued, 5 are not
    assert queue_depth(aws, stack.queue_url) == 10
    retried = submit(aws.sqs)
    failed_job = [item for item in aws.dynamodb.scan(TableName=stack.table)["Items"] if item["record"]["S"] == "job"]
    assert [item["job_id"]["S"] for item in failed_job] == [retried.job_id]  # no second job
    assert runtime.jobs.get(retried.job_id).status == "queued"  # type: ignore[union-attr]
    event_source.drain()
    record = runtime.jobs.get(retried.job_id)
    assert record is not None
    assert (record.status, record.succeeded, record.failed, record.chunks_done) == ("done", 30, 0, 15)
    lines = [line for _, chunk in sorted(read_results(aws, stack, retried.job_id).items()) for line in chunk]
    assert [line["id"] for line in lines] == [item["id"] for item in items]
    # A repeat of a submission that went through queues nothing more.
    assert submit(aws.sqs) == retried and queue_depth(aws, stack.queue_url) == 0
    with pytest.raises(IdempotencyConflict):
        submit_job(items[:1], jobs=runtime.jobs, sqs=aws.sqs, queue_url=stack.queue_url, max_items=2,
                   max_bytes=200_000, owner="sha256:x",
                   idempotency=Idempotency(idempotency.store, "retry-me", body_digest(b"1 item")))
