"""Defect 1 of issue 10, API side: the model work of one request is bounded (MAX_REQUEST_WINDOWS),
checked on token counts before any inference, and refused with 413 naming `texts` and the limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emotion_core import Classifier
from functions.api.factory import create_app
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.api import api_settings

PREDICT, BATCH = "/v1/predict-emotion", "/v1/predict-emotion-batch"
LONG = "the dog was at the day and the story " * 12  # many windows of the tiny bundle's 16 tokens


@pytest.fixture(scope="module")
def limited(tiny_bundle_dir: Path) -> Classifier:
    return Classifier.load(tiny_bundle_dir, threads=1, max_text_chars=10_000, max_text_windows=64)


def test_a_request_over_its_window_budget_is_413_naming_texts_and_the_limit(limited: Classifier,
                                                                          tiny_bundle_dir: Path) -> None:
    per_text = limited.windows_needed(LONG)
    assert 5 < per_text <= 64
    budget = 4 * per_text
    client = TestClient(create_app(api_settings(model_dir=tiny_bundle_dir, max_request_windows=budget), limited))
    assert client.post(BATCH, json={"texts": [LONG] * 4}).status_code == 200
    refused = client.post(BATCH, json={"texts": [LONG] * 5})
    assert refused.status_code == 413
    detail = refused.json()["detail"]
    assert detail.startswith("texts: ") and f"the limit is {budget} per request" in detail and "dog" not in detail
    assert refused.json()["errors"] == [{"field": "texts", "message": detail.removeprefix("texts: "),
                                         "type": "work_limit"}]
    # The single-text route spends from the same budget.
    small = TestClient(create_app(api_settings(model_dir=tiny_bundle_dir, max_request_windows=per_text - 1), limited))
    assert small.post(PREDICT, json={"text": LONG}).status_code == 413
    assert client.get("/v1/labels").json()["limits"]["max_request_windows"] == budget
    assert client.get("/v1/labels").json()["limits"]["max_text_windows"] == 64


def test_a_text_over_the_per_text_window_limit_stays_422_naming_it(limited: Classifier,
                                                                  tiny_bundle_dir: Path) -> None:
    client = TestClient(create_app(api_settings(model_dir=tiny_bundle_dir), limited))
    huge = LONG * 8
    single = client.post(PREDICT, json={"text": huge})
    assert single.status_code == 422 and single.json()["detail"].startswith("text: needs ")
    batch = client.post(BATCH, json={"texts": ["so happy", huge]})
    assert batch.status_code == 422 and batch.json()["detail"].startswith("texts[1]: needs ")


@pytest.mark.skipif(not (RELEASED_BUNDLE / "model.json").is_file(), reason="no released bundle in layers/model")
def test_pathological_texts_are_refused_before_inference_with_the_default_budget() -> None:
    # 16 texts of 6,000 "!" are each within MAX_TEXT_WINDOWS (64) but need ~1,000 windows together:
    # about 12 s of inference on one thread, well past the default budget of 512 windows.
    settings = api_settings(model_dir=RELEASED_BUNDLE, ort_threads=1)
    client = TestClient(create_app(settings))
    started = time.perf_counter()
    refused = client.post(BATCH, json={"texts": ["!" * 6_000] * 16})
    elapsed = time.perf_counter() - started
    assert refused.status_code == 413, refused.text[:200]
    assert "the limit is 512 per request" in refused.json()["detail"]
    assert elapsed < 3, elapsed  # token counting only
