"""The /v1/jobs routes in process with moto's server behind them: the answers that need a broken
backend, which the uvicorn flow tests (tests/integration/bulk) cannot arrange."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from devtools.local import FakeLambdaContext, LocalStack
from emotion_core import Classifier
from functions.api.dependencies import get_jobs_backend
from functions.api.factory import create_app
from functions.api.lambda_adapter import lambda_handler
from functions.jobs.aws import AwsClients
from functions.jobs.backend import JobsBackend, connect_backend
from tests.helpers.api import api_settings
from tests.helpers.bulk import MAX_RECEIVE_COUNT, job_item, queue_depth
from tests.unit.functions.api.event_cases import load_event


def test_queue_failure_is_503_and_the_job_is_marked(aws: AwsClients, stack: LocalStack, moto_endpoint: str,
                                                   tiny_bundle_dir: Path, tiny_classifier: Classifier) -> None:
    settings = api_settings(**stack.settings_values(moto_endpoint, MAX_RECEIVE_COUNT), model_dir=tiny_bundle_dir)
    app = create_app(settings, tiny_classifier)
    working = connect_backend(settings)
    broken = JobsBackend(jobs=working.jobs, results=working.results, sqs=working.sqs,
                         queue_url=stack.queue_url + "-does-not-exist")
    app.dependency_overrides[get_jobs_backend] = lambda: broken
    response = TestClient(app).post("/v1/jobs", json={"texts": ["hi", "there"]})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "not accepted" in response.json()["detail"]
    jobs_seen = aws.dynamodb.scan(TableName=stack.table)["Items"]
    assert [item["status"]["S"] for item in jobs_seen] == ["submit-failed"]
    app.dependency_overrides.clear()  # the app's own backend, from its settings
    assert TestClient(app).get(f"/v1/jobs/{jobs_seen[0]['job_id']['S']}").json()["status"] == "submit-failed"


def test_accepted_job_points_at_its_status_under_the_stage_prefix(stack: LocalStack, moto_endpoint: str,
                                                                    tiny_bundle_dir: Path,
                                                                    tiny_classifier: Classifier) -> None:
    # Behind API Gateway the app runs under root_path /Prod (StagePrefixMiddleware): the link a
    # client follows must carry it, in the body and in the 202's Location header.
    settings = api_settings(**stack.settings_values(moto_endpoint, MAX_RECEIVE_COUNT), model_dir=tiny_bundle_dir)
    staged = TestClient(create_app(settings, tiny_classifier), root_path="/Prod")
    accepted = staged.post("/v1/jobs", json={"texts": ["hi", "there"]})
    assert accepted.status_code == 202
    status_url = accepted.json()["status_url"]
    assert status_url.startswith("/Prod/v1/jobs/") and accepted.headers["location"] == status_url
    plain = TestClient(create_app(settings, tiny_classifier)).post("/v1/jobs", json={"texts": ["hi"]})
    plain_url = plain.json()["status_url"]
    assert plain_url.startswith("/v1/jobs/") and plain.headers["location"] == plain_url


HOSTILE_JSON = [b"[" * 100_000 + b"]" * 100_000, b'{"text": ' + b"1" * 5_000 + b"}",
                b'{"texts": [' + b"1" * 5_000 + b"]}", b'{"a":' * 100_000 + b"1" + b"}" * 100_000]


def test_hostile_bodies_are_4xx_and_a_bad_jsonl_line_is_one_error_item(
        aws: AwsClients, stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        tiny_classifier: Classifier) -> None:
    settings = api_settings(**stack.settings_values(moto_endpoint, MAX_RECEIVE_COUNT), model_dir=tiny_bundle_dir)
    client = TestClient(create_app(settings, tiny_classifier), raise_server_exceptions=False)
    answers = {}
    for number, body in enumerate(HOSTILE_JSON):
        for path in ("/v1/jobs", "/v1/predict-emotion", "/v1/predict-emotion-batch"):
            answer = client.post(path, content=body, headers={"Content-Type": "application/json"})
            answers[path, number] = (answer.status_code, answer.json()["detail"][:60])
    # Every route: 422 naming the body (FastAPI's own unnamed 400 is mapped to it on the predict routes).
    assert all(status == 422 and detail.startswith("body") for status, detail in answers.values()), answers
    jsonl = b"\n".join([b'{"id": "a", "text": "joy"}', HOSTILE_JSON[0], b'{"id": "b", "text": ' + b"9" * 5_000 + b"}"])
    accepted = client.post("/v1/jobs", content=jsonl, headers={"Content-Type": "application/x-ndjson"})
    assert accepted.status_code == 202, accepted.text[:300]
    assert accepted.json()["items"] == 3
    message = aws.sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=1)["Messages"][0]
    items = json.loads(message["Body"])["items"]
    assert [item.get("error", "") for item in items] == [
        "", "line 2: not valid JSON (nested too deeply)", "line 3: not valid JSON (a number too large to read)"]


def two_key_client(stack: LocalStack, endpoint: str, bundle: Path, classifier: Classifier) -> TestClient:
    settings = api_settings(**stack.settings_values(endpoint, MAX_RECEIVE_COUNT), model_dir=bundle,
                            api_keys="key-a,key-b")
    return TestClient(create_app(settings, classifier))


def _lambda_event(method: str, path: str, key_id: str | None, body: dict[str, Any] | None = None) -> dict[str, Any]:
    event = load_event("predict-emotion.json")
    event.update(httpMethod=method, path=path, resource=path, body=json.dumps(body) if body else None,
                 isBase64Encoded=False, queryStringParameters=None, multiValueQueryStringParameters=None)
    event["requestContext"] = {**event["requestContext"], "httpMethod": method, "path": path,
                               "identity": {**event["requestContext"].get("identity", {}), "apiKeyId": key_id}}
    return event


def test_a_job_is_readable_only_with_the_key_that_created_it(
        aws: AwsClients, stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        tiny_classifier: Classifier) -> None:
    client = two_key_client(stack, moto_endpoint, tiny_bundle_dir, tiny_classifier)
    job_id = client.post("/v1/jobs", json={"texts": ["hi"]}, headers={"X-API-Key": "key-a"}).json()["job_id"]
    assert client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": "key-a"}).status_code == 200
    other = client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": "key-b"})
    unknown = client.get("/v1/jobs/0123456789abcdef", headers={"X-API-Key": "key-b"})
    assert (other.status_code, other.json()["detail"]) == (404, f"job_id: no job {job_id}")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "job_id: no job 0123456789abcdef"
    # The table holds a digest of the key, never the key.
    stored = job_item(aws, stack, job_id)
    assert stored["owner"]["S"] == "sha256:" + hashlib.sha256(b"key-a").hexdigest()
    assert "key-a" not in json.dumps(stored)


def test_on_lambda_the_owner_is_the_key_id_api_gateway_names(
        stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path, tiny_classifier: Classifier) -> None:
    # On AWS API_KEYS is empty (API Gateway checks keys) and the event carries the key's id.
    settings = api_settings(**stack.settings_values(moto_endpoint, MAX_RECEIVE_COUNT), model_dir=tiny_bundle_dir)
    handler = lambda_handler(create_app(settings, tiny_classifier))
    context = FakeLambdaContext(function_name="emotion-api")
    created = handler(_lambda_event("POST", "/v1/jobs", "key-id-a", {"texts": ["hi"]}), context)
    assert created["statusCode"] == 202, created["body"]
    job_id = json.loads(created["body"])["job_id"]
    path = f"/v1/jobs/{job_id}"
    assert handler(_lambda_event("GET", path, "key-id-a"), context)["statusCode"] == 200
    assert handler(_lambda_event("GET", path, "key-id-b"), context)["statusCode"] == 404
    assert handler(_lambda_event("GET", path, None), context)["statusCode"] == 404


def test_idempotency_key_repeats_the_same_job_and_refuses_another_body(
        aws: AwsClients, stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        tiny_classifier: Classifier) -> None:
    client = two_key_client(stack, moto_endpoint, tiny_bundle_dir, tiny_classifier)

    def post(key: str, body: dict[str, Any], idempotency_key: str = "order-42") -> Any:
        return client.post("/v1/jobs", json=body, headers={"X-API-Key": key, "Idempotency-Key": idempotency_key})

    first = post("key-a", {"texts": ["hi", "there"]})
    again = post("key-a", {"texts": ["hi", "there"]})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    assert queue_depth(aws, stack.queue_url) == 1  # one chunk, not two
    conflict = post("key-a", {"texts": ["something else"]})
    assert conflict.status_code == 409 and conflict.json()["detail"].startswith("Idempotency-Key: already used")
    # Keys are per owner: another API key's "order-42" is its own job.
    other = post("key-b", {"texts": ["hi", "there"]})
    assert other.status_code == 202 and other.json()["job_id"] != first.json()["job_id"]
    bad = post("key-a", {"texts": ["hi"]}, idempotency_key="x" * 256)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("Idempotency-Key:")
    jobs = [item for item in aws.dynamodb.scan(TableName=stack.table)["Items"] if item["record"]["S"] == "job"]
    assert len(jobs) == 2
