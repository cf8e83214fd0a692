"""The /v1 API over real HTTP: uvicorn on 127.0.0.1, httpx as the client.

Shape and behaviour assertions run on every bundle (`bundle_dir`); assertions on which
emotion a text gets run on the tiny bundle only, whose answers are known by construction.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.api import JUNK_BODIES
from tests.helpers.net import stop
from tests.integration.api.conftest import API_KEY, LIMITS, OTHER_KEY, Server, start_uvicorn

EKMAN = {"anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"}
SENTIMENT = {"positive", "negative", "ambiguous", "neutral"}
PREDICT = "/v1/predict-emotion"
BATCH = "/v1/predict-emotion-batch"


def assert_prediction(pred: dict, *, scores: bool = False) -> None:
    assert pred["emotion"] in EKMAN
    assert 0.0 <= pred["confidence"] <= 1.0
    assert pred["sentiment"] in SENTIMENT
    assert set(pred["labels"]) == {"fine", "ekman", "sentiment"}
    for head, entries in pred["labels"].items():
        values = [e["score"] for e in entries]
        assert values == sorted(values, reverse=True), head
        assert all(set(e) == {"label", "score"} for e in entries)
    assert set(pred["reactions"]) >= {"allowed", "blocked"}
    assert isinstance(pred["windows"], int)
    assert ("scores" in pred) is scores


# --- the seed API's documented requests and responses --------------------------------------------


def test_seed_single_prediction(server: Server) -> None:
    with server.client() as client:
        response = client.post(PREDICT, json={"text": "I am very happy today"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["emotion"] in EKMAN
    assert isinstance(body["confidence"], float)
    assert_prediction(body)
    if server.tiny:
        assert body["emotion"] == "joy"
        assert body["sentiment"] == "positive"


def test_seed_batch_prediction(server: Server) -> None:
    texts = ["I am happy", "I am sad", "This is surprising"]
    with server.client() as client:
        response = client.post(BATCH, json={"texts": texts})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 3
    for pred in results:
        assert_prediction(pred)
    if server.tiny:
        assert [r["emotion"] for r in results[:2]] == ["joy", "sadness"]


def test_seed_health(server: Server) -> None:
    response = httpx.get(f"{server.url}/v1/health/live")  # no key: health is open
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["inference"] == "ok"
    assert body["model"]["name"] and body["model"]["version"]


def test_seed_empty_inputs(server: Server) -> None:
    with server.client() as client:
        assert client.post(BATCH, json={"texts": []}).json() == {"results": []}
        for blank in ["", "   ", "\n\t  "]:
            body = client.post(PREDICT, json={"text": blank}).json()
            assert (body["emotion"], body["confidence"]) == ("neutral", 1.0)


def test_curl_without_json_content_type(server: Server) -> None:
    # `curl -d '{"text": ...}'` sends application/x-www-form-urlencoded; the README's example must work.
    raw = b'{"text": "I am so happy today"}'
    with server.client() as client:
        for headers in ({"Content-Type": "application/x-www-form-urlencoded"}, {}, {"Content-Type": "text/plain"}):
            response = client.post(PREDICT, content=raw, headers=headers)
            assert response.status_code == 200, (headers, response.text)
            assert_prediction(response.json())


# --- richer fields -----------------------------------------------------------------------------------


def test_include_scores(server: Server) -> None:
    with server.client() as client:
        labels = client.get("/v1/labels").json()["taxonomies"]
        single = client.post(PREDICT, json={"text": "thanks, that was great", "include_scores": True}).json()
        batch = client.post(BATCH, json={"texts": ["a", "b"], "include_scores": True}).json()["results"]
    for pred in [single, *batch]:
        assert_prediction(pred, scores=True)
        for head, names in labels.items():
            assert set(pred["scores"][head]) == set(names)
            assert all(0.0 <= v <= 1.0 for v in pred["scores"][head].values())
    if server.tiny:
        assert single["labels"]["fine"][0]["label"] in {"gratitude", "admiration"}


def test_batch_keeps_order_and_matches_single(server: Server) -> None:
    texts = ["I am so sad", "wow I am surprised", "I am furious and angry", "I love my dog"]
    with server.client() as client:
        batch = client.post(BATCH, json={"texts": texts}).json()["results"]
        singles = [client.post(PREDICT, json={"text": t}).json() for t in texts]
    # Each window runs in its own model call (docs/adr/0011): batch-mates change nothing.
    assert singles == batch
    if server.tiny:
        assert [r["emotion"] for r in batch] == ["sadness", "surprise", "anger", "joy"]


def test_labels(server: Server) -> None:
    with server.client() as client:
        body = client.get("/v1/labels").json()
    assert set(body["taxonomies"]["ekman"]) == EKMAN
    assert set(body["taxonomies"]["sentiment"]) == SENTIMENT
    assert len(body["taxonomies"]["fine"]) == 28
    assert set(body["thresholds"]["fine"]) == set(body["taxonomies"]["fine"])
    assert set(body["reactions"]) == set(body["taxonomies"]["fine"])
    assert body["limits"] == {**{k.lower(): v for k, v in LIMITS.items()}, "max_text_windows": 64,
                              "max_request_windows": 512}


def test_internal_metrics_count(server: Server) -> None:
    with server.client() as client:
        before = client.get("/v1/internal/metrics").json()
        client.post(PREDICT, json={"text": "I am happy"})
        client.post(BATCH, json={"texts": ["I am sad", "ok", "x"]})
        after = client.get("/v1/internal/metrics").json()
    assert after["texts"] - before["texts"] == 4
    assert after["batches"] - before["batches"] == 1
    assert after["requests"]["total"] - before["requests"]["total"] >= 3
    assert after["latency"]["count"] - before["latency"]["count"] == 2
    assert after["latency"]["p99_ms"] >= after["latency"]["p50_ms"] > 0
    assert after["uptime_seconds"] > before["uptime_seconds"]
    assert sum(after["emotions"].values()) - sum(before["emotions"].values()) == 4
    assert after["model"]["name"]


# --- authentication ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", PREDICT, {"text": "hi"}), ("POST", BATCH, {"texts": ["hi"]}),
     ("GET", "/v1/labels", None), ("GET", "/v1/internal/metrics", None)],
)
def test_api_key_required(server: Server, method: str, path: str, body: dict | None) -> None:
    with server.client(key=None) as client:
        missing = client.request(method, path, json=body)
        wrong = client.request(method, path, json=body, headers={"X-API-Key": "not-a-key"})
        right = client.request(method, path, json=body, headers={"X-API-Key": OTHER_KEY})
        lower = client.request(method, path, json=body, headers={"x-api-key": API_KEY})
    assert missing.status_code == 401
    assert "X-API-Key" in missing.json()["detail"]
    assert wrong.status_code == 403
    assert "X-API-Key" in wrong.json()["detail"]
    assert right.status_code == 200
    assert lower.status_code == 200


def test_open_routes_need_no_key(server: Server) -> None:
    with server.client(key=None) as client:
        for path in ["/v1/health/live", "/docs", "/openapi.json"]:
            assert client.get(path).status_code == 200, path


# --- limits and wrong input: 4xx naming the field, never a 500 --------------------------------------


def test_text_too_long_names_the_field(server: Server) -> None:
    long_text = "a" * (LIMITS["MAX_TEXT_CHARS"] + 1)
    with server.client() as client:
        single = client.post(PREDICT, json={"text": long_text})
        batch = client.post(BATCH, json={"texts": ["ok", "ok", "ok", long_text]})
        at_limit = client.post(PREDICT, json={"text": "a" * LIMITS["MAX_TEXT_CHARS"]})
    assert single.status_code == 422
    assert single.json()["detail"].startswith("text:")
    assert str(LIMITS["MAX_TEXT_CHARS"]) in single.json()["detail"]
    assert batch.status_code == 422
    assert batch.json()["errors"][0]["field"] == "texts[3]"
    assert batch.json()["detail"].startswith("texts[3]:")
    assert long_text not in batch.text  # errors never echo the text
    assert at_limit.status_code == 200


def test_too_many_texts(server: Server) -> None:
    with server.client() as client:
        over = client.post(BATCH, json={"texts": ["x"] * (LIMITS["MAX_BATCH_TEXTS"] + 1)})
        at = client.post(BATCH, json={"texts": ["x"] * LIMITS["MAX_BATCH_TEXTS"]})
    assert over.status_code == 422
    assert over.json()["detail"].startswith("texts:")
    assert str(LIMITS["MAX_BATCH_TEXTS"]) in over.json()["detail"]
    assert at.status_code == 200
    assert len(at.json()["results"]) == LIMITS["MAX_BATCH_TEXTS"]


def test_body_too_large(server: Server) -> None:
    big = json.dumps({"texts": ["y" * 300] * 40}).encode()
    assert len(big) > LIMITS["MAX_BODY_BYTES"]

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    with server.client() as client:
        declared = client.post(BATCH, content=big, headers={"Content-Type": "application/json"})
        # A generator body goes out chunked, without Content-Length: the limit must hold on what arrives.
        streamed = client.post(BATCH, content=chunks(), headers={"Content-Type": "application/json"})
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert "body" in response.json()["detail"]
        assert str(LIMITS["MAX_BODY_BYTES"]) in response.json()["detail"]


def raw_request(server: Server, head: bytes, body: bytes = b"") -> bytes:
    """Bytes on a socket: what no well-behaved client library lets a test send."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + b"\r\n\r\n" + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize(
    ("length", "status"), [(b"99999999", b"413"), (b"12abc", b"400"), (b"-5", b"400")]
)
def test_declared_length_checked_before_reading(server: Server, length: bytes, status: bytes) -> None:
    # The declared size alone decides: the server answers without waiting for 99 MB to arrive.
    head = (
        b"POST /v1/predict-emotion HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"X-API-Key: " + API_KEY.encode() + b"\r\nContent-Length: " + length
    )
    response = raw_request(server, head, b'{"text": "hi"}')
    assert response.split(b" ")[1] == status, response[:300]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (PREDICT, {"text": 123}, "text"),
        (PREDICT, {"text": None}, "text"),
        (PREDICT, {"text": ["a"]}, "text"),
        (PREDICT, {}, "text"),
        (PREDICT, {"txt": "hello"}, "text"),
        (PREDICT, {"text": "a", "include_scores": "maybe"}, "include_scores"),
        (PREDICT, {"text": "a\ud800b"}, "text"),
        (BATCH, {"texts": "not a list"}, "texts"),
        (BATCH, {"texts": ["ok", 5]}, "texts[1]"),
        (BATCH, {"texts": ["ok", "fine", {"text": "x"}]}, "texts[2]"),
        (BATCH, {"text": "singular"}, "texts"),
        (BATCH, {"texts": None}, "texts"),
        (BATCH, ["a", "b"], "body"),
        (PREDICT, "just a string", "body"),
    ],
)
def test_wrong_types_name_the_field(server: Server, path: str, body: object, field: str) -> None:
    with server.client() as client:
        # json.dumps escapes non-ASCII, so an unpaired surrogate travels as valid JSON text "\\ud800".
        response = client.post(path, content=json.dumps(body).encode())
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["errors"][0]["field"] == field
    assert payload["detail"].startswith(f"{field}:")




