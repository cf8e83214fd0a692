"""The /v1 API. `uvicorn functions.api.app:app` locally; `functions.api.handler.handler` on Lambda.

The model is loaded here, at import: once per process, during a Lambda's init phase (which
gets a full CPU burst and is not billed against request latency), never per request.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emotion_core import Classifier
from functions.api.config import settings
from functions.api.errors import register_exception_handlers
from functions.api.guards import GuardedRoute, require_api_key
from functions.api.jobs import router as jobs_router
from functions.api.observability import logger, tracer
from functions.api.schemas import (
    BatchRequest,
    BatchResponse,
    Health,
    Labels,
    ModelInfo,
    Prediction,
    PredictRequest,
)
from functions.api.stage import StagePrefixMiddleware
from functions.api.stats import stats

classifier = Classifier.from_settings(settings)
# A real inference before the first request: fails the init (not a user's request) when the
# bundle cannot run, and lets health report an inference that actually happened.
classifier.predict(["warm-up"])
MODEL = ModelInfo(name=classifier.metadata.get("name"), version=classifier.metadata.get("version"))
logger.info("model loaded", extra={"model": MODEL.model_dump(), "heads": list(classifier.heads)})


class RequestStatsMiddleware:
    """Counts every response by route template and status, and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "other"
            stats.record_status(route, status, emit_emf="aws.event" in scope)
            # Route template, never the body or query: texts must not reach the logs.
            logger.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "route": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )


app = FastAPI(
    title="Emotion classification API",
    version="1.0.0",
    description=(
        "Emotions in text: Ekman-7 `emotion` + `confidence` (compatible with the v1 seed API), "
        "sentiment, the 28 GoEmotions labels over their thresholds, and fitting emoji reactions. "
        "Inference routes need the `X-API-Key` header."
    ),
)
register_exception_handlers(app)
app.add_middleware(RequestStatsMiddleware)
app.add_middleware(StagePrefixMiddleware)

open_v1 = APIRouter(prefix="/v1", route_class=GuardedRoute, tags=["operations"])
v1 = APIRouter(
    prefix="/v1", route_class=GuardedRoute, dependencies=[Depends(require_api_key)], tags=["emotions"]
)


@tracer.capture_method(capture_response=False)
def classify(
    texts: list[str], include_scores: bool, request: Request, *, batch: bool
) -> list[dict[str, Any]]:
    started = time.perf_counter()
    predictions = classifier.predict(texts, include_scores=include_scores) if texts else []
    latency_ms = (time.perf_counter() - started) * 1000
    stats.record_inference(
        predictions, latency_ms=latency_ms, batch=batch, emit_emf="aws.event" in request.scope
    )
    return predictions


@v1.post(
    "/predict-emotion",
    response_model=Prediction,
    response_model_exclude_unset=True,
    summary="Emotions of one text",
)
def predict_emotion(body: PredictRequest, request: Request) -> dict[str, Any]:
    return classify([body.text], body.include_scores, request, batch=False)[0]


@v1.post(
    "/predict-emotion-batch",
    response_model=BatchResponse,
    response_model_exclude_unset=True,
    summary="Emotions of many texts, in order",
)
def predict_emotion_batch(body: BatchRequest, request: Request) -> dict[str, Any]:
    return {"results": classify(body.texts, body.include_scores, request, batch=True)}


@v1.get("/labels", response_model=Labels, summary="Taxonomies of the loaded model and the emoji map")
def labels() -> dict[str, Any]:
    return {
        "model": MODEL,
        "taxonomies": {head: list(names) for head, names in classifier.heads.items()},
        "thresholds": classifier.thresholds,
        "reactions": classifier.reactions,
        "limits": {
            "max_text_chars": settings.max_text_chars,
            "max_batch_texts": settings.max_batch_texts,
            "max_body_bytes": settings.max_body_bytes,
        },
    }


@v1.get("/internal/metrics", summary="Runtime counters of this instance")
def internal_metrics() -> dict[str, Any]:
    return {"model": MODEL.model_dump(), **stats.snapshot()}


@open_v1.get("/health/live", response_model=Health, summary="Liveness; needs no API key")
def health_live() -> Health:
    return Health(status="healthy", inference="ok", model=MODEL)


app.include_router(open_v1)
app.include_router(v1)
app.include_router(jobs_router)
