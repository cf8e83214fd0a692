"""An app -> a Lambda handler for API Gateway (REST, proxy) events, via Mangum.

Kept thin on purpose: parsing, validation and errors live in the app, so the laptop (uvicorn) and
Lambda run the same code path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from fastapi import FastAPI
from mangum import Mangum

from functions.api.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def lambda_handler(app: FastAPI) -> Handler:
    # lifespan off: the app has no startup hooks (create_app loads the model) and Mangum would
    # otherwise run a lifespan cycle on every invocation.
    asgi = Mangum(app, lifespan="off")

    # log_event stays off: the event body holds the user's texts.
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        # Mangum and Powertools each declare their own LambdaContext protocol; the runtime passes one object.
        result: dict[str, Any] = asgi(event, cast(Any, context))
        return result

    return handler