@pytest.mark.parametrize("path", [PREDICT, BATCH])
def test_junk_never_500(server: Server, path: str) -> None:
    content_types = ["application/json", "text/plain", None, "multipart/form-data; boundary=boundary"]
    with server.client() as client:
        for index, raw in enumerate(JUNK_BODIES):
            content_type = content_types[index % len(content_types)]
            headers = {"Content-Type": content_type} if content_type else {}
            response = client.post(path, content=raw, headers=headers)
            assert response.status_code < 500, (raw[:60], response.status_code, response.text[:300])
            if response.status_code >= 400:
                assert response.json()["detail"], raw[:60]


def test_other_methods_and_paths_are_4xx(server: Server) -> None:
    with server.client() as client:
        assert client.get(PREDICT).status_code == 405
        assert client.put(BATCH, json={"texts": []}).status_code == 405
        assert client.get("/v1/nope").status_code == 404
        assert client.post("/v1/health/live", json={}).status_code == 405
        assert client.get(PREDICT + "/../../etc/passwd").status_code == 404


def test_texts_never_logged(server: Server) -> None:
    marker = f"secret-{uuid.uuid4().hex}"
    with server.client() as client:
        client.post(PREDICT, json={"text": f"I am happy {marker}"})
        client.post(BATCH, json={"texts": [f"{marker} sad", "ok"]})
        client.post(PREDICT, json={"text": marker * 100})  # rejected: too long
        client.post(BATCH, json={"texts": [marker, 7]})  # rejected: wrong type
        client.post(PREDICT, content=f'{{"text": "{marker}'.encode())  # rejected: bad JSON
        client.get("/v1/internal/metrics")
    log = server.log.read_text(errors="replace")
    assert "request" in log  # the log is being written, just never with texts
    assert marker not in log


