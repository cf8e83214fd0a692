"""Scores -> Prediction: thresholds, the bundle's head roles, emoji reactions and rounding."""

from typing import Any

import numpy as np

from .bundle import Bundle, Head
from .prediction import Prediction
from .reactions import Reactions

DECIMALS = 4
BLANK_LABEL = "neutral"


class PredictionBuilder:
    """Turns one text's per-head scores into its Prediction, following the roles model.json gives."""

    def __init__(self, bundle: Bundle, reactions: Reactions) -> None:
        self._bundle = bundle
        self._reactions = reactions

    def from_scores(self, scores: dict[str, np.ndarray], windows: int, include_scores: bool, *,
                    language: str | None = None, warning: str | None = None) -> Prediction:
        """`scores`: per head, the text's scores in label order (already aggregated over windows)."""
        bundle = self._bundle
        labels = {name: _over_threshold(head, scores[name]) for name, head in bundle.heads.items()}
        primary = bundle.heads[bundle.primary_head]
        top = int(np.argmax(scores[primary.name]))
        sentiment = None
        if bundle.sentiment_head is not None:
            sentiment = bundle.heads[bundle.sentiment_head].labels[int(np.argmax(scores[bundle.sentiment_head]))]
        detected = [entry["label"] for entry in labels[bundle.reactions_head]]
        fields: dict[str, Any] = {
            "emotion": primary.labels[top],
            "confidence": round(float(scores[primary.name][top]), DECIMALS),
            "sentiment": sentiment,
            "labels": labels,
            "reactions": self._reactions.for_text(detected, sentiment),
            "windows": windows,
            "language": language,
            "warning": warning,
        }
        if include_scores:
            fields["scores"] = {name: {label: round(float(score), DECIMALS)
                                       for label, score in zip(head.labels, scores[name], strict=True)}
                                for name, head in bundle.heads.items()}
        return _prediction(fields)

    def blank(self, include_scores: bool) -> Prediction:
        """Empty or whitespace-only text: nothing to read, so `neutral` at 1.0 (the seed API's answer)
        and ``windows: 0`` because the model never ran. `neutral` even for a primary head without
        that label: no label of such a head would be true of a text with no words."""
        bundle = self._bundle
        sentiment = BLANK_LABEL if bundle.sentiment_head is not None else None
        reactions_labels = bundle.heads[bundle.reactions_head].labels
        fields: dict[str, Any] = {
            "emotion": BLANK_LABEL,
            "confidence": 1.0,
            "sentiment": sentiment,
            "labels": {name: ([{"label": BLANK_LABEL, "score": 1.0}] if BLANK_LABEL in head.labels else [])
                       for name, head in bundle.heads.items()},
            "reactions": self._reactions.for_text([BLANK_LABEL] if BLANK_LABEL in reactions_labels else [],
                                                  sentiment),
            "windows": 0,
        }
        if include_scores:
            fields["scores"] = {name: {label: 1.0 if label == BLANK_LABEL else 0.0 for label in head.labels}
                                for name, head in bundle.heads.items()}
        return _prediction(fields)


def _over_threshold(head: Head, values: np.ndarray) -> list[dict[str, Any]]:
    over = [(label, float(score)) for label, score, threshold
            in zip(head.labels, values, head.thresholds, strict=True) if score >= threshold]
    over.sort(key=lambda item: -item[1])
    return [{"label": label, "score": round(score, DECIMALS)} for label, score in over]


def _prediction(fields: dict[str, Any]) -> Prediction:
    # Optional fields are passed only when they have a value, so "unset" means the same to
    # to_dict() (exclude_none) and to FastAPI's response_model_exclude_unset.
    return Prediction.model_validate({key: value for key, value in fields.items() if value is not None})
