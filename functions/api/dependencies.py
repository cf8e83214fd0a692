"""What routes receive through ``Annotated[..., Depends(...)]``: the settings, the classifier, the
model's name and version, the runtime counters and the bulk-job backend of the app serving them.

create_app puts one ApiState on ``app.state``; tests replace a provider with
``app.dependency_overrides[provider] = ...``. The settings are the ones create_app was given (the
request bodies and the body-size guard are built from them): for other settings, build another app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from emotion_core import Classifier
from emotion_core.registry import ModelRegistry
from functions.api.errors import Unavailable
from functions.api.schemas import ModelInfo
from functions.api.settings import ApiSettings
from functions.api.stats import RuntimeStats
from functions.jobs.backend import JobsBackend, NotConfigured


@dataclass(frozen=True)
class ApiState:
    settings: ApiSettings
    classifier: Classifier
    model: ModelInfo
    stats: RuntimeStats
    # Built on first use (memoized), so the API also serves without the bulk stack (make serve).
    jobs_backend: Callable[[], JobsBackend]
    # The default classifier and the custom bundles of MODELS_DIR (GET /v1/models).
    models: ModelRegistry


def api_state(request: Request) -> ApiState:
    return cast(ApiState, request.app.state.api)


def get_settings(request: Request) -> ApiSettings:
    return api_state(request).settings


def get_classifier(request: Request) -> Classifier:
    return api_state(request).classifier


def get_model_info(request: Request) -> ModelInfo:
    return api_state(request).model


def get_stats(request: Request) -> RuntimeStats:
    return api_state(request).stats


def get_models(request: Request) -> ModelRegistry:
    return api_state(request).models


def get_jobs_backend(request: Request) -> JobsBackend:
    try:
        return api_state(request).jobs_backend()
    except NotConfigured as exc:
        # Only the /v1/jobs routes need the bulk stack; the rest of the API serves without it.
        raise Unavailable(f"bulk jobs are not configured on this server: set {', '.join(exc.missing)}") from None


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
ClassifierDep = Annotated[Classifier, Depends(get_classifier)]
ModelDep = Annotated[ModelInfo, Depends(get_model_info)]
StatsDep = Annotated[RuntimeStats, Depends(get_stats)]
JobsDep = Annotated[JobsBackend, Depends(get_jobs_backend)]
ModelsDep = Annotated[ModelRegistry, Depends(get_models)]
