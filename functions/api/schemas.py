"""Request and response bodies of /v1. Limits come from Settings, so OpenAPI shows them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from functions.api.config import settings


def _encodable(text: str) -> str:
    # JSON may carry an unpaired surrogate ("\ud800"): valid JSON, not valid Unicode, and the
    # tokenizer cannot take it. A client error, so it must be a 422, not an inference crash.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains an unpaired UTF-16 surrogate; send valid Unicode text") from None
    return text


Text = Annotated[
    str,
    StringConstraints(max_length=settings.max_text_chars),
    AfterValidator(_encodable),
    Field(description=f"Any text up to {settings.max_text_chars} characters; blank text is neutral."),
]


class PredictRequest(BaseModel):
    text: Text
    include_scores: bool = Field(False, description="Add every label's score for every head.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "I am very happy today"}]})


class BatchRequest(BaseModel):
    texts: list[Text] = Field(
        max_length=settings.max_batch_texts,
        description=f"Up to {settings.max_batch_texts} texts; an empty list gives empty results.",
    )
    include_scores: bool = False

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"texts": ["I am happy", "I am sad", "This is surprising"]}]}
    )


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
