"""The /v1/jobs router in-process (the API's own error mapping, moto's server behind it): the
answers that need a broken or missing backend, which the uvicorn flow tests cannot arrange."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from functions.api import jobs
from functions.api.errors import register_exception_handlers
from functions.bulk.aws import AwsClients
from functions.bulk.local import LocalStack
from functions.bulk.settings import BulkSettings
from tests.bulk.fixtures import settings_for


def client_for(settings: BulkSettings) -> TestClient:
    app = FastAPI()
    register_exception_handlers(app)
    app.include_router(jobs.router)
    app.dependency_overrides[jobs.get_backend] = lambda: jobs.backend_from_settings(settings)
    return TestClient(app)


def test_unconfigured_server_answers_503_naming_the_variables(tiny_bundle_dir: Path) -> None:
    response = client_for(BulkSettings(model_dir=tiny_bundle_dir)).post("/v1/jobs", json={"texts": ["hi"]})
    assert response.status_code == 503
    assert "JOBS_QUEUE_URL, RESULTS_BUCKET, JOBS_TABLE" in response.json()["detail"]


def test_queue_failure_is_503_and_the_job_is_marked(aws: AwsClients, stack: LocalStack, moto_endpoint: str,
                                                   tiny_bundle_dir: Path) -> None:
    settings = settings_for(stack, moto_endpoint, tiny_bundle_dir)
    broken = settings.model_copy(update={"jobs_queue_url": stack.queue_url + "-does-not-exist"})
    response = client_for(broken).post("/v1/jobs", json={"texts": ["hi", "there"]})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "not accepted" in response.json()["detail"]
    jobs_seen = aws.dynamodb.scan(TableName=stack.table)["Items"]
    assert [item["status"]["S"] for item in jobs_seen] == ["submit-failed"]
    assert client_for(settings).get(f"/v1/jobs/{jobs_seen[0]['job_id']['S']}").json()["status"] == "submit-failed"
