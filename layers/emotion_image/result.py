"""The answer for one image, and for a post (text + image)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from emotion_core import EmojiReactions, Prediction

Score = Annotated[float, Field(ge=0.0, le=1.0)]


class Box(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    x: int = Field(description="Left edge, pixels from the upright image's left")
    y: int = Field(description="Top edge, pixels from the upright image's top")
    width: int = Field(ge=1)
    height: int = Field(ge=1)


class Face(BaseModel):
    """One detected face and its expression, in the text model's Ekman labels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    box: Box
    emotion: str = Field(description="Top Ekman label of the face's expression")
    confidence: Score
    scores: dict[str, Score] = Field(description="Every Ekman label's score, summing to 1")


class Overall(BaseModel):
    """The image's (or post's) emotion, its score and the sentiment it carries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    emotion: str
    confidence: Score
    sentiment: str


class ImageResult(BaseModel):
    """One image's answer. `overall` averages the faces' scores weighted by face area (the subject of a
    photo is usually its largest face); without a face it is neutral and `no_face` is true."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="ImageResult")

    faces: list[Face]
    overall: Overall
    reactions: EmojiReactions
    no_face: bool = Field(description="True when no face was found: `overall` is then neutral by default, "
                                      "not read from the picture")
    width: int = Field(ge=1, description="Upright image width, pixels")
    height: int = Field(ge=1, description="Upright image height, pixels")
    format: str = Field(description="jpeg, png or webp")
    image_model: str = Field(description="The face detector and expression model that looked")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class PostResult(BaseModel):
    """A post with text and an image: each side's own answer, and the combination (docs/image.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="PostResult")

    overall: Overall
    reactions: EmojiReactions = Field(description="Allowed by either side and blocked by neither: an emoji "
                                                  "blocked by the text or by the image is blocked")
    text: Prediction
    image: ImageResult
    warning: str | SkipJsonSchema[None] = Field(default=None, description="Why the answer deserves less trust")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