# --- docs behind a prefix -----------------------------------------------------------------------


def test_docs_and_openapi(server: Server) -> None:
    with server.client(key=None) as client:
        docs = client.get("/docs")
        spec = client.get("/openapi.json").json()
    assert docs.status_code == 200
    assert "url: 'openapi.json'" in docs.text  # relative to /docs: right under any prefix
    assert {PREDICT, BATCH, "/v1/health/live", "/v1/internal/metrics", "/v1/labels"} <= set(spec["paths"])
    scheme = spec["components"]["securitySchemes"]["APIKeyHeader"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")
    assert spec["paths"][PREDICT]["post"]["security"] == [{"APIKeyHeader": []}]
    assert "security" not in spec["paths"]["/v1/health/live"]["get"]


def test_docs_under_a_stripped_prefix(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    # A proxy (API Gateway custom domain, nginx) that serves the app under /Prod and strips it:
    # the docs page must ask the browser for /Prod/openapi.json, not /openapi.json.
    proc, url = start_uvicorn(tiny_bundle_dir, tmp_path / "prefixed.log", extra_args=("--root-path", "/Prod"))
    try:
        docs = httpx.get(f"{url}/docs")
        spec = httpx.get(f"{url}/openapi.json").json()
        predict = httpx.post(f"{url}{PREDICT}", json={"text": "I am happy"}, headers={"X-API-Key": API_KEY})
    finally:
        stop(proc)
    assert "url: '/Prod/openapi.json'" in docs.text
    assert spec["servers"] == [{"url": "/Prod"}]
    assert predict.status_code == 200


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (b"X-API-Key: \xff\xfe-not-utf8", b"403"),
        (b"X-API-Key: " + API_KEY.encode() + b"\r\nContent-Type: \xff/\x01;;;charset=", b"200"),
        (b"X-API-Key: " + API_KEY.encode() + b"\r\nContent-Type: application/json; charset=utf-16", b"200"),
        (b"X-API-Key: ", b"401"),
    ],
)
def test_odd_header_bytes_are_not_500(server: Server, header: bytes, status: bytes) -> None:
    body = b'{"text": "I am happy"}'
    head = (
        b"POST /v1/predict-emotion HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + header
        + b"\r\nContent-Length: " + str(len(body)).encode()
    )
    response = raw_request(server, head, body)
    assert response.split(b" ")[1] == status, response[:300]
