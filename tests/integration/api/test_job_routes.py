"""The /v1/jobs routes in process with moto's server behind them: the answers that need a broken
backend, which the uvicorn flow tests (tests/integration/bulk) cannot arrange."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from devtools.local import LocalStack
from emotion_core import Classifier
from functions.api.dependencies import get_jobs_backend
from functions.api.factory import create_app
from functions.jobs.aws import AwsClients
from functions.jobs.backend import JobsBackend, connect_backend
from tests.helpers.api import api_settings
from tests.helpers.bulk import MAX_RECEIVE_COUNT


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
    assert all(400 <= status < 500 for status, _ in answers.values()), answers
    # The jobs route names the field; the single-text routes' parse errors belong to their own fix.
    assert all(answers["/v1/jobs", number] == (422, answers["/v1/jobs", number][1]) and
               answers["/v1/jobs", number][1].startswith("body") for number in range(len(HOSTILE_JSON))), answers
    jsonl = b"\n".join([b'{"id": "a", "text": "joy"}', HOSTILE_JSON[0], b'{"id": "b", "text": ' + b"9" * 5_000 + b"}"])
    accepted = client.post("/v1/jobs", content=jsonl, headers={"Content-Type": "application/x-ndjson"})
    assert accepted.status_code == 202, accepted.text[:300]
    assert accepted.json()["items"] == 3
    message = aws.sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=1)["Messages"][0]
    items = json.loads(message["Body"])["items"]
    assert [item.get("error", "") for item in items] == [
        "", "line 2: not valid JSON (nested too deeply)", "line 3: not valid JSON (a number too large to read)"]
