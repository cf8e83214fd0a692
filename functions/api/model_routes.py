"""GET /v1/models and POST /v1/models/{name}/predict: the default model and the custom ones
(label-set bundles in MODELS_DIR, docs/labelsets.md). The seed-compatible /v1/predict-emotion*
routes keep serving the default model.

No ``from __future__ import annotations``: the request body is local to ``models_router`` (its
limits come from the app's settings), and FastAPI resolves string annotations in module globals only.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from functions.api.dependencies import ModelsDep, SettingsDep, StatsDep
from functions.api.errors import NotFound
from functions.api.guards import GuardedRoute, require_api_key
from functions.api.routes import classify
from functions.api.schemas import BatchResponse
from functions.api.settings import ApiSettings
from functions.jobs.contract import MODEL_NAME_PATTERN as MODEL_NAME


class ServedModelInfo(BaseModel):
    name: str = Field(description="The name to call it by: POST /v1/models/{name}/predict.")
    version: str | None = None
    default: bool = Field(description="The model /v1/predict-emotion and the bulk jobs use.")
    primary: str = Field(description="The head the Prediction's `emotion` (its top label) comes from.")
    heads: dict[str, list[str]] = Field(description="Each head's labels, in score order.")


class ModelList(BaseModel):
    models: list[ServedModelInfo]


def models_router(settings: ApiSettings) -> APIRouter:
    max_chars, max_texts = settings.max_text_chars, settings.max_batch_texts
    router = APIRouter(prefix="/v1", route_class=GuardedRoute, dependencies=[Depends(require_api_key)],
                       tags=["models"])

    class ModelPredictRequest(BaseModel):
        texts: list[Annotated[str, StringConstraints(max_length=max_chars)]] = Field(
            max_length=max_texts, description=f"Up to {max_texts} texts of up to {max_chars} characters each.")
        include_scores: StrictBool = Field(False, description="Add every label's score for every text and head.")

        model_config = ConfigDict(extra="forbid", json_schema_extra={
            "examples": [{"texts": ["I was charged twice this month", "How do I export my data?"]}]})

    @router.get("/models", response_model=ModelList, summary="The models this server holds, with their labels")
    def list_models(models: ModelsDep) -> dict[str, Any]:
        return {"models": [
            {"name": served.name, "version": served.classifier.metadata.get("version"), "default": served.default,
             "primary": served.classifier.bundle.primary_head, "heads": served.classifier.heads}
            for served in models.models()]}

    @router.post("/models/{name}/predict", response_model=BatchResponse, response_model_exclude_none=True,
                 summary="Predictions of one named model for many texts, in order")
    def predict_with_model(
        name: Annotated[str, PathParam(pattern=MODEL_NAME, description="A name GET /v1/models lists.")],
        body: ModelPredictRequest, models: ModelsDep, stats: StatsDep, app_settings: SettingsDep,
    ) -> dict[str, Any]:
        served = models.get(name)
        if served is None:
            raise NotFound(f"model: no model named {name!r} on this server; GET /v1/models lists them")
        predictions = classify(served.classifier, stats, app_settings, body.texts, body.include_scores, batch=True)
        # Several models are served: each answer says which one it came from.
        return {"results": [p.model_copy(update={"model": served.ref}) for p in predictions]}

    return router
