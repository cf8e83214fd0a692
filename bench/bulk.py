"""Bulk section: a moto server process on 127.0.0.1 and the bulk worker process measuring against it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, child_env, run_child
from bench.loadtest import free_port


def bulk_section(bundle_dir: Path, workdir: Path, texts: list[str], *, chunk_sizes: list[int], items: int,
                 seconds: float, threads: int) -> dict[str, Any]:
    port = free_port()
    env = child_env(None, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    log = (workdir / "moto.log").open("wb")
    max_seconds = str(seconds * len(chunk_sizes) + 300)
    server = subprocess.Popen([sys.executable, "-m", "bench.moto_server", str(port), max_seconds],
                              cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
    try:
        assert server.stdout is not None
        ready = server.stdout.readline().decode().strip()
        if ready != "ready":
            return {"status": "failed", "reason": f"moto server did not start (see {workdir / 'moto.log'})"}
        spec = {"key": "bulk", "endpoint": f"http://127.0.0.1:{port}", "bundle_dir": str(bundle_dir),
                "threads": threads, "texts": texts, "chunk_sizes": chunk_sizes, "items": items, "seconds": seconds}
        result = run_child("bench.bulk_worker", spec, workdir, timeout=seconds * len(chunk_sizes) + 240,
                           threads=threads)
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
    result["what"] = ("functions.jobs.submit.submit_job, then LocalEventSource polling the queue (SQS batches of "
                      "10) and invoking functions.bulk.handler.handler; S3/SQS/DynamoDB = ThreadedMotoServer "
                      "in its own process on 127.0.0.1")
    return result
