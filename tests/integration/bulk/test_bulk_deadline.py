"""Issue 10, defect 2: a batch must not outlast the function. A record starts only with
BULK_DEADLINE_MARGIN_MS of the invocation left; the others are reported as batch item failures
(retried, never lost), in process and under the Lambda runtime emulator with a real deadline."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.local import FakeLambdaContext, LocalStack, sqs_event
from functions.bulk.processing import BulkRuntime
from functions.bulk.sqs_batch import make_handler
from functions.jobs.aws import AwsClients
from functions.jobs.contract import encode_chunk
from tests.helpers.bulk import MAX_RECEIVE_COUNT, read_results
from tests.helpers.lambda_rie import lambda_rie

REPO_ROOT = Path(__file__).resolve().parents[3]


def chunk_messages(job_id: str, chunks: int) -> list[dict[str, Any]]:
    return [{"MessageId": f"m-{chunk}", "ReceiptHandle": f"r-{chunk}",
             "Body": encode_chunk(job_id, chunk, [{"id": f"{chunk}-{i}", "text": f"what a joy {i}"} for i in range(4)])}
            for chunk in range(chunks)]


@dataclass
class Clock(FakeLambdaContext):
    """A context whose remaining time is read from a script: one value per call, the last repeated."""

    script: list[int] = field(default_factory=list)

    def get_remaining_time_in_millis(self) -> int:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def test_records_past_the_margin_are_deferred_and_retried_not_lost(runtime: BulkRuntime, aws: AwsClients,
                                                                   stack: LocalStack) -> None:
    runtime.jobs.create("late", items=12, chunks=3)
    handler = make_handler(runtime)
    messages = chunk_messages("late", 3)
    margin = runtime.settings.bulk_deadline_margin_ms
    # The first record starts with plenty of time; then the clock runs out.
    response = handler(sqs_event(messages, stack.queue_arn), Clock(script=[120_000, margin - 1]))
    deferred = [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
    assert deferred == ["m-1", "m-2"]
    assert sorted(read_results(aws, stack, "late")) == [0]
    # SQS redelivers exactly the failed records.
    redelivered = [message for message in messages if message["MessageId"] in deferred]
    assert handler(sqs_event(redelivered, stack.queue_arn), FakeLambdaContext()) == {"batchItemFailures": []}
    results = read_results(aws, stack, "late")
    assert sorted(results) == [0, 1, 2] and all(len(lines) == 4 for lines in results.values())
    record = runtime.jobs.get("late")
    assert record is not None and (record.status, record.succeeded, record.chunks_done) == ("done", 12, 3)


def test_the_deadline_under_the_runtime_emulator(stack: LocalStack, aws: AwsClients, moto_endpoint: str,
                                                 tiny_bundle_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, **stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "MODEL_DIR": str(tiny_bundle_dir),
           "ORT_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "emotion-bulk",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    event = sqs_event(chunk_messages("rie-late", 3), stack.queue_arn)
    ids = [record["messageId"] for record in event["Records"]]
    # A 3-second function with a 60-second margin: no record may start, every one is reported.
    tight = {**env, "AWS_LAMBDA_FUNCTION_TIMEOUT": "3", "BULK_DEADLINE_MARGIN_MS": "60000"}
    with lambda_rie("functions.bulk.handler.handler", env=tight, cwd=REPO_ROOT, log=tmp_path / "tight.log") as rie:
        response = rie.first_invoke(event)
        assert response.json() == {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}, rie.log_tail()
    assert read_results(aws, stack, "rie-late") == {}
    # The same records with time to spare: all processed, each once.
    roomy = {**env, "AWS_LAMBDA_FUNCTION_TIMEOUT": "60", "BULK_DEADLINE_MARGIN_MS": "1000"}
    with lambda_rie("functions.bulk.handler.handler", env=roomy, cwd=REPO_ROOT, log=tmp_path / "roomy.log") as rie:
        assert rie.first_invoke(event).json() == {"batchItemFailures": []}, rie.log_tail()
    assert sorted(read_results(aws, stack, "rie-late")) == [0, 1, 2]
