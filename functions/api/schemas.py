"""Response bodies of /v1. The request bodies carry the limits of the settings in force, so routes.py
builds them per app."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from emotion_core import Prediction


class BatchResponse(BaseModel):
    results: list[Prediction] = Field(description="One Prediction per text, in input order.")


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
