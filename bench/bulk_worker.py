"""The bulk path measured end to end over moto: `python -m bench.bulk_worker SPEC OUT`.

Per chunk size: submit a job (functions.jobs.submit, the API's path), then drain the queue with
devtools.local.LocalEventSource invoking the real handler, SQS batches of 10 as in the
template. Reports texts/s through the whole loop and the handler's own time per chunk (what
Lambda bills).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import percentiles_ms

AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true",
           "POWERTOOLS_METRICS_NAMESPACE": "EmotionServiceBench"}


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    os.environ.update(AWS_ENV)
    from devtools.local import LocalEventSource, create_stack
    from functions.jobs.aws import aws_clients
    from functions.jobs.store import FINAL_STATES as FINAL
    from functions.jobs.store import JobStore
    from functions.jobs.submit import submit_job

    endpoint = spec["endpoint"]
    clients = aws_clients(endpoint)
    stack = create_stack(clients, prefix="bench", max_receive_count=5)
    os.environ.update({**stack.environment(endpoint, 5), "MODEL_DIR": spec["bundle_dir"],
                       "ORT_THREADS": str(spec["threads"])})
    module = importlib.import_module("functions.bulk.handler")
    jobs = JobStore(clients.dynamodb, stack.table, 1)
    texts: list[str] = spec["texts"]
    invocations: list[tuple[float, int]] = []

    def timed_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        response: dict[str, Any] = module.handler(event, context)
        invocations.append((time.perf_counter() - t0, len(event["Records"])))
        return response

    rows = []
    for chunk_size in spec["chunk_sizes"]:
        n = int(spec["items"])
        items = [{"id": str(i), "text": texts[i % len(texts)]} for i in range(n)]
        invocations.clear()
        submitted_at = time.perf_counter()
        submission = submit_job(items, jobs=jobs, sqs=clients.sqs, queue_url=stack.queue_url,
                                max_items=chunk_size, max_bytes=200_000)
        drain_at = time.perf_counter()
        source = LocalEventSource(clients.sqs, stack.queue_url, stack.queue_arn, timed_handler, batch_size=10)
        deadline = drain_at + float(spec["seconds"])
        while time.perf_counter() < deadline and source.stats.invocations < 10_000:
            if not source.poll_once() and (record := jobs.get(submission.job_id)) and record.status in FINAL:
                break
        finished = time.perf_counter()
        record = jobs.get(submission.job_id)
        processed = record.processed if record else 0
        handler_s = sum(seconds for seconds, _ in invocations)
        records = sum(count for _, count in invocations)
        per_chunk = [seconds / count for seconds, count in invocations if count]
        rows.append({
            "chunk_size": chunk_size, "items": n, "chunks": submission.chunks,
            "status": record.status if record else "missing", "processed": processed,
            "failed": record.failed if record else None,
            "submit_s": round(drain_at - submitted_at, 3), "drain_s": round(finished - drain_at, 3),
            "texts_per_s": round(processed / (finished - drain_at), 1) if processed else None,
            "invocations": len(invocations), "records": records,
            "handler_s": round(handler_s, 3),
            "invocation_s": [round(seconds, 5) for seconds, _ in invocations],
            "handler_texts_per_s": round(processed / handler_s, 1) if handler_s else None,
            "handler_ms_per_chunk": percentiles_ms(per_chunk),
            "handler_ms_per_text": round(handler_s * 1000 / processed, 3) if processed else None,
        })
    return {"status": "measured", "sqs_batch_size": 10, "threads": spec["threads"], "rows": rows}


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    Path(argv[1]).write_text(json.dumps(measure(spec), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
