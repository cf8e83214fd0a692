"""HTTP load against a local uvicorn serving functions.api.app on 127.0.0.1, at several concurrencies."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO_ROOT, Bound, child_env, percentiles_ms
from devtools.local import free_port

ROUTE = "/v1/predict-emotion"


def start_server(bundle_dir: Path, workers: int, threads: int, log: Path, wait_s: float = 120,
                 env: dict[str, str] | None = None) -> tuple[Any, str]:
    port = free_port()
    env = child_env(threads, MODEL_DIR=str(bundle_dir), ORT_THREADS=str(threads), **(env or {}))
    args = [sys.executable, "-m", "uvicorn", "functions.api.app:app", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/v1/health/live", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"uvicorn did not answer within {wait_s:.0f} s")


def stop_server(proc: Any) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


async def _level(url: str, texts: list[str], concurrency: int, bound: Bound) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    bodies = [json.dumps({"text": text}).encode() for text in texts]
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        deadline = started + bound.seconds

        async def user() -> None:
            nonlocal sent, errors
            while sent < bound.count and time.perf_counter() < deadline:
                body = bodies[sent % len(bodies)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    response = await client.post(ROUTE, content=body, headers=headers)
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status != "200":
                    errors += 1

        await asyncio.gather(*(user() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"concurrency": concurrency, "requests": len(latencies), "seconds": round(elapsed, 3),
            "rps": round(len(latencies) / elapsed, 1) if elapsed else None, "errors": errors,
            "statuses": statuses, **percentiles_ms(latencies)}


def load_test(bundle_dir: Path, texts: list[str], levels: list[int], bound: Bound, *, workers: int,
              threads: int, log: Path) -> dict[str, Any]:
    proc, url = start_server(bundle_dir, workers, threads, log)
    try:
        warm = asyncio.run(_level(url, texts, min(4, max(levels)), Bound(min(50, bound.count), 5)))
        rows = [asyncio.run(_level(url, texts, level, bound)) for level in levels]
    finally:
        stop_server(proc)
    return {"route": f"POST {ROUTE} (one text per request, no API key check)", "server_workers": workers,
            "ort_threads_per_worker": threads, "client": f"httpx.AsyncClient in one process ({os.cpu_count()} cores "
            "shared with the server)", "bound": {"requests": bound.count, "seconds": bound.seconds},
            "warmup_requests": warm["requests"], "levels": rows}
