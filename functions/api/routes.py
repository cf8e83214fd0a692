"""The /v1 inference and operations routes.

No ``from __future__ import annotations`` here: the request bodies are classes local to
``inference_router`` (their limits come from the settings the app is built with, and OpenAPI shows
them), and FastAPI resolves string annotations in module globals only.
"""

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from emotion_core import Classifier, Prediction
from functions.api.dependencies import ClassifierDep, ModelDep, SettingsDep, StatsDep
from functions.api.guards import GuardedRoute, require_api_key
from functions.api.observability import tracer
from functions.api.schemas import BatchResponse, Health, Labels
from functions.api.settings import ApiSettings
from functions.api.stats import RuntimeStats


@tracer.capture_method(capture_response=False)
def classify(
    classifier: Classifier, stats: RuntimeStats, settings: ApiSettings, texts: list[str], include_scores: bool, *,
    batch: bool
) -> list[Prediction]:
    started = time.perf_counter()
    budget = settings.max_request_windows
    if not batch:  # errors name `text`, as the client wrote it
        predictions = [classifier.predict_one(texts[0], include_scores=include_scores, max_total_windows=budget)]
    elif texts:
        predictions = classifier.predict(texts, include_scores=include_scores, max_total_windows=budget)
    else:
        predictions = []
    latency_ms = (time.perf_counter() - started) * 1000
    stats.record_inference(predictions, latency_ms=latency_ms, batch=batch, emit_emf=settings.running_on_lambda)
    return predictions


def _keyed_router() -> APIRouter:
    return APIRouter(
        prefix="/v1", route_class=GuardedRoute, dependencies=[Depends(require_api_key)], tags=["emotions"]
    )


def inference_router(settings: ApiSettings) -> APIRouter:
    """POST /v1/predict-emotion and /v1/predict-emotion-batch, with `settings`' request limits."""
    max_chars, max_texts = settings.max_text_chars, settings.max_batch_texts
    text_doc = f"Any text up to {max_chars} characters; blank text is neutral."

    class PredictRequest(BaseModel):
        text: Annotated[str, StringConstraints(max_length=max_chars), Field(description=text_doc)]
        include_scores: StrictBool = Field(False, description="Add every label's score for every head.")

        # Strict as the schema reads: a misspelled `include_score` or an `include_scores: 0` is a
        # mistake to name, not something to guess at.
        model_config = ConfigDict(extra="forbid",
                                  json_schema_extra={"examples": [{"text": "I am very happy today"}]})

    class BatchRequest(BaseModel):
        texts: list[Annotated[str, StringConstraints(max_length=max_chars), Field(description=text_doc)]] = Field(
            max_length=max_texts, description=f"Up to {max_texts} texts; an empty list gives empty results."
        )
        include_scores: StrictBool = Field(False, description="Add every label's score for every text and head.")

        model_config = ConfigDict(
            extra="forbid",
            json_schema_extra={"examples": [{"texts": ["I am happy", "I am sad", "This is surprising"]}]}
        )

    router = _keyed_router()

    @router.post(
        "/predict-emotion", response_model=Prediction, response_model_exclude_none=True, summary="Emotions of one text"
    )
    def predict_emotion(
        body: PredictRequest, classifier: ClassifierDep, stats: StatsDep, app_settings: SettingsDep
    ) -> Prediction:
        return classify(classifier, stats, app_settings, [body.text], body.include_scores, batch=False)[0]

    @router.post(
        "/predict-emotion-batch",
        response_model=BatchResponse,
        response_model_exclude_none=True,
        summary="Emotions of many texts, in order",
    )
    def predict_emotion_batch(
        body: BatchRequest, classifier: ClassifierDep, stats: StatsDep, app_settings: SettingsDep
    ) -> dict[str, Any]:
        return {"results": classify(classifier, stats, app_settings, body.texts, body.include_scores, batch=True)}

    return router


operations_router = APIRouter(prefix="/v1", route_class=GuardedRoute, tags=["operations"])
model_router = _keyed_router()


@operations_router.get("/health/live", response_model=Health, summary="Liveness; needs no API key")
def health_live(model: ModelDep) -> Health:
    return Health(status="healthy", inference="ok", model=model)


@model_router.get("/labels", response_model=Labels, summary="Taxonomies of the loaded model and the emoji map")
def labels(classifier: ClassifierDep, model: ModelDep, settings: SettingsDep) -> dict[str, Any]:
    return {
        "model": model,
        "taxonomies": {head: list(names) for head, names in classifier.heads.items()},
        "thresholds": classifier.thresholds,
        "reactions": classifier.reactions,
        "limits": {
            "max_text_chars": settings.max_text_chars,
            "max_batch_texts": settings.max_batch_texts,
            "max_body_bytes": settings.max_body_bytes,
            "max_text_windows": settings.max_text_windows,
            "max_request_windows": settings.max_request_windows,
        },
    }


@model_router.get("/internal/metrics", summary="Runtime counters of this instance")
def internal_metrics(model: ModelDep, stats: StatsDep) -> dict[str, Any]:
    return {"model": model.model_dump(), **stats.snapshot()}
