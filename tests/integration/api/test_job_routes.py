"""The /v1/jobs routes in process with moto's server behind them: the answers that need a broken
backend, which the uvicorn flow tests (tests/integration/bulk) cannot arrange."""

from __future__ import annotations

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
