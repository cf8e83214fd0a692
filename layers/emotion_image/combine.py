"""How one post's text and image answers become one (the rule docs/image.md documents).

- emotion/confidence: the mean of the text's Ekman scores and the image's face-weighted scores; a
  picture without a face adds nothing, so the text decides alone.
- sentiment: the same on both sides -> that one; one side neutral -> the other side's; positive
  against negative -> ambiguous.
- reactions: allowed by either side (text first) and blocked by neither; blocked from either side wins.
  A picture without a face adds no reactions either (its neutral default is not a reading).
"""

from __future__ import annotations

from collections.abc import Sequence

from emotion_core import EmojiReactions, Prediction

from .result import Face, ImageResult, Overall, PostResult

DECIMALS = 4
_NEUTRAL = "neutral"
NO_FACE_NOTE = "no face was found in the image: the text alone gives the post's emotion"


def weighted_scores(faces: Sequence[Face]) -> dict[str, float]:
    """The faces' scores averaged with their box areas as weights (the subject is usually the largest)."""
    total = sum(face.box.width * face.box.height for face in faces)
    mixed: dict[str, float] = {}
    for face in faces:
        weight = face.box.width * face.box.height / total
        for label, score in face.scores.items():
            mixed[label] = mixed.get(label, 0.0) + weight * score
    return mixed


def combined_sentiment(text: str, image: str) -> str:
    if text == image or image == _NEUTRAL:
        return text
    if text == _NEUTRAL:
        return image
    return "ambiguous"


def combined_reactions(text: EmojiReactions, image: EmojiReactions, order: Sequence[str]) -> EmojiReactions:
    """`order`: every emoji in the reactions file's order, which keeps `blocked` stable."""
    blocked = set(text.blocked) | set(image.blocked)
    allowed = [emoji for emoji in dict.fromkeys([*text.allowed, *image.allowed]) if emoji not in blocked]
    return EmojiReactions(allowed=tuple(allowed), blocked=tuple(emoji for emoji in order if emoji in blocked))


def combine_post(text: Prediction, image: ImageResult, primary_head: str, order: Sequence[str], *,
                 include_scores: bool) -> PostResult:
    """`text` must carry its scores (include_scores=True); they are dropped again unless asked for."""
    assert text.scores is not None, "combine_post needs the text's scores"
    text_scores = text.scores[primary_head]
    text_sentiment = text.sentiment or _NEUTRAL
    if image.no_face:
        overall = Overall(emotion=text.emotion, confidence=text.confidence, sentiment=text_sentiment)
    else:
        image_scores = weighted_scores(image.faces)
        mixed = {label: (score + image_scores.get(label, 0.0)) / 2 for label, score in text_scores.items()}
        emotion = max(mixed, key=lambda label: mixed[label])
        overall = Overall(emotion=emotion, confidence=round(mixed[emotion], DECIMALS),
                          sentiment=combined_sentiment(text_sentiment, image.overall.sentiment))
    image_reactions = EmojiReactions(allowed=(), blocked=()) if image.no_face else image.reactions
    shown = text if include_scores else text.model_copy(update={"scores": None})
    return PostResult(overall=overall, reactions=combined_reactions(text.reactions, image_reactions, order),
                      text=shown, image=image, warning=NO_FACE_NOTE if image.no_face else None)
