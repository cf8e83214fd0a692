"""Defect 10 of issue 10: a body that stops arriving is answered 408 after BODY_READ_TIMEOUT_S, and
the API key is checked before any body is read. Raw sockets against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers.net import stop

from .conftest import API_KEY, start_uvicorn

TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def address(tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    log = tmp_path_factory.mktemp("uvicorn-stall") / "server.log"
    proc, url = start_uvicorn(tiny_bundle_dir, log, extra_env={"BODY_READ_TIMEOUT_S": str(TIMEOUT_S)})
    parts = urlsplit(url)
    try:
        yield parts.hostname or "127.0.0.1", parts.port or 80
    finally:
        stop(proc)


def stalled_request(address: tuple[str, int], path: str, *, key: str | None, declared: int,
                    sent: bytes) -> tuple[str, float]:
    """Announce `declared` body bytes, send only `sent`, keep the connection open; the status line
    and the seconds it took to come back."""
    headers = [f"POST {path} HTTP/1.1", f"Host: {address[0]}", "Content-Type: application/json",
               f"Content-Length: {declared}"] + ([f"X-API-Key: {key}"] if key else [])
    started = time.monotonic()
    with socket.create_connection(address, timeout=TIMEOUT_S * 8) as conn:
        conn.sendall(("\r\n".join(headers) + "\r\n\r\n").encode() + sent)
        answer = conn.recv(4096).decode("latin-1")
    return answer.split("\r\n", 1)[0], time.monotonic() - started


# /v1/jobs reads its body through the same guard (read_limited); here it has no bulk stack and
# answers 503 before reading, so the predict routes stand for it.
@pytest.mark.parametrize("path", ["/v1/predict-emotion", "/v1/predict-emotion-batch"])
def test_a_stalled_body_is_408_after_the_read_timeout(address: tuple[str, int], path: str) -> None:
    status, seconds = stalled_request(address, path, key=API_KEY, declared=100, sent=b'{"text": "hi')
    assert status.startswith("HTTP/1.1 408"), status
    assert TIMEOUT_S * 0.9 <= seconds < TIMEOUT_S * 4, seconds


@pytest.mark.parametrize(("key", "expected"), [(None, "401"), ("not-a-key", "403")])
@pytest.mark.parametrize("path", ["/v1/predict-emotion", "/v1/predict-emotion-batch", "/v1/jobs"])
def test_the_key_is_checked_before_the_body_is_read(address: tuple[str, int], path: str, key: str | None,
                                                   expected: str) -> None:
    for declared in (100, 10**9):  # stalled, and far over every body limit
        status, seconds = stalled_request(address, path, key=key, declared=declared, sent=b'{"text": "hi')
        assert status.startswith(f"HTTP/1.1 {expected}"), (declared, status)
        assert seconds < TIMEOUT_S * 0.5, seconds  # at once, not after the body read timed out
