"""Several models in one app: GET /v1/models lists the default and MODELS_DIR's custom bundles,
POST /v1/models/{name}/predict answers with the named one, an unknown name is a 404 naming it, and
the seed-compatible routes keep serving the default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from devtools.tiny_bundle import CARER_HEADS, TinyHead, build_tiny_bundle
from emotion_core import BundleError, Classifier, ConfigError
from emotion_core.registry import ModelRegistry
from functions.api.factory import create_app
from tests.helpers.api import api_settings

# A label-set-like head: its labels are the set's own, switched on by the tiny bundle's emotion words.
TICKETS = {"label": TinyHead(["complaint", "praise", "question"],
                             {"complaint": ["anger", "annoyance"], "praise": ["gratitude", "admiration"],
                              "question": ["curiosity", "confusion"]}, "softmax")}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    build_tiny_bundle(folder / "tickets", heads=TICKETS, metadata={"name": "support-tickets", "version": "0.1.0",
                                                                   "primary": "label"})
    build_tiny_bundle(folder / "carer", heads=CARER_HEADS, metadata={"name": "carer-tiny"})
    (folder / "notes").mkdir()  # a folder without model.json is not a bundle
    return folder


@pytest.fixture(scope="module")
def client(tiny_bundle_dir: Path, models_dir: Path) -> TestClient:
    settings = api_settings(model_dir=tiny_bundle_dir, models_dir=models_dir, ort_threads=1, api_keys=["k"])
    return TestClient(create_app(settings), headers={"X-API-Key": "k"})


def test_models_lists_the_default_first_then_the_custom_bundles(client: TestClient) -> None:
    models = client.get("/v1/models").json()["models"]
    assert [(m["name"], m["default"]) for m in models] == [
        ("tiny-test-bundle", True), ("carer-tiny", False), ("support-tickets", False)]
    tickets = models[2]
    assert tickets == {"name": "support-tickets", "version": "0.1.0", "default": False, "primary": "label",
                       "heads": {"label": ["complaint", "praise", "question"]}}
    assert set(models[0]["heads"]) == {"fine", "ekman", "sentiment"}


def test_a_custom_model_answers_with_its_own_labels(client: TestClient) -> None:
    body = {"texts": ["thanks, great work", "why is it like this", "so annoying"], "include_scores": True}
    answer = client.post("/v1/models/support-tickets/predict", json=body)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["emotion"] for r in results] == ["praise", "question", "complaint"]
    assert results[0]["model"] == {"name": "support-tickets", "version": "0.1.0"}
    assert set(results[0]["scores"]["label"]) == {"complaint", "praise", "question"}
    carer = client.post("/v1/models/carer-tiny/predict", json={"texts": ["so scared"]}).json()["results"]
    assert carer[0]["emotion"] == "fear"


def test_the_default_model_is_callable_by_name_and_the_seed_routes_keep_it(client: TestClient) -> None:
    named = client.post("/v1/models/tiny-test-bundle/predict", json={"texts": ["I am so happy"]}).json()["results"][0]
    seed = client.post("/v1/predict-emotion", json={"text": "I am so happy"}).json()
    assert named.pop("model") == {"name": "tiny-test-bundle", "version": "0.0.1"}
    assert named == seed and seed["emotion"] == "joy" and "model" not in seed  # /v1 answers unchanged


def test_an_unknown_model_is_a_404_naming_it(client: TestClient) -> None:
    answer = client.post("/v1/models/churn-model/predict", json={"texts": ["hello"]})
    assert answer.status_code == 404
    assert answer.json()["detail"] == "model: no model named 'churn-model' on this server; GET /v1/models lists them"


def test_bad_bodies_and_names_are_422_naming_the_field(client: TestClient) -> None:
    wrong_field = client.post("/v1/models/support-tickets/predict", json={"text": "hello"})
    assert wrong_field.status_code == 422 and "texts" in wrong_field.json()["detail"]
    odd_name = client.post("/v1/models/..%2Fetc/predict", json={"texts": ["a"]})
    assert odd_name.status_code in (404, 422) and "etc" not in json.dumps(odd_name.json().get("errors", ""))
    assert client.get("/v1/models", headers={"X-API-Key": "wrong"}).status_code == 403


def test_without_models_dir_only_the_default_is_listed(tiny_classifier: Classifier) -> None:
    listed = TestClient(create_app(api_settings(), tiny_classifier)).get("/v1/models").json()["models"]
    assert [m["name"] for m in listed] == ["tiny-test-bundle"]


def test_a_broken_or_clashing_bundle_fails_the_start(tiny_classifier: Classifier, tmp_path: Path) -> None:
    bundle = build_tiny_bundle(tmp_path / "broken", metadata={"name": "broken"})
    (bundle / "model.onnx").write_bytes(b"not a graph")
    with pytest.raises(BundleError, match=r"model\.onnx"):
        ModelRegistry.from_folder(tiny_classifier, tmp_path, lambda p: Classifier.load(p, threads=1))
    twin = tmp_path / "twin"
    build_tiny_bundle(twin / "a")  # named tiny-test-bundle, like the default
    with pytest.raises(ConfigError, match="two bundles are named 'tiny-test-bundle'"):
        ModelRegistry.from_folder(tiny_classifier, twin, lambda p: Classifier.load(p, threads=1))
