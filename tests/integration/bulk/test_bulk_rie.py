"""The bulk handler under the real Lambda runtime interface (awslambdaric behind the Runtime
Interface Emulator from the aws-sam-cli wheel), with the events/bulk samples and moto's server:
`sam local invoke BulkFunction -e events/bulk/...` without Docker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from functions.bulk.aws import AwsClients
from functions.bulk.local import LocalStack
from tests.bulk.fixtures import MAX_RECEIVE_COUNT, free_port, read_results
from tests.unit.functions.api.test_api_rie import INVOKE, rie_binary

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENTS = REPO_ROOT / "events" / "bulk"


def test_events_through_the_runtime_interface(stack: LocalStack, aws: AwsClients, moto_endpoint: str,
                                              tiny_bundle_dir: Path, tmp_path: Path) -> None:
    binary = rie_binary()
    if binary is None:
        pytest.skip("aws-lambda-rie binary not found: install aws-sam-cli (dev extra), which ships it")
    port, runtime_port = free_port(), free_port()
    env = {**os.environ, **stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "MODEL_DIR": str(tiny_bundle_dir),
           "ORT_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "emotion-bulk",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    log = tmp_path / "rie.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
             "--runtime-api-address", f"127.0.0.1:{runtime_port}",
             sys.executable, "-m", "awslambdaric", "functions.bulk.handler.handler"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}{INVOKE}"
    chunk_event = json.loads((EVENTS / "sqs-chunk.json").read_text(encoding="utf-8"))
    malformed_event = json.loads((EVENTS / "sqs-malformed.json").read_text(encoding="utf-8"))
    try:
        deadline = time.monotonic() + 120
        while True:  # the first invocation also runs the init phase (model load)
            if proc.poll() is not None:
                raise RuntimeError(f"RIE exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
            try:
                first = httpx.post(url, json=chunk_event, timeout=120)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert first.status_code == 200 and first.json() == {"batchItemFailures": []}, log.read_text()[-4000:]
        second = httpx.post(url, json=malformed_event, timeout=120).json()
        ids = [record["messageId"] for record in malformed_event["Records"]]
        assert second == {"batchItemFailures": [{"itemIdentifier": ids[1]}, {"itemIdentifier": ids[2]}]}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    job_id = json.loads(chunk_event["Records"][0]["body"])["job_id"]
    assert sorted(read_results(aws, stack, job_id)) == [0, 1]
