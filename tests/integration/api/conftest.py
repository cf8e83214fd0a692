"""A real uvicorn serving functions.api.app:app on 127.0.0.1, started by the tests themselves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.helpers.bulk import aws, moto_endpoint_fixture, stack  # noqa: F401 - fixtures of test_job_routes
from tests.helpers.net import free_port, stop

REPO_ROOT = Path(__file__).resolve().parents[3]
API_KEY = "test-key-1"
OTHER_KEY = "test-key-2"
# Small limits keep the limit tests cheap; the app reads them from the environment at import.
LIMITS = {"MAX_TEXT_CHARS": 400, "MAX_BATCH_TEXTS": 8, "MAX_BODY_BYTES": 8192}


@dataclass
class Server:
    url: str
    log: Path
    bundle_dir: Path
    tiny: bool

    def client(self, key: str | None = API_KEY) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def start_uvicorn(
    bundle_dir: Path, log: Path, *, extra_args: tuple[str, ...] = (), extra_env: dict[str, str] | None = None,
    app: str = "functions.api.app:app",
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "MODEL_DIR": str(bundle_dir),
        "API_KEYS": f"{API_KEY},{OTHER_KEY}",
        "ORT_THREADS": "1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")]),
        **{k: str(v) for k, v in LIMITS.items()},
        **(extra_env or {}),
    }
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
             "--port", str(port), *extra_args],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/v1/health/live", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"uvicorn did not answer within 120 s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def server(bundle_dir: Path, tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    proc, url = start_uvicorn(bundle_dir, log)
    try:
        yield Server(url=url, log=log, bundle_dir=bundle_dir, tiny=bundle_dir == tiny_bundle_dir)
    finally:
        stop(proc)
