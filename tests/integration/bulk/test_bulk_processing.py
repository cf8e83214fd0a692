"""Per-chunk processing against moto's server: results in S3, counters exactly once, retries."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devtools.local import LocalStack
from emotion_core import Prediction
from functions.bulk.processing import BulkRuntime, process_chunk
from functions.jobs.aws import AwsClients
from functions.jobs.contract import encode_chunk
from functions.jobs.store import DONE, DONE_WITH_ERRORS, RUNNING
from tests.helpers.bulk import MAX_RECEIVE_COUNT, job_item, read_results


def chunk_body(job_id: str, chunk: int, n: int = 5, start: int = 0) -> str:
    return encode_chunk(job_id, chunk, [{"id": f"{chunk}-{i}", "text": f"so much joy {i}"}
                                        for i in range(start, start + n)])


def counters(aws: AwsClients, stack: LocalStack, job_id: str) -> dict[str, int]:
    item = job_item(aws, stack, job_id)
    return {name: int(item[name]["N"]) for name in ("succeeded", "failed", "chunks_done", "chunks_failed")
            if name in item}


def test_chunk_writes_one_line_per_item_and_counts(runtime: BulkRuntime, aws: AwsClients,
                                                    stack: LocalStack) -> None:
    runtime.jobs.create("job1", items=10, chunks=2)
    outcome = process_chunk(runtime, chunk_body("job1", 0), receive_count=1)
    assert outcome.counted and outcome.succeeded == 5 and outcome.failed == 0
    lines = read_results(aws, stack, "job1")[0]
    assert [line["id"] for line in lines] == [f"0-{i}" for i in range(5)]
    assert all(line["emotion"] == "joy" and 0 <= line["confidence"] <= 1 for line in lines)
    assert counters(aws, stack, "job1") == {"succeeded": 5, "failed": 0, "chunks_done": 1, "chunks_failed": 0}
    record = runtime.jobs.get("job1")
    assert record is not None and record.status == RUNNING

    process_chunk(runtime, chunk_body("job1", 1), receive_count=1)
    record = runtime.jobs.get("job1")
    assert record is not None and record.status == DONE and record.processed == 10
    assert job_item(aws, stack, "job1")["status"]["S"] == DONE


def test_same_message_twice_changes_nothing(runtime: BulkRuntime, aws: AwsClients, stack: LocalStack) -> None:
    runtime.jobs.create("dup", items=5, chunks=1)
    body = chunk_body("dup", 0)
    first = process_chunk(runtime, body, receive_count=1)
    before = (counters(aws, stack, "dup"), read_results(aws, stack, "dup"))
    second = process_chunk(runtime, body, receive_count=2)
    assert first.counted and not second.counted
    assert (counters(aws, stack, "dup"), read_results(aws, stack, "dup")) == before
    assert len(read_results(aws, stack, "dup")[0]) == 5


def test_mixed_valid_and_invalid_items(runtime: BulkRuntime, aws: AwsClients, stack: LocalStack) -> None:
    runtime.jobs.create("mixed", items=7, chunks=1)
    items: list[dict[str, Any]] = [
        {"id": "ok", "text": "what a joy"}, {"id": "empty", "text": "   "}, {"id": "missing"},
        {"id": "number", "text": 42}, {"id": "long", "text": "x" * 10_001},
        {"id": "broken-row", "error": "row 3: 2 fields, the header has 3"},
        {"id": "surrogate", "text": "bad \ud800 text"},
    ]
    body = json.dumps({"job_id": "mixed", "chunk": 0, "items": items})  # ASCII escapes keep the surrogate
    outcome = process_chunk(runtime, body, receive_count=1)
    lines = {line["id"]: line for line in read_results(aws, stack, "mixed")[0]}
    assert list(lines) == [item["id"] for item in items]
    assert lines["ok"]["emotion"] == "joy" and "error" not in lines["ok"]
    assert lines["empty"]["emotion"] == "neutral" and lines["empty"]["windows"] == 0  # the API's answer
    assert lines["missing"]["error"] == "text is missing"
    assert "must be a string" in lines["number"]["error"]
    assert "limit is 10000" in lines["long"]["error"]
    assert lines["broken-row"]["error"] == "row 3: 2 fields, the header has 3"
    assert "unpaired surrogate" in lines["surrogate"]["error"]
    assert (outcome.succeeded, outcome.failed) == (2, 5)
    record = runtime.jobs.get("mixed")
    assert record is not None and record.status == DONE_WITH_ERRORS and (record.succeeded, record.failed) == (2, 5)


def fail_s3_puts(aws: AwsClients, times: int) -> list[int]:
    calls = [0]

    def refuse(**_: Any) -> None:
        calls[0] += 1
        if calls[0] <= times:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, "PutObject")

    aws.s3.meta.events.register("before-call.s3.PutObject", refuse, unique_id="inject-s3-failure")
    return calls


def test_s3_write_failure_fails_the_record_and_counts_nothing(runtime: BulkRuntime, aws: AwsClients,
                                                              stack: LocalStack) -> None:
    runtime.jobs.create("s3fail", items=5, chunks=1)
    body = chunk_body("s3fail", 0)
    fail_s3_puts(aws, times=1)
    try:
        with pytest.raises(ClientError, match="injected"):
            process_chunk(runtime, body, receive_count=1)
        assert read_results(aws, stack, "s3fail") == {}
        assert counters(aws, stack, "s3fail")["chunks_done"] == 0
        assert job_item(aws, stack, "s3fail", "chunk#0") == {}
        assert process_chunk(runtime, body, receive_count=2).counted
    finally:
        aws.s3.meta.events.unregister("before-call.s3.PutObject", unique_id="inject-s3-failure")
    assert len(read_results(aws, stack, "s3fail")[0]) == 5
    assert counters(aws, stack, "s3fail") == {"succeeded": 5, "failed": 0, "chunks_done": 1, "chunks_failed": 0}


def test_crash_after_the_s3_write_is_counted_once_on_retry(runtime: BulkRuntime, aws: AwsClients,
                                                           stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime.jobs.create("late", items=5, chunks=1)
    body = chunk_body("late", 0)
    real = runtime.jobs.record_chunk
    calls = []

    def crash_once(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("injected: lost the connection before the counters")
        return real(*args, **kwargs)

    monkeypatch.setattr(runtime.jobs, "record_chunk", crash_once)
    with pytest.raises(ConnectionError):
        process_chunk(runtime, body, receive_count=1)
    assert len(read_results(aws, stack, "late")[0]) == 5  # written, not yet counted
    assert process_chunk(runtime, body, receive_count=2).counted
    assert not process_chunk(runtime, body, receive_count=3).counted
    assert counters(aws, stack, "late") == {"succeeded": 5, "failed": 0, "chunks_done": 1, "chunks_failed": 0}


class Exploding:
    def predict(self, texts: list[str], *, include_scores: bool = False) -> list[Prediction]:
        raise RuntimeError("injected model failure")

    def window_problem(self, text: str) -> str | None:
        return None

    max_text_chars = 10_000


def test_last_delivery_marks_the_chunk_failed_then_redrive_revives_it(
        runtime: BulkRuntime, aws: AwsClients, stack: LocalStack) -> None:
    runtime.jobs.create("dead", items=10, chunks=2)
    process_chunk(runtime, chunk_body("dead", 0), receive_count=1)
    broken = BulkRuntime(settings=runtime.settings, classifier=Exploding(), jobs=runtime.jobs,
                         results=runtime.results)
    body = chunk_body("dead", 1)
    for attempt in range(1, MAX_RECEIVE_COUNT):
        with pytest.raises(RuntimeError):
            process_chunk(broken, body, receive_count=attempt)
        assert counters(aws, stack, "dead")["chunks_done"] == 1  # not yet: retries remain
    with pytest.raises(RuntimeError):
        process_chunk(broken, body, receive_count=MAX_RECEIVE_COUNT)
    record = runtime.jobs.get("dead")
    assert record is not None
    assert (record.status, record.succeeded, record.failed, record.chunks_failed) == (DONE_WITH_ERRORS, 5, 5, 1)
    lines = read_results(aws, stack, "dead")[1]
    assert [line["id"] for line in lines] == [f"1-{i}" for i in range(5)]
    assert all("dead-letter queue" in line["error"] for line in lines)

    # Redriven from the DLQ once the cause is fixed: the failure is swapped for the results.
    assert process_chunk(runtime, body, receive_count=1).counted
    record = runtime.jobs.get("dead")
    assert record is not None
    assert (record.status, record.succeeded, record.failed, record.chunks_failed, record.chunks_done) == (
        DONE, 10, 0, 0, 2)
    assert all("emotion" in line for line in read_results(aws, stack, "dead")[1])


def test_chunk_of_a_job_the_api_never_saw_still_lands(runtime: BulkRuntime, aws: AwsClients,
                                                      stack: LocalStack) -> None:
    outcome = process_chunk(runtime, chunk_body("direct-producer", 3), receive_count=1)
    assert outcome.counted
    record = runtime.jobs.get("direct-producer")
    assert record is not None and record.items is None and record.status == RUNNING and record.succeeded == 5
    assert "expires_at" in job_item(aws, stack, "direct-producer")


def test_s3_failing_on_every_delivery_counts_nothing_and_a_redrive_completes_it(
        runtime: BulkRuntime, aws: AwsClients, stack: LocalStack) -> None:
    # Issue 10, defect 3: the last delivery counted the chunk as failed, then its error lines could
    # not be written either (swallowed): items counted, no lines at all.
    runtime.jobs.create("s3down", items=5, chunks=1)
    body = chunk_body("s3down", 0)
    fail_s3_puts(aws, times=10 * MAX_RECEIVE_COUNT)
    try:
        for attempt in range(1, MAX_RECEIVE_COUNT + 1):
            with pytest.raises(ClientError, match="injected"):
                process_chunk(runtime, body, receive_count=attempt)
        # Never counted without its lines: the job is not finished, the message goes to the DLQ.
        assert read_results(aws, stack, "s3down") == {}
        assert counters(aws, stack, "s3down") == {"succeeded": 0, "failed": 0, "chunks_done": 0, "chunks_failed": 0}
    finally:
        aws.s3.meta.events.unregister("before-call.s3.PutObject", unique_id="inject-s3-failure")
    # Redriven once S3 is back: results and counters, exactly once.
    assert process_chunk(runtime, body, receive_count=1).counted
    assert len(read_results(aws, stack, "s3down")[0]) == 5
    record = runtime.jobs.get("s3down")
    assert record is not None and (record.status, record.succeeded, record.chunks_done) == (DONE, 5, 1)


def test_a_last_delivery_whose_lines_fail_is_finished_by_the_next_redrive(
        runtime: BulkRuntime, aws: AwsClients, stack: LocalStack) -> None:
    # The model fails every delivery and S3 fails the error lines of the last one: nothing counted;
    # the redriven message, failing again on its last delivery with S3 back, finishes the job.
    runtime.jobs.create("both", items=5, chunks=1)
    broken = BulkRuntime(settings=runtime.settings, classifier=Exploding(), jobs=runtime.jobs,
                         results=runtime.results)
    body = chunk_body("both", 0)
    fail_s3_puts(aws, times=1)
    try:
        with pytest.raises(RuntimeError):
            process_chunk(broken, body, receive_count=MAX_RECEIVE_COUNT)
        assert counters(aws, stack, "both")["chunks_done"] == 0
    finally:
        aws.s3.meta.events.unregister("before-call.s3.PutObject", unique_id="inject-s3-failure")
    with pytest.raises(RuntimeError):
        process_chunk(broken, body, receive_count=MAX_RECEIVE_COUNT)
    record = runtime.jobs.get("both")
    assert record is not None and (record.status, record.failed, record.chunks_failed) == (DONE_WITH_ERRORS, 5, 1)
    assert len(read_results(aws, stack, "both")[0]) == 5
