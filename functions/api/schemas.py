"""Response bodies of /v1. The request bodies carry the limits of the settings in force, so routes.py
builds them per app."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LabelScore(BaseModel):
    label: str
    score: float


class Prediction(BaseModel):
    """One text's answer; `emotion` + `confidence` are the seed API's fields (Ekman 7)."""

    # The core may grow fields; the API passes them through rather than dropping them.
    model_config = ConfigDict(extra="allow")

    emotion: str = Field(description="Ekman-7 top-1: anger, disgust, fear, joy, neutral, sadness, surprise")
    confidence: float
    sentiment: str | None = None
    labels: dict[str, list[LabelScore]] | None = None
    reactions: dict[str, list[str]] | None = None
    windows: int | None = None
    scores: dict[str, dict[str, float]] | None = None


class BatchResponse(BaseModel):
    results: list[Prediction]


class ModelInfo(BaseModel):
    name: str | None = None
    version: str | None = None


class Health(BaseModel):
    status: str
    inference: str
    model: ModelInfo


class Labels(BaseModel):
    model: ModelInfo
    taxonomies: dict[str, list[str]]
    thresholds: dict[str, dict[str, float]]
    reactions: dict[str, Any]
    limits: dict[str, int]
