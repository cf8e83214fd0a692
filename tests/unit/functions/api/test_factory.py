"""create_app: the settings it is given are the ones in force (limits, keys, Lambda), and every
route's collaborators come from providers a test can override."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emotion_core import Classifier
from emotion_core.errors import EmotionCoreError
from functions.api.dependencies import get_classifier
from functions.api.factory import create_app
from functions.api.settings import ApiSettings
from tests.helpers.api import api_settings

PREDICT, BATCH = "/v1/predict-emotion", "/v1/predict-emotion-batch"


def client(classifier: Classifier, **values: Any) -> TestClient:
    return TestClient(create_app(api_settings(**values), classifier))


def test_two_apps_in_one_process_keep_their_own_limits(tiny_classifier: Classifier) -> None:
    strict = client(tiny_classifier, max_text_chars=20, max_batch_texts=2, max_body_bytes=300)
    roomy = client(tiny_classifier, max_text_chars=50, max_batch_texts=3)
    long_text, three = {"text": "a" * 30}, {"texts": ["a", "b", "c"]}
    assert strict.post(PREDICT, json=long_text).json()["detail"] == "text: String should have at most 20 characters"
    assert strict.post(BATCH, json=three).json()["detail"].startswith("texts: List should have at most 2 items")
    assert strict.post(BATCH, json={"texts": ["x" * 20] * 2, "pad": "y" * 300}).status_code == 413
    assert roomy.post(PREDICT, json=long_text).status_code == 200
    assert roomy.post(BATCH, json=three).status_code == 200
    assert strict.get("/v1/labels").json()["limits"] == {"max_text_chars": 20, "max_batch_texts": 2,
                                                         "max_body_bytes": 300, "max_text_windows": 64,
                                                         "max_request_windows": 512}
    schemas = [c.get("/openapi.json").json()["components"]["schemas"] for c in (strict, roomy)]
    assert [s["PredictRequest"]["properties"]["text"]["maxLength"] for s in schemas] == [20, 50]
    assert [s["BatchRequest"]["properties"]["texts"]["maxItems"] for s in schemas] == [2, 3]


def test_api_keys_come_from_the_settings(tiny_classifier: Classifier) -> None:
    keyed = client(tiny_classifier, api_keys=["k1"])
    assert keyed.get("/v1/labels").status_code == 401
    assert keyed.get("/v1/labels", headers={"X-API-Key": "k1"}).status_code == 200
    assert client(tiny_classifier).get("/v1/labels").status_code == 200  # no keys: API Gateway checks them


def test_the_classifier_is_loaded_from_the_settings_when_not_given(tiny_bundle_dir: Path) -> None:
    app = create_app(api_settings(model_dir=tiny_bundle_dir, ort_threads=1))
    health = TestClient(app).get("/v1/health/live").json()
    assert health["model"]["name"] and health["inference"] == "ok"


class FailingClassifier:
    """Stands in for a model that breaks on a request: the real one cannot be made to."""

    def predict(self, texts: list[str], **options: Any) -> list[dict[str, Any]]:
        raise EmotionCoreError("injected")

    def predict_one(self, text: str, **options: Any) -> dict[str, Any]:
        raise EmotionCoreError("injected")


def test_a_route_gets_its_classifier_from_the_overridable_provider(tiny_classifier: Classifier) -> None:
    app = create_app(api_settings(), tiny_classifier)
    app.dependency_overrides[get_classifier] = FailingClassifier
    secret = "my very private text"
    response = TestClient(app).post(PREDICT, json={"text": secret})
    assert response.status_code == 500
    assert response.json() == {"detail": "The classifier failed on this request"}
    assert secret not in response.text
    app.dependency_overrides.clear()
    assert TestClient(app).post(PREDICT, json={"text": secret}).status_code == 200


def test_unconfigured_jobs_answer_503_naming_the_variables(tiny_classifier: Classifier) -> None:
    response = client(tiny_classifier).post("/v1/jobs", json={"texts": ["hi"]})
    assert response.status_code == 503
    assert "JOBS_QUEUE_URL, RESULTS_BUCKET, JOBS_TABLE" in response.json()["detail"]
    assert client(tiny_classifier, results_bucket="b").get("/v1/jobs/abc").json()["detail"] == (
        "bulk jobs are not configured on this server: set JOBS_QUEUE_URL, JOBS_TABLE")


def test_lambda_is_detected_once_from_the_runtime_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert ApiSettings().running_on_lambda is False
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "emotion-api-ApiFunction-1A2B3C")
    assert ApiSettings().running_on_lambda is True


def test_local_answers_carry_a_fresh_request_id(tiny_classifier: Classifier) -> None:
    api = client(tiny_classifier)
    first, second = api.get("/v1/health/live"), api.post(PREDICT, json={"text": 1})
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert second.status_code == 422 and all(len(i) == 32 for i in ids) and ids[0] != ids[1]


def test_cors_only_when_origins_are_configured(tiny_classifier: Classifier) -> None:
    origin = "https://app.example"
    preflight = {"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-api-key"}
    open_api = client(tiny_classifier, cors_allow_origins=origin)
    answer = open_api.options(PREDICT, headers=preflight)
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == origin
    assert "x-api-key" in answer.headers["access-control-allow-headers"].lower()
    assert answer.headers["x-request-id"]
    simple = open_api.post(PREDICT, json={"text": "so happy"}, headers={"Origin": origin})
    assert simple.headers["access-control-allow-origin"] == origin
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in open_api.get("/v1/health/live",
                                                             headers={"Origin": "https://evil.example"}).headers
    closed = client(tiny_classifier)
    assert "access-control-allow-origin" not in closed.post(PREDICT, json={"text": "x"},
                                                            headers={"Origin": origin}).headers
