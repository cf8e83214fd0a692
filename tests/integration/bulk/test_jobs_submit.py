"""Submission against moto's server: chunking into messages, SendMessageBatch partial failures
retried, the job record."""

import json
from typing import Any

import pytest

from devtools.local import LocalStack
from functions.bulk.processing import BulkRuntime
from functions.jobs.aws import AwsClients
from functions.jobs.contract import SQS_MAX_BODY_BYTES, parse_chunk
from functions.jobs.submit import EnqueueError, send_chunks, submit_job
from tests.helpers.bulk import job_item


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
