"""The Lambda handler itself: events/bulk samples, partial batch responses, logs without texts."""

import io
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devtools.local import FakeLambdaContext, LocalStack
from functions.bulk import sqs_batch
from functions.jobs.aws import AwsClients
from functions.jobs.contract import SQS_MAX_BODY_BYTES
from tests.helpers.bulk import read_results

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENTS = REPO_ROOT / "events" / "bulk"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def test_chunk_sample_event_succeeds(bulk_handler: Any, aws: AwsClients, stack: LocalStack) -> None:
    event = load_event("sqs-chunk.json")
    assert bulk_handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    job_id = json.loads(event["Records"][0]["body"])["job_id"]
    lines = read_results(aws, stack, job_id)[0]
    assert [line["id"] for line in lines] == ["ticket-1", "ticket-2", "ticket-3"]
    assert "emotion" in lines[0] and lines[2]["emotion"] == "neutral" and lines[2]["windows"] == 0


def test_malformed_sample_reports_exactly_the_bad_records(bulk_handler: Any, aws: AwsClients,
                                                          stack: LocalStack) -> None:
    event = load_event("sqs-malformed.json")
    response = bulk_handler(event, FakeLambdaContext())
    ids = [record["messageId"] for record in event["Records"]]
    assert response == {"batchItemFailures": [{"itemIdentifier": ids[1]}, {"itemIdentifier": ids[2]}]}
    job_id = json.loads(event["Records"][0]["body"])["job_id"]
    assert [line["id"] for line in read_results(aws, stack, job_id)[1]] == ["ticket-4"]


def test_all_records_failing_still_answers_per_record(bulk_handler: Any) -> None:
    event = load_event("sqs-malformed.json")
    event["Records"] = event["Records"][1:]
    huge = [{"id": "1", "text": "x" * SQS_MAX_BODY_BYTES}]
    oversize = dict(event["Records"][0], messageId="oversize-1",
                    body=json.dumps({"job_id": "j", "chunk": 0, "items": huge}))
    event["Records"].append(oversize)
    response = bulk_handler(event, FakeLambdaContext())
    assert [failure["itemIdentifier"] for failure in response["batchItemFailures"]] == [
        record["messageId"] for record in event["Records"]]


def test_logs_carry_reasons_and_counts_never_texts(bulk_handler: Any, capfd: pytest.CaptureFixture[str]) -> None:
    secret = "my secret diary about my divorce"
    event = load_event("sqs-malformed.json")
    event["Records"][0]["body"] = json.dumps(
        {"job_id": "logs", "chunk": 0, "items": [{"id": "1", "text": secret}]})
    event["Records"][1]["body"] = "not json " + secret
    event["Records"][2]["body"] = json.dumps({"job_id": "logs", "chunk": 1, "items": [{"text": secret}]})
    # The handler's own JSON log lines, formatted as in Lambda, captured beside its EMF output.
    lines = io.StringIO()
    capture = logging.StreamHandler(lines)
    capture.setFormatter(sqs_batch.logger.registered_formatter)
    target = logging.getLogger(sqs_batch.logger.name)
    target.addHandler(capture)
    try:
        bulk_handler(event, FakeLambdaContext())
    finally:
        target.removeHandler(capture)
    out = capfd.readouterr()
    logs = lines.getvalue() + out.out + out.err
    assert '"message":"malformed chunk message"' in logs
    assert "body is not JSON" in logs and "items.0.id: Field required" in logs
    assert '"chunk written"' in logs and '"ChunksMalformed"' in logs  # JSON log line and EMF metrics
    assert secret not in logs


def test_cold_start_fails_without_its_configuration(tiny_bundle_dir: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "MODEL_DIR": str(tiny_bundle_dir), "POWERTOOLS_TRACE_DISABLED": "true",
           "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": f"{REPO_ROOT}:{REPO_ROOT / 'layers'}",
           "JOBS_TABLE": "jobs", "CHUNK_MAX_ITEMS": "0"}
    bad_value = subprocess.run([sys.executable, "-c", "import functions.bulk.handler"], cwd=REPO_ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert bad_value.returncode != 0 and "chunk_max_items" in bad_value.stderr
    env["CHUNK_MAX_ITEMS"] = "100"
    missing = subprocess.run([sys.executable, "-c", "import functions.bulk.handler"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "needs RESULTS_BUCKET in its environment" in missing.stderr


def test_s3_failure_reports_the_record_and_its_retry_succeeds(bulk_handler: Any, aws: AwsClients,
                                                              stack: LocalStack) -> None:
    event = load_event("sqs-chunk.json")
    job_id = json.loads(event["Records"][0]["body"])["job_id"]
    failures = [0]

    def refuse_once(**_: Any) -> None:
        if failures[0] == 0:
            failures[0] += 1
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "PutObject")

    aws.s3.meta.events.register("before-call.s3.PutObject", refuse_once, unique_id="handler-s3-failure")
    try:
        first = bulk_handler(event, FakeLambdaContext())
    finally:
        aws.s3.meta.events.unregister("before-call.s3.PutObject", unique_id="handler-s3-failure")
    assert first == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert read_results(aws, stack, job_id) == {}
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    assert bulk_handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    assert len(read_results(aws, stack, job_id)[0]) == 3
