"""``make bulk-demo INPUT=texts.csv OUTPUT=results.jsonl``: the whole bulk path on this machine.

Starts moto's server on 127.0.0.1, creates the queue, DLQ, bucket and table as template.yaml does,
submits INPUT through the real API app (POST /v1/jobs), then plays Lambda's event source mapping:
polls the queue and invokes the real bulk handler with SQS events, until the job is finished,
and finally downloads the result files through the presigned URLs of GET /v1/jobs/{id} into OUTPUT.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emotion_core import Settings

from .local import LocalStack, free_port

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from functions.jobs.aws import AwsClients

MEDIA_TYPES = {".csv": "text/csv", ".jsonl": "application/x-ndjson", ".ndjson": "application/x-ndjson"}
MAX_RECEIVE_COUNT = 5


def say(message: str, *, end: str = "\n") -> None:
    sys.stderr.write(message + end)
    sys.stderr.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devtools.bulk_demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path, help="CSV with a text column, or JSONL of {id, text}")
    parser.add_argument("output", type=Path, help="where every result line is written (JSONL)")
    parser.add_argument("--text-column", default="text", help="CSV column / JSONL key of the text")
    parser.add_argument("--id-column", default="id", help="CSV column of the id (row-<n> when absent)")
    parser.add_argument("--model-dir", type=Path, default=None,
                        help="model bundle (default: MODEL_DIR or layers/model)")
    parser.add_argument("--verbose", action="store_true", help="show the functions' JSON logs and metrics")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    media_type = MEDIA_TYPES.get(args.input.suffix.lower())
    if media_type is None or not args.input.is_file():
        say(f"bulk-demo: INPUT must be an existing .csv, .jsonl or .ndjson file, got {args.input}")
        return 2
    model_dir = (args.model_dir or Settings().model_dir).resolve()
    if not (model_dir / "model.json").is_file():
        say(f"bulk-demo: no model bundle in {model_dir} (model.json is missing). Run the training job, "
            "or pass --model-dir / MODEL_DIR=<bundle folder>.")
        return 2

    from moto.server import ThreadedMotoServer  # dev dependency: only the demo and the tests need it

    port = free_port()
    # boto3 and Powertools read these themselves; the functions' own settings are passed in run().
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true",
    })
    if not args.verbose:
        os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING",
                           "POWERTOOLS_METRICS_DISABLED": "true"})
        # moto's HTTP server logs every request through werkzeug; progress is easier to read without.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        return run(args, media_type, f"http://127.0.0.1:{port}", model_dir)
    finally:
        server.stop()


def run(args: argparse.Namespace, media_type: str, endpoint: str, model_dir: Path) -> int:
    # Imported here, after main() set the Powertools variables: its loggers read them when created.
    from fastapi.testclient import TestClient

    from emotion_core import Classifier
    from functions.api.factory import create_app
    from functions.api.settings import ApiSettings
    from functions.bulk.processing import build_runtime
    from functions.bulk.settings import BulkSettings
    from functions.bulk.sqs_batch import make_handler
    from functions.jobs.aws import aws_clients

    from .local import LocalEventSource, create_stack

    clients = aws_clients(endpoint)
    stack = create_stack(clients, prefix="demo", max_receive_count=MAX_RECEIVE_COUNT, visibility_timeout=30)
    say(f"moto server on {endpoint}: queue, DLQ, bucket {stack.bucket}, table {stack.table}")
    values: dict[str, Any] = {**stack.settings_values(endpoint, MAX_RECEIVE_COUNT), "model_dir": model_dir}
    size = args.input.stat().st_size
    api_key = secrets.token_urlsafe(16)
    # On a laptop the file may exceed Lambda's 6 MB request limit; the demo lifts it for this run.
    api_settings = ApiSettings(**values, api_keys=[api_key], jobs_max_body_bytes=max(size + 1, 6_000_000),
                               jobs_max_items=max(size, 200_000))
    classifier = Classifier.from_settings(api_settings)  # one model in memory for both functions
    api = TestClient(create_app(api_settings, classifier), headers={"X-API-Key": api_key})
    bulk_handler = make_handler(build_runtime(BulkSettings(**values), classifier))

    job = submit(api, args, media_type)
    if job is None:
        return 1
    source = LocalEventSource(clients.sqs, stack.queue_url, stack.queue_arn, bulk_handler)
    source.drain(progress=lambda stats: progress(api, job, stats.failed))
    say("")
    return download(api, job, args.output, clients, stack)


def submit(api: TestClient, args: argparse.Namespace, media_type: str) -> dict[str, Any] | None:
    posted = api.post("/v1/jobs", content=args.input.read_bytes(), headers={"Content-Type": media_type},
                      params={"text_column": args.text_column, "id_column": args.id_column})
    if posted.status_code != 202:
        say(f"bulk-demo: POST /v1/jobs answered {posted.status_code}: {posted.json().get('detail')}")
        return None
    job: dict[str, Any] = posted.json()
    say(f"job {job['job_id']}: {job['items']} items in {job['chunks']} chunk messages")
    return job


def progress(api: TestClient, job: dict[str, Any], redeliveries: int) -> None:
    status = api.get(job["status_url"]).json()
    say(f"\r  {status['status']:<16} chunks {status['chunks_done']}/{status['chunks']}  items "
        f"{status['processed']}/{status['items']}  (failed {status['failed']}, "
        f"redeliveries {redeliveries})", end="")


def download(api: TestClient, job: dict[str, Any], output: Path, clients: AwsClients, stack: LocalStack) -> int:
    import httpx

    status: dict[str, Any] = api.get(job["status_url"]).json()
    if status["status"] not in {"done", "done-with-errors"}:
        say(f"bulk-demo: the queue is empty but the job is {status['status']}")
        return 1
    written = 0
    with output.open("wb") as out:
        for result in sorted(status["results"], key=lambda r: r["chunk"]):
            body = httpx.get(result["url"], timeout=60).raise_for_status().content
            out.write(body)
            written += body.count(b"\n")
    dlq = clients.sqs.get_queue_attributes(QueueUrl=stack.dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
    say(f"{status['status']}: {written} lines in {output} ({status['succeeded']} predictions, "
        f"{status['failed']} errors; {dlq['Attributes']['ApproximateNumberOfMessages']} chunks in the DLQ)")
    return 0 if written == job["items"] else 1


if __name__ == "__main__":
    sys.exit(main())
