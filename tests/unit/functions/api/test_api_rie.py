"""The handler under the real Lambda runtime interface: awslambdaric behind the Runtime Interface
Emulator that ships in the aws-sam-cli wheel — `sam local invoke` without Docker."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.unit.functions.api.event_cases import CASES, load_event

REPO_ROOT = Path(__file__).resolve().parents[4]
INVOKE = "/2015-03-31/functions/function/invocations"


def rie_binary() -> Path | None:
    try:
        import samcli
    except ImportError:
        return None
    arch = "arm64" if platform.machine().lower() in {"aarch64", "arm64"} else "x86_64"
    path = Path(samcli.__file__).parent / "local" / "rapid" / f"aws-lambda-rie-{arch}"
    return path if path.is_file() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def rie(
    bundle_dir: Path, tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, bool]]:
    binary = rie_binary()
    if binary is None:
        pytest.skip("aws-lambda-rie binary not found: install aws-sam-cli (dev extra), which ships it")
    port, runtime_port = free_port(), free_port()
    env = {
        **os.environ,
        "MODEL_DIR": str(bundle_dir),
        "ORT_THREADS": "1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "emotion-api",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")]),
    }
    env.pop("API_KEYS", None)  # on AWS, API Gateway enforces keys and the app does not
    log = tmp_path_factory.mktemp("rie") / "rie.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
             "--runtime-api-address", f"127.0.0.1:{runtime_port}",
             sys.executable, "-m", "awslambdaric", "functions.api.handler.handler"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}{INVOKE}"
    deadline = time.monotonic() + 120
    try:
        while True:  # the first invocation also runs the init phase (model load)
            if proc.poll() is not None:
                raise RuntimeError(f"RIE exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
            try:
                warm = httpx.post(url, json=load_event("health-live.json"), timeout=120)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert warm.status_code == 200, log.read_text()[-4000:]
        yield url, bundle_dir == tiny_bundle_dir
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("name", sorted(CASES))
def test_event_under_runtime_emulator(rie: tuple[str, bool], name: str) -> None:
    url, tiny = rie
    answer = httpx.post(url, json=load_event(name), timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    response: dict[str, Any] = answer.json()
    status, check = CASES[name]
    assert response["statusCode"] == status, json.dumps(response)[:500]
    check(response, tiny)
