"""The Prediction type: one text's answer, the same in the API, the CLI, the bulk results and the bench.

docs/prediction.md is its reference. `Prediction.to_dict()` is the JSON every channel writes, and
`batch_line` the one place that shapes a batch-file line around it.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

# Unset optional fields are left out of the JSON rather than sent as null, so the schema shows them
# as plain optional properties (SkipJsonSchema hides the None the Python side uses for "unset").
Score = Annotated[float, Field(ge=0.0, le=1.0)]
ItemId = str | int

EXAMPLE: dict[str, Any] = {
    # What the released 1.0.0 bundle answers for "Thank you so much, this made my day!" (blocked list cut).
    "emotion": "joy",
    "confidence": 0.9974,
    "sentiment": "positive",
    "labels": {
        "fine": [{"label": "gratitude", "score": 0.9995}],
        "ekman": [{"label": "joy", "score": 0.9974}],
        "sentiment": [{"label": "positive", "score": 0.9977}],
    },
    "reactions": {"allowed": ["🙏", "😊", "💐"], "blocked": ["😡", "😠", "😢", "💔", "😭"]},
    "windows": 1,
}


class LabelScore(BaseModel):
    """A label whose score reached its tuned threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid",
                              json_schema_extra={"examples": [{"label": "gratitude", "score": 0.9995}]})

    label: str = Field(description="The label's name, one of its head's labels (GET /v1/labels).")
    score: Score = Field(description="The label's score in [0, 1], rounded to 4 decimals.")


class EmojiReactions(BaseModel):
    """Emojis that fit the text, and emojis that would clash with it (😂 under a grief post)."""

    model_config = ConfigDict(frozen=True, extra="forbid",
                              json_schema_extra={"examples": [EXAMPLE["reactions"]]})

    allowed: tuple[str, ...] = Field(
        description="Emojis fitting the detected labels, strongest label first, none of them blocked.")
    blocked: tuple[str, ...] = Field(
        description="Emojis never to suggest for this text, in the reactions map's order; "
                    "blocked wins over allowed.")


class ModelRef(BaseModel):
    """Which model bundle answered."""

    model_config = ConfigDict(frozen=True, extra="forbid",
                              json_schema_extra={"examples": [{"name": "goemotions-minilm-l6-int8",
                                                               "version": "1.0.0"}]})

    name: str = Field(description="The bundle's name (model.json `name`).")
    version: str = Field(description="The bundle's version (model.json `version`).")


class Prediction(BaseModel):
    """One text's emotions. `emotion` and `confidence` are the seed API's two fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="Prediction",
                              json_schema_extra={"examples": [EXAMPLE]})

    emotion: str = Field(
        description="Top label of the bundle's primary head (Ekman 7 for GoEmotions bundles: anger, "
                    "disgust, fear, joy, neutral, sadness, surprise); `neutral` for a blank text.",
        examples=["joy"])
    confidence: Score = Field(description="Score of `emotion`, in [0, 1], rounded to 4 decimals.",
                              examples=[0.9974])
    sentiment: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Top label of the bundle's sentiment head (positive, negative, ambiguous, neutral); "
                    "absent when the bundle has no sentiment head.",
        examples=["positive"])
    labels: dict[str, tuple[LabelScore, ...]] = Field(
        description="Per head (in the bundle's order), every label whose score reached its tuned "
                    "threshold, highest score first; a head's list may be empty.",
        examples=[EXAMPLE["labels"]])
    reactions: EmojiReactions = Field(description="Emoji reactions for the text.")
    windows: int = Field(
        ge=0, description="Model windows the text was read in: 1 for a text that fits, more for a long "
                          "text read in overlapping windows, 0 for a blank text (the model did not run).",
        examples=[1])
    language: str | SkipJsonSchema[None] = Field(
        default=None, description="Language detected in the text (ISO 639-1); absent when not detected.",
        examples=["en"])
    warning: str | SkipJsonSchema[None] = Field(
        default=None, description="Why this answer deserves less trust (e.g. a language the model "
                                  "cannot read); absent when there is nothing to warn about.")
    model: ModelRef | SkipJsonSchema[None] = Field(
        default=None, description="The model that answered; absent when only one model is served.")
    scores: dict[str, dict[str, Score]] | SkipJsonSchema[None] = Field(
        default=None,
        description="On request only (`include_scores`): per head, every label's score, in the head's "
                    "label order, rounded to 4 decimals.",
        examples=[{"sentiment": {"ambiguous": 0.0066, "negative": 0.0016, "neutral": 0.0036,
                                 "positive": 0.9977}}])

    def to_dict(self) -> dict[str, Any]:
        """The prediction's JSON object: fields in declaration order, unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


def batch_line(item_id: ItemId, prediction: Prediction | None = None, *,
               error: str | None = None) -> dict[str, Any]:
    """One line of a batch result file: ``{"id", **prediction}`` or ``{"id", "error"}``.

    The CLI, `emotion_core.batch` and the bulk function all write these, so a file from any of
    them reads the same way.
    """
    if (prediction is None) == (error is None):
        raise ValueError("a batch line carries either a prediction or an error, not both or neither")
    if prediction is None:
        return {"id": item_id, "error": error}
    return {"id": item_id, **prediction.to_dict()}
