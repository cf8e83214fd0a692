"""POST /v1/feedback and GET /v1/feedback/summary on a real uvicorn with the local SQLite store: labels
checked against the model's taxonomies, idempotent on client_id, text kept only with consent."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.local import create_feedback_table
from functions.feedback.records import text_hmac
from functions.feedback.store import DynamoFeedbackStore
from functions.jobs.aws import AwsClients
from tests.helpers.net import stop
from tests.integration.api.conftest import OTHER_KEY, Server, start_uvicorn

PRIVATE = "my landlord kept the whole deposit again"


@pytest.fixture(scope="module")
def feedback_server(tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("feedback")
    log = folder / "server.log"
    proc, url = start_uvicorn(tiny_bundle_dir, log, extra_env={"FEEDBACK_SQLITE_PATH": str(folder / "fb.sqlite")})
    try:
        yield Server(url=url, log=log, bundle_dir=tiny_bundle_dir, tiny=True)
    finally:
        stop(proc)


def body(client: str, **changes: Any) -> dict[str, Any]:
    return {"client_id": client, "text": PRIVATE, "predicted": {"ekman": ["joy"]},
            "corrected": {"ekman": ["anger"]}, **changes}


def stored_rows(server: Server) -> list[str]:
    path = server.log.parent / "fb.sqlite"
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT record FROM feedback")]


def test_a_correction_is_kept_once_without_its_text_unless_consented(feedback_server: Server) -> None:
    with feedback_server.client() as http:
        first = http.post("/v1/feedback", json=body("c-1"))
        assert first.status_code == 201, first.text
        assert first.json()["created"] is True and first.json()["text_stored"] is False
        again = http.post("/v1/feedback", json=body("c-1"))
        assert again.status_code == 200 and again.json() == {**first.json(), "created": False}
        other = http.post("/v1/feedback", json=body("c-1", corrected={"ekman": ["sadness"]}))
        assert other.status_code == 409 and other.json()["detail"].startswith("client_id:")
        kept = http.post("/v1/feedback", json=body("c-2", store_text=True, comment="sarcasm"))
        assert kept.status_code == 201 and kept.json()["text_stored"] is True
    rows = stored_rows(feedback_server)
    assert len(rows) == 2 and sum(PRIVATE in row for row in rows) == 1
    assert PRIVATE not in feedback_server.log.read_text()


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"corrected": {"ekman": ["hunger"]}}, 422, "corrected.ekman"),
    ({"corrected": {"mood": ["joy"]}}, 422, "corrected.mood"),
    ({"predicted": {"fine": ["nope"]}}, 422, "predicted.fine"),
    ({"corrected": {"ekman": []}}, 422, "corrected"),
    ({"model": "no-such-model"}, 404, "model"),
    ({"store_text": "yes"}, 422, "store_text"),
    ({"client_id": "has space"}, 422, "client_id"),
    ({"text": ""}, 422, "text"),
    ({"extra": 1}, 422, "extra"),
])
def test_bad_feedback_is_refused_naming_the_field(feedback_server: Server, change: dict[str, Any], status: int,
                                                  field: str) -> None:
    with feedback_server.client() as http:
        answer = http.post("/v1/feedback", json=body("bad-1", **change))
    assert answer.status_code == status, answer.text
    assert field in answer.text and PRIVATE not in answer.text


def test_the_summary_counts_label_pairs_per_key(feedback_server: Server) -> None:
    with feedback_server.client() as http:
        for i in range(3):
            http.post("/v1/feedback", json=body(f"s-{i}", predicted={"ekman": ["joy"], "fine": ["gratitude"]},
                                                corrected={"fine": ["annoyance"]}))
        summary = http.get("/v1/feedback/summary").json()
        assert {"head": "fine", "predicted": "gratitude", "corrected": "annoyance", "count": 3} in summary["pairs"]
        assert summary["records"] >= 3
        assert http.get("/v1/feedback/summary", params={"since": "2999-01-01"}).json()["records"] == 0
        assert http.get("/v1/feedback/summary", params={"since": "yesterday"}).status_code == 422
    with feedback_server.client(key=OTHER_KEY) as other:
        assert other.get("/v1/feedback/summary").json() == {"since": None, "records": 0, "pairs": []}
    with feedback_server.client(key=None) as anonymous:
        assert anonymous.post("/v1/feedback", json=body("x")).status_code == 401


def test_without_a_store_feedback_answers_503(server: Server) -> None:
    with server.client() as http:
        answer = http.post("/v1/feedback", json=body("n-1"))
    assert answer.status_code == 503 and "FEEDBACK_SQLITE_PATH" in answer.json()["detail"]


def test_on_the_table_without_a_configured_salt_the_table_keeps_one(
        tiny_bundle_dir: Path, aws: AwsClients, moto_endpoint: str, tmp_path: Path) -> None:
    # The stack sets no FEEDBACK_SALT unless told: the hash is keyed by the table's own random salt.
    table = create_feedback_table(aws, prefix="http")
    env = {"FEEDBACK_TABLE": table, "AWS_ENDPOINT_URL": moto_endpoint}
    proc, url = start_uvicorn(tiny_bundle_dir, tmp_path / "server.log", extra_env=env)
    try:
        server = Server(url=url, log=tmp_path / "server.log", bundle_dir=tiny_bundle_dir, tiny=True)
        with server.client() as http:
            answer = http.post("/v1/feedback", json=body("t-1"))
    finally:
        stop(proc)
    assert answer.status_code == 201, answer.text
    store = DynamoFeedbackStore(aws.dynamodb, table)
    (kept,) = store.records()
    assert kept.text is None and kept.text_hmac == text_hmac(PRIVATE, store.salt())
