"""The bulk handler under the real Lambda runtime interface (awslambdaric behind the Runtime
Interface Emulator from the aws-sam-cli wheel), with the events/bulk samples and moto's server:
`sam local invoke BulkFunction -e events/bulk/...` without Docker."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from devtools.local import LocalStack
from functions.jobs.aws import AwsClients
from tests.helpers.bulk import MAX_RECEIVE_COUNT, read_results
from tests.helpers.lambda_rie import lambda_rie

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENTS = REPO_ROOT / "events" / "bulk"


def test_events_through_the_runtime_interface(stack: LocalStack, aws: AwsClients, moto_endpoint: str,
                                              tiny_bundle_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, **stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "MODEL_DIR": str(tiny_bundle_dir),
           "ORT_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "emotion-bulk",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    chunk_event = json.loads((EVENTS / "sqs-chunk.json").read_text(encoding="utf-8"))
    malformed_event = json.loads((EVENTS / "sqs-malformed.json").read_text(encoding="utf-8"))
    with lambda_rie("functions.bulk.handler.handler", env=env, cwd=REPO_ROOT, log=tmp_path / "rie.log") as emulator:
        first = emulator.first_invoke(chunk_event)
        assert first.status_code == 200 and first.json() == {"batchItemFailures": []}, emulator.log_tail()
        second = httpx.post(emulator.url, json=malformed_event, timeout=120).json()
        ids = [record["messageId"] for record in malformed_event["Records"]]
        assert second == {"batchItemFailures": [{"itemIdentifier": ids[1]}, {"itemIdentifier": ids[2]}]}
    job_id = json.loads(chunk_event["Records"][0]["body"])["job_id"]
    assert sorted(read_results(aws, stack, job_id)) == [0, 1]
