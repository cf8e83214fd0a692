"""Issue 10, defect 9: the job body limit a client meets is the app's, not Lambda's, and inputs larger
than a body go through S3: POST /v1/uploads, a real HTTP PUT to the presigned URL (moto's server),
POST /v1/jobs?upload_id=, then the bulk handler and the results."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.local import LocalEventSource, LocalStack, create_stack
from emotion_core import Classifier
from functions.bulk.processing import build_runtime
from functions.bulk.sqs_batch import make_handler
from functions.jobs.aws import AwsClients
from functions.jobs.settings import JobsSettings
from tests.helpers.bulk import MAX_RECEIVE_COUNT, bulk_settings_for, queue_depth
from tests.helpers.net import stop
from tests.integration.api.conftest import API_KEY, OTHER_KEY, start_uvicorn

REPO_ROOT = Path(__file__).resolve().parents[3]
# What Lambda accepts for a synchronous invocation, the whole event included.
LAMBDA_PAYLOAD_BYTES = 6_291_456
MAX_UPLOAD = 200_000


@pytest.fixture(scope="module")
def upload_stack(aws: AwsClients) -> LocalStack:
    return create_stack(aws, prefix="up", max_receive_count=MAX_RECEIVE_COUNT)


@pytest.fixture(scope="module")
def api(upload_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**upload_stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "JOBS_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
           "MAX_TEXT_CHARS": "2000"}
    proc, url = start_uvicorn(tiny_bundle_dir, tmp_path_factory.mktemp("uploads") / "server.log", extra_env=env)
    try:
        yield url
    finally:
        stop(proc)


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["id", "text"], *([f"u{i}", f"upload {i}: what a joy"] for i in range(rows))])
    return out.getvalue().encode()


def _upload(api: str, key: str, body: bytes, content_type: str = "text/csv") -> str:
    ticket = httpx.post(f"{api}/v1/uploads", headers={"X-API-Key": key}, json={"content_type": content_type})
    assert ticket.status_code == 201, ticket.text
    put = httpx.put(ticket.json()["url"], content=body, headers=ticket.json()["headers"])
    assert put.status_code == 200, put.text
    return str(ticket.json()["upload_id"])


def test_a_job_from_an_uploaded_file(api: str, aws: AwsClients, upload_stack: LocalStack, moto_endpoint: str,
                                     tiny_bundle_dir: Path, tiny_classifier: Classifier) -> None:
    upload_id = _upload(api, API_KEY, _csv(1_500))
    keyed = {"X-API-Key": API_KEY}
    job = httpx.post(f"{api}/v1/jobs", params={"upload_id": upload_id}, headers=keyed)
    assert job.status_code == 202, job.text
    assert job.json()["items"] == 1_500
    settings = bulk_settings_for(upload_stack, moto_endpoint, tiny_bundle_dir)
    LocalEventSource(aws.sqs, upload_stack.queue_url, upload_stack.queue_arn,
                     make_handler(build_runtime(settings, tiny_classifier))).drain()
    status = httpx.get(f"{api}/v1/jobs/{job.json()['job_id']}", headers=keyed).json()
    assert (status["status"], status["succeeded"]) == ("done", 1_500)
    first = httpx.get(status["results"][0]["url"]).text.splitlines()[0]
    assert json.loads(first)["id"] == "u0"


def test_uploads_are_private_bounded_and_exclusive(api: str, aws: AwsClients, upload_stack: LocalStack) -> None:
    before = queue_depth(aws, upload_stack.queue_url)
    upload_id = _upload(api, API_KEY, _csv(3))
    other = httpx.post(f"{api}/v1/jobs", params={"upload_id": upload_id}, headers={"X-API-Key": OTHER_KEY})
    assert other.status_code == 404 and other.json()["detail"].startswith("upload_id:")
    unknown = httpx.post(f"{api}/v1/jobs", params={"upload_id": "0" * 32}, headers={"X-API-Key": API_KEY})
    assert unknown.status_code == 404
    both = httpx.post(f"{api}/v1/jobs", params={"upload_id": upload_id}, headers={"X-API-Key": API_KEY},
                      json={"texts": ["hi"]})
    assert both.status_code == 422 and both.json()["detail"].startswith("upload_id:")
    big = _upload(api, API_KEY, b"id,text\n" + b"1," + b"a" * MAX_UPLOAD + b"\n")
    too_large = httpx.post(f"{api}/v1/jobs", params={"upload_id": big}, headers={"X-API-Key": API_KEY})
    assert too_large.status_code == 413 and "upload_id" in too_large.json()["detail"]
    assert queue_depth(aws, upload_stack.queue_url) == before


def test_the_body_limit_a_client_meets_is_the_apps() -> None:
    # The worst body at the default limit: every byte a control character, 6 bytes once escaped in the
    # event's JSON. It still fits Lambda's payload, so the app's 413 is what a client gets above it.
    limit = JobsSettings.model_fields["jobs_max_body_bytes"].default
    worst = "\x01" * limit
    event = {"resource": "/v1/jobs", "path": "/v1/jobs", "httpMethod": "POST", "isBase64Encoded": False,
             "headers": {"Content-Type": "text/csv", "X-API-Key": "k" * 40}, "queryStringParameters": None,
             "requestContext": {"stage": "Prod", "path": "/Prod/v1/jobs", "identity": {"apiKeyId": "a" * 10}},
             "body": worst}
    assert len(json.dumps(event).encode()) < LAMBDA_PAYLOAD_BYTES
    assert len(json.dumps({**event, "body": "\x01" * (limit + 50_000)}).encode()) > LAMBDA_PAYLOAD_BYTES
