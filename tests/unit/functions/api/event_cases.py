"""What each events/api/*.json must produce, shared by the in-process and the runtime-emulator tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[4] / "events" / "api"
EKMAN = {"anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"}

Check = Callable[[dict[str, Any], bool], None]


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return event


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def _prediction(response: dict[str, Any], tiny: bool, emotion: str | None = None) -> None:
    pred = body(response)
    assert pred["emotion"] in EKMAN
    assert 0 <= pred["confidence"] <= 1
    assert {"sentiment", "labels", "reactions", "windows"} <= set(pred)
    if tiny and emotion:
        assert pred["emotion"] == emotion


def _scores(response: dict[str, Any], tiny: bool) -> None:
    pred = body(response)
    assert set(pred["scores"]) == {"fine", "ekman", "sentiment"}
    assert len(pred["scores"]["fine"]) == 28
    if tiny:
        assert pred["labels"]["fine"][0]["label"] == "gratitude"


def _whitespace(response: dict[str, Any], tiny: bool) -> None:
    pred = body(response)
    assert (pred["emotion"], pred["confidence"]) == ("neutral", 1.0)


def _batch(response: dict[str, Any], tiny: bool) -> None:
    results = body(response)["results"]
    assert len(results) == 3
    assert all(r["emotion"] in EKMAN for r in results)
    if tiny:
        assert [r["emotion"] for r in results[:2]] == ["joy", "sadness"]


def _field_error(field: str) -> Check:
    def check(response: dict[str, Any], tiny: bool) -> None:
        payload = body(response)
        assert payload["errors"][0]["field"] == field
        assert payload["detail"].startswith(f"{field}:")

    return check


def _health(response: dict[str, Any], tiny: bool) -> None:
    payload = body(response)
    assert (payload["status"], payload["inference"]) == ("healthy", "ok")
    assert payload["model"]["name"]


def _metrics(response: dict[str, Any], tiny: bool) -> None:
    payload = body(response)
    assert {"requests", "texts", "batches", "latency", "emotions", "uptime_seconds"} <= set(payload)


def _labels(response: dict[str, Any], tiny: bool) -> None:
    payload = body(response)
    assert set(payload["taxonomies"]["ekman"]) == EKMAN
    assert len(payload["taxonomies"]["fine"]) == 28


def _docs(response: dict[str, Any], tiny: bool) -> None:
    # The stage prefix: the browser must fetch /Prod/openapi.json, where API Gateway serves it.
    assert response["headers"]["content-type"].startswith("text/html")
    assert "url: '/Prod/openapi.json'" in response["body"]


def _openapi(response: dict[str, Any], tiny: bool) -> None:
    spec = body(response)
    assert spec["servers"] == [{"url": "/Prod"}]
    assert "/v1/predict-emotion" in spec["paths"]


CASES: dict[str, tuple[int, Check]] = {
    "predict-emotion.json": (200, lambda r, t: _prediction(r, t, "joy")),
    "predict-emotion-scores.json": (200, _scores),
    "predict-emotion-curl-form.json": (200, lambda r, t: _prediction(r, t, "joy")),
    "predict-emotion-base64.json": (200, _prediction),
    "predict-emotion-whitespace.json": (200, _whitespace),
    "predict-emotion-bad-input.json": (422, _field_error("text")),
    "predict-emotion-invalid-json.json": (422, _field_error("body")),
    "predict-emotion-batch.json": (200, _batch),
    "predict-emotion-batch-empty.json": (200, lambda r, t: None if body(r) == {"results": []} else _fail(r)),
    "predict-emotion-batch-bad-item.json": (422, _field_error("texts[1]")),
    "health-live.json": (200, _health),
    "internal-metrics.json": (200, _metrics),
    "labels.json": (200, _labels),
    "docs.json": (200, _docs),
    "openapi.json": (200, _openapi),
}


def _fail(response: dict[str, Any]) -> None:
    raise AssertionError(response["body"][:300])
