"""Bulk jobs that name a custom model: the API (uvicorn, MODELS_DIR) checks the name and queues it with
every chunk; the bulk handler (the same MODELS_DIR) classifies with that model; each line equals the
answer of POST /v1/models/{name}/predict for its text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.local import LocalEventSource, LocalStack, create_stack
from emotion_core import Classifier
from functions.bulk.processing import build_runtime
from functions.bulk.sqs_batch import make_handler
from functions.jobs.aws import AwsClients
from functions.jobs.models import load_models
from tests.helpers.bulk import MAX_RECEIVE_COUNT, bulk_settings_for, queue_depth
from tests.helpers.net import stop
from tests.integration.api.conftest import start_uvicorn

TEXTS = ["so furious about this", "thanks, glad it works", "", "hate the outage, awful"]


@pytest.fixture(scope="module")
def models_stack(aws: AwsClients) -> LocalStack:
    return create_stack(aws, prefix="models", max_receive_count=MAX_RECEIVE_COUNT)


@pytest.fixture(scope="module")
def api(models_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path, labelset_models_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    env = {**models_stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "MODELS_DIR": str(labelset_models_dir)}
    proc, url = start_uvicorn(tiny_bundle_dir, tmp_path_factory.mktemp("uvicorn") / "server.log", extra_env=env)
    try:
        with httpx.Client(base_url=url, headers={"X-API-Key": "test-key-1"}, timeout=60) as client:
            yield client
    finally:
        stop(proc)


def drain(aws: AwsClients, stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path, models_dir: Path,
          tiny_classifier: Classifier, *, with_custom: bool = True) -> None:
    settings = bulk_settings_for(stack, moto_endpoint, tiny_bundle_dir, models_dir=models_dir if with_custom else None)
    runtime = build_runtime(settings, tiny_classifier, load_models(settings, tiny_classifier))
    LocalEventSource(aws.sqs, stack.queue_url, stack.queue_arn, make_handler(runtime)).drain()


def result_lines(api: httpx.Client, job_id: str) -> list[dict[str, Any]]:
    status = api.get(f"/v1/jobs/{job_id}").json()
    lines = []
    for result in sorted(status["results"], key=lambda r: r["chunk"]):
        lines.extend(json.loads(line) for line in httpx.get(result["url"], timeout=30).text.splitlines())
    return lines


def test_a_job_naming_a_custom_model_answers_like_its_predict_route(
        api: httpx.Client, aws: AwsClients, models_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        labelset_models_dir: Path, tiny_classifier: Classifier) -> None:
    in_body = api.post("/v1/jobs", json={"texts": TEXTS, "model": "tiny-tickets"})
    csv_body = io.StringIO()
    csv.writer(csv_body).writerows([["id", "text"], *([f"c{i}", text] for i, text in enumerate(TEXTS))])
    in_query = api.post("/v1/jobs", params={"model": "tiny-tickets"}, content=csv_body.getvalue().encode(),
                        headers={"Content-Type": "text/csv"})
    default = api.post("/v1/jobs", json={"texts": TEXTS})
    assert [r.status_code for r in (in_body, in_query, default)] == [202, 202, 202]
    drain(aws, models_stack, moto_endpoint, tiny_bundle_dir, labelset_models_dir, tiny_classifier)

    direct = api.post("/v1/models/tiny-tickets/predict", json={"texts": TEXTS}).json()["results"]
    for job in (in_body, in_query):
        lines = result_lines(api, job.json()["job_id"])
        assert [{k: v for k, v in line.items() if k != "id"} for line in lines] == direct
        assert {line["model"]["name"] for line in lines} == {"tiny-tickets"}
    default_lines = result_lines(api, default.json()["job_id"])
    assert all("model" not in line and line["emotion"] not in {"angry", "happy"} for line in default_lines)


def test_an_unknown_or_contradictory_model_is_refused_before_anything_is_queued(
        api: httpx.Client, aws: AwsClients, models_stack: LocalStack) -> None:
    before = queue_depth(aws, models_stack.queue_url)
    unknown = api.post("/v1/jobs", json={"texts": ["hi"], "model": "nope"})
    assert unknown.status_code == 404 and "model" in unknown.json()["detail"] and "'nope'" in unknown.json()["detail"]
    unknown_query = api.post("/v1/jobs", params={"model": "nope"}, json={"texts": ["hi"]})
    assert unknown_query.status_code == 404
    both = api.post("/v1/jobs", params={"model": "tiny-tickets"}, json={"texts": ["hi"], "model": "tiny-test-bundle"})
    assert both.status_code == 422 and both.json()["detail"].startswith("model:")
    bad_name = api.post("/v1/jobs", params={"model": "../x"}, json={"texts": ["hi"]})
    assert bad_name.status_code == 422 and "model" in bad_name.text
    assert queue_depth(aws, models_stack.queue_url) == before


def test_a_bulk_function_without_the_model_writes_an_error_line_per_item(
        api: httpx.Client, aws: AwsClients, models_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        labelset_models_dir: Path, tiny_classifier: Classifier) -> None:
    job = api.post("/v1/jobs", json={"texts": TEXTS, "model": "tiny-tickets"}).json()
    drain(aws, models_stack, moto_endpoint, tiny_bundle_dir, labelset_models_dir, tiny_classifier,
          with_custom=False)
    status = api.get(f"/v1/jobs/{job['job_id']}").json()
    assert (status["status"], status["failed"]) == ("done-with-errors", len(TEXTS))
    lines = result_lines(api, job["job_id"])
    assert [line["error"] for line in lines] == ["model: no model named 'tiny-tickets' on the bulk function"] * 4
