"""The Lambda Runtime Interface Emulator (the aws-lambda-rie binary shipped in the aws-sam-cli wheel)
running awslambdaric with a handler: `sam local invoke` without Docker."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.net import free_port, stop

INVOKE = "/2015-03-31/functions/function/invocations"


def rie_binary() -> Path:
    """The emulator binary for this machine; skips the test when aws-sam-cli is not installed."""
    try:
        import samcli
    except ImportError:
        pytest.skip("aws-lambda-rie binary not found: install aws-sam-cli (dev extra), which ships it")
    arch = "arm64" if platform.machine().lower() in {"aarch64", "arm64"} else "x86_64"
    path = Path(samcli.__file__).parent / "local" / "rapid" / f"aws-lambda-rie-{arch}"
    if path.is_file():
        return path
    pytest.skip("aws-lambda-rie binary not found: install aws-sam-cli (dev extra), which ships it")


@dataclass
class Rie:
    url: str  # the invocation URL
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text()[-4000:]

    def first_invoke(self, event: Any, wait_s: float = 120) -> httpx.Response:
        """Post the first event, retrying until the emulator listens (this invocation also runs the
        init phase: model load). Raises when the emulator exits or does not listen within wait_s."""
        deadline = time.monotonic() + wait_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"RIE exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                return httpx.post(self.url, json=event, timeout=120)
            except httpx.TransportError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"RIE did not answer within {wait_s:.0f} s:\n{self.log_tail()}") from exc
                time.sleep(0.2)


@contextmanager
def lambda_rie(handler: str, *, env: Mapping[str, str], cwd: Path, log: Path) -> Iterator[Rie]:
    """Start the emulator on free 127.0.0.1 ports with `python -m awslambdaric <handler>`; stop it on exit."""
    binary = rie_binary()
    port, runtime_port = free_port(), free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
             "--runtime-api-address", f"127.0.0.1:{runtime_port}",
             sys.executable, "-m", "awslambdaric", handler],
            cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        yield Rie(url=f"http://127.0.0.1:{port}{INVOKE}", proc=proc, log=log)
    finally:
        stop(proc)
