"""create_app: the /v1 API for one set of settings and one classifier.

functions.api.app builds the served app from the environment (uvicorn, and the Lambda handler at
import, so the model loads in Lambda's init phase: a full CPU burst, not billed against request
latency). Tests build their own apps with their own settings and classifier.
"""

from __future__ import annotations

import time
import uuid
from functools import cache, partial

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emotion_core import Classifier
from emotion_core.registry import ModelRegistry
from emotion_core.version import __version__
from functions.api.dependencies import ApiState
from functions.api.errors import register_exception_handlers
from functions.api.job_routes import router as jobs_router
from functions.api.model_routes import models_router
from functions.api.observability import logger
from functions.api.routes import inference_router, model_router, operations_router
from functions.api.schemas import ModelInfo
from functions.api.settings import ApiSettings
from functions.api.stage import StagePrefixMiddleware
from functions.api.stats import RuntimeStats
from functions.jobs.backend import connect_backend
from functions.jobs.models import load_models

DESCRIPTION = (
    "Emotions in text: Ekman-7 `emotion` + `confidence` (compatible with the v1 seed API), "
    "sentiment, the 28 GoEmotions labels over their thresholds, and fitting emoji reactions. "
    "Inference routes need the `X-API-Key` header."
)


REQUEST_ID_HEADER = "X-Request-Id"


def request_id(scope: Scope) -> str:
    """API Gateway's request id on Lambda (the access log's `requestId`, Powertools' correlation id),
    else a fresh one: the id a client quotes is the id in the logs."""
    event = scope.get("aws.event")
    context = event.get("requestContext") if isinstance(event, dict) else None
    given = context.get("requestId") if isinstance(context, dict) else None
    return given if isinstance(given, str) and given else uuid.uuid4().hex


class RequestStatsMiddleware:
    """Counts every response by route template and status, logs one line per request, and answers
    every request with its id (X-Request-Id)."""

    def __init__(self, app: ASGIApp, stats: RuntimeStats, emit_emf: bool) -> None:
        self.app = app
        self.stats = stats
        self.emit_emf = emit_emf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        rid = request_id(scope)

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "other"
            self.stats.record_status(route, status, emit_emf=self.emit_emf)
            # Route template, never the body or query: texts must not reach the logs.
            logger.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "route": route,
                    "request_id": rid,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )


def create_app(settings: ApiSettings, classifier: Classifier | None = None,
               models: ModelRegistry | None = None) -> FastAPI:
    """The app for `settings`; loads the classifier (and MODELS_DIR's custom ones) unless given."""
    if classifier is None:
        classifier = Classifier.from_settings(settings)
    if models is None:
        models = load_models(settings, classifier)
    for served in models.models()[1:]:
        served.classifier.predict(["warm-up"])
    # A real inference before the first request: fails the start (not a user's request) when the
    # bundle cannot run, and lets health report an inference that actually happened.
    classifier.predict(["warm-up"])
    model = ModelInfo(name=classifier.metadata.get("name"), version=classifier.metadata.get("version"))
    logger.info("model loaded", extra={"model": model.model_dump(), "heads": list(classifier.heads)})
    stats = RuntimeStats()

    app = FastAPI(title="Emotion classification API", version=__version__, description=DESCRIPTION)
    app.state.api = ApiState(
        settings=settings,
        classifier=classifier,
        model=model,
        stats=stats,
        jobs_backend=cache(partial(connect_backend, settings)),
        models=models,
    )
    register_exception_handlers(app)
    if settings.cors_allow_origins:
        # Locally the app answers preflights itself; on AWS API Gateway does (template: CorsAllowOrigin).
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_allow_origins, allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type", "X-API-Key", "Idempotency-Key"],
            expose_headers=["Location", REQUEST_ID_HEADER], max_age=600)
    # Middleware added later runs first: the stage prefix is set before anything reads the path, and
    # the request stats wrap CORS, so every response (a preflight too) carries its request id.
    app.add_middleware(RequestStatsMiddleware, stats=stats, emit_emf=settings.running_on_lambda)
    app.add_middleware(StagePrefixMiddleware)
    app.include_router(operations_router)
    app.include_router(inference_router(settings))
    app.include_router(model_router)
    app.include_router(jobs_router)
    app.include_router(models_router(settings))
    return app
