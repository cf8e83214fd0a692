"""The whole bulk path over real HTTP: uvicorn serving the API app, moto's server for SQS, S3 and
DynamoDB, and the real bulk handler fed real SQS events by a local event source."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.local import LocalEventSource, LocalStack, create_stack
from emotion_core import Classifier, Prediction
from functions.bulk.processing import BulkRuntime, build_runtime
from functions.bulk.sqs_batch import make_handler
from functions.jobs.aws import AwsClients
from tests.helpers.bulk import MAX_RECEIVE_COUNT, bulk_settings_for, queue_depth
from tests.helpers.net import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]
API_KEY = "bulk-test-key"
CHUNK_MAX_ITEMS = 500
JOBS_MAX_BODY_BYTES = 2_000_000


@pytest.fixture(scope="module")
def api_stack(aws: AwsClients) -> LocalStack:
    return create_stack(aws, prefix="api", max_receive_count=MAX_RECEIVE_COUNT)


@pytest.fixture(scope="module")
def api(api_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    port = free_port()
    env = {**os.environ, **api_stack.environment(moto_endpoint, MAX_RECEIVE_COUNT),
           "MODEL_DIR": str(tiny_bundle_dir), "API_KEYS": API_KEY, "ORT_THREADS": "1",
           "CHUNK_MAX_ITEMS": str(CHUNK_MAX_ITEMS), "JOBS_MAX_BODY_BYTES": str(JOBS_MAX_BODY_BYTES),
           "POWERTOOLS_TRACE_DISABLED": "true",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    log = tmp_path_factory.mktemp("bulk-api") / "uvicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "functions.api.app:app", "--host", "127.0.0.1",
                                 "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start:\n{log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{url}/v1/health/live", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        with httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=60) as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture()
def api_runtime(api_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
                tiny_classifier: Classifier) -> BulkRuntime:
    return build_runtime(bulk_settings_for(api_stack, moto_endpoint, tiny_bundle_dir), tiny_classifier)


def source_for(aws: AwsClients, stack: LocalStack, handler: Any) -> LocalEventSource:
    return LocalEventSource(aws.sqs, stack.queue_url, stack.queue_arn, handler)


def download_results(status: dict[str, Any]) -> list[dict[str, Any]]:
    lines = []
    for result in sorted(status["results"], key=lambda r: r["chunk"]):
        response = httpx.get(result["url"], timeout=30)  # the presigned URL, as a client would fetch it
        assert response.status_code == 200, response.text
        lines.extend(json.loads(line) for line in response.text.splitlines())
    return lines


def test_ten_thousand_texts_each_come_back_exactly_once(api: httpx.Client, aws: AwsClients, api_stack: LocalStack,
                                                        api_runtime: BulkRuntime) -> None:
    texts = [f"text {i}: {'what a joy' if i % 3 else 'so sad and angry'}" for i in range(10_000)]
    accepted = api.post("/v1/jobs", json={"texts": texts})
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert (job["items"], job["chunks"], job["status"]) == (10_000, 20, "queued")
    assert api.get(job["status_url"]).json()["status"] == "queued"

    # SQS delivers at least once: the first batch reaches the handler twice, as a redelivery would.
    calls = []
    handler = make_handler(api_runtime)

    def twice(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            handler(event, context)
        return handler(event, context)

    stats = source_for(aws, api_stack, twice).drain()
    assert (stats.received, stats.failed) == (20, 0)

    status = api.get(f"/v1/jobs/{job['job_id']}").json()
    assert status["status"] == "done"
    assert (status["processed"], status["succeeded"], status["failed"]) == (10_000, 10_000, 0)
    assert (status["chunks_done"], status["chunks_failed"], len(status["results"])) == (20, 0, 20)
    lines = download_results(status)
    assert len(lines) == 10_000
    assert [line["id"] for line in lines] == [str(i) for i in range(1, 10_001)]
    assert {line["emotion"] for line in lines} <= {"joy", "sadness", "anger"}
    assert all("error" not in line for line in lines)


def test_csv_and_jsonl_uploads(api: httpx.Client, aws: AwsClients, api_stack: LocalStack,
                               api_runtime: BulkRuntime) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([["ticket", "body"], ["t1", "thank you, I love it"], ["t2", ""], ["t3", "so sad", "extra"],
                      ["t4", "multi\nline, \"quoted\" joy"]])
    posted = api.post("/v1/jobs", params={"text_column": "body", "id_column": "ticket"},
                      content=out.getvalue().encode(), headers={"Content-Type": "text/csv"})
    assert posted.status_code == 202, posted.text
    jsonl = b'{"id": "a", "text": "what a joy"}\n{"id": "b"}\nnot json\n{"id": 7, "text": "\\ud800"}\n'
    posted_jsonl = api.post("/v1/jobs", content=jsonl, headers={"Content-Type": "application/x-ndjson"})
    assert posted_jsonl.status_code == 202, posted_jsonl.text
    source_for(aws, api_stack, make_handler(api_runtime)).drain()

    csv_status = api.get(f"/v1/jobs/{posted.json()['job_id']}").json()
    assert (csv_status["status"], csv_status["succeeded"], csv_status["failed"]) == ("done-with-errors", 3, 1)
    lines = {line["id"]: line for line in download_results(csv_status)}
    assert list(lines) == ["t1", "t2", "t3", "t4"]
    assert lines["t1"]["emotion"] == "joy" and lines["t4"]["emotion"] == "joy"
    assert lines["t2"]["emotion"] == "neutral" and lines["t2"]["windows"] == 0 and "row 3" in lines["t3"]["error"]

    jsonl_lines = download_results(api.get(f"/v1/jobs/{posted_jsonl.json()['job_id']}").json())
    assert [line["id"] for line in jsonl_lines] == ["a", "b", "line-3", 7]
    assert "emotion" in jsonl_lines[0] and jsonl_lines[1]["error"] == "text is missing"
    assert "not valid JSON" in jsonl_lines[2]["error"] and "surrogate" in jsonl_lines[3]["error"]


class FailsOn:
    """The real classifier, failing whenever a chunk holds the marker text (at most `times` times)."""

    def __init__(self, real: Classifier, marker: str, times: int) -> None:
        self.real, self.marker, self.times, self.failures = real, marker, times, 0
        self.max_text_chars = real.max_text_chars

    def __getattr__(self, name: str) -> Any:  # everything but predict is the real classifier's
        return getattr(self.real, name)

    def predict(self, texts: list[str], *, include_scores: bool = False) -> list[Prediction]:
        if self.marker in texts and self.failures < self.times:
            self.failures += 1
            raise RuntimeError("injected failure")
        return self.real.predict(texts, include_scores=include_scores)


@pytest.mark.parametrize("failures", [1, 1_000])
def test_failing_chunk_is_retried_or_dead_lettered_but_never_lost(
        failures: int, api: httpx.Client, aws: AwsClients, api_stack: LocalStack, api_runtime: BulkRuntime,
        tiny_classifier: Classifier) -> None:
    items = [{"id": f"i{n}", "text": "POISON" if n == 600 else "a joy"} for n in range(1_200)]
    job = api.post("/v1/jobs", json={"items": items}).json()
    assert job["chunks"] == 3
    runtime = BulkRuntime(settings=api_runtime.settings, classifier=FailsOn(tiny_classifier, "POISON", failures),
                          jobs=api_runtime.jobs, results=api_runtime.results)
    dlq_before = queue_depth(aws, api_stack.dlq_url)
    stats = source_for(aws, api_stack, make_handler(runtime)).drain()
    status = api.get(f"/v1/jobs/{job['job_id']}").json()
    lines = download_results(status)
    assert [line["id"] for line in lines] == [item["id"] for item in items]
    if failures == 1:  # reported in batchItemFailures once, then the retry succeeds
        assert stats.failed == 1
        assert (status["status"], status["succeeded"], status["failed"]) == ("done", 1_200, 0)
        assert queue_depth(aws, api_stack.dlq_url) == dlq_before
    else:  # every delivery fails: after maxReceiveCount it is in the DLQ and the job says so
        assert stats.failed == MAX_RECEIVE_COUNT
        assert queue_depth(aws, api_stack.dlq_url) == dlq_before + 1
        assert (status["status"], status["chunks_failed"], status["succeeded"], status["failed"]) == (
            "done-with-errors", 1, 700, 500)
        assert all("dead-letter queue" in line["error"] for line in lines[500:1000])


def test_request_errors_are_4xx_naming_the_field(api: httpx.Client) -> None:
    assert httpx.post(f"{api.base_url}/v1/jobs", json={"texts": ["hi"]}).status_code == 401
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"json": {"texts": []}}, 422, "texts"),
        ({"json": {"texts": "hello"}}, 422, "texts"),
        ({"json": {"texts": ["a"], "items": [{"id": "1", "text": "b"}]}}, 422, "exactly one of texts or items"),
        ({"json": {}}, 422, "exactly one of texts or items"),
        ({"json": {"items": [{"text": "no id"}]}}, 422, "items[0].id"),
        ({"json": {"items": [{"id": "1", "text": "a"}, {"id": 1, "text": "b"}]}}, 422, "items[1].id: duplicate"),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422, "body"),
        ({"content": b"x", "headers": {"Content-Type": "application/pdf"}}, 415, "content-type"),
        ({"content": b"id,words\n1,hi\n", "headers": {"Content-Type": "text/csv"}}, 422, "text_column"),
        ({"content": b"", "headers": {"Content-Type": "text/csv"}}, 422, "empty"),
        ({"json": {"texts": ["x" * 1000] * 2100}}, 413, "body"),
    ]
    for kwargs, code, field in cases:
        response = api.post("/v1/jobs", **kwargs)
        assert response.status_code == code, (field, response.text)
        assert field in response.json()["detail"], response.text
    assert api.get("/v1/jobs/0123456789abcdef").status_code == 404
    assert "not a job id" in api.get("/v1/jobs/bad.id!").json()["detail"]
    assert httpx.get(f"{api.base_url}/v1/jobs/abc").status_code == 401


def test_long_texts_become_error_lines_not_oversize_messages(api: httpx.Client, aws: AwsClients,
                                                             api_stack: LocalStack,
                                                             api_runtime: BulkRuntime) -> None:
    job = api.post("/v1/jobs", json={"texts": ["x" * 300_000, "joy"]}).json()
    source_for(aws, api_stack, make_handler(api_runtime)).drain()
    lines = download_results(api.get(f"/v1/jobs/{job['job_id']}").json())
    assert "limit is 10000" in lines[0]["error"] and lines[1]["emotion"] == "joy"
