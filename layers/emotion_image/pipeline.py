"""Image bytes -> ImageResult; text + image -> PostResult.

Labels, sentiments and emoji reactions come from the text side: the bundle's Ekman (primary head)
labels and emotion_core's reactions file, so an image and a text with the same emotion get the same
emojis.
"""

from __future__ import annotations

from emotion_core import Classifier, EmojiReactions, Prediction
from emotion_core.reactions import Reactions, load_reactions

from .assets import ImageAssets, resolve_assets
from .combine import combine_post, weighted_scores
from .decode import decode_image
from .expression import ExpressionMap, ExpressionModel
from .faces import FaceDetector, face_crops
from .result import Box, Face, ImageResult, Overall, PostResult
from .settings import ImageSettings

NEUTRAL = "neutral"
DECIMALS = 4


class ImageClassifier:
    """The face detector, the expression model and the text side's labels and reactions."""

    def __init__(self, classifier: Classifier, assets: ImageAssets, settings: ImageSettings) -> None:
        bundle = classifier.bundle
        ekman = list(bundle.heads[bundle.primary_head].labels)
        sentiment = list(bundle.heads[bundle.sentiment_head].labels) if bundle.sentiment_head else None
        self.classifier = classifier
        self.labels = ExpressionMap.load(ekman, sentiment)
        self.reactions: Reactions = load_reactions(settings.reactions_file, ekman)
        self.detector = FaceDetector(assets.face_cascade, min_face_size=settings.min_face_size,
                                     max_faces=settings.max_faces)
        self.model = ExpressionModel(assets.expression_model, len(self.labels.ekman), threads=settings.image_threads)
        self.model_name = assets.name
        self.max_bytes = settings.max_image_bytes
        self.max_pixels = settings.max_image_pixels

    @classmethod
    def from_settings(cls, settings: ImageSettings, classifier: Classifier | None = None) -> ImageClassifier:
        """Load (fetching into the cache when needed) the models the settings name."""
        assets = resolve_assets(settings.image_model, settings.image_model_cache)
        return cls(classifier or Classifier.from_settings(settings), assets, settings)

    def _reactions_for(self, overall: Overall, faces: list[Face], scores: dict[str, float]) -> EmojiReactions:
        # Every face's emotion counts (a crying face beside a smiling one still blocks 🎉), strongest first.
        labels = sorted({face.emotion for face in faces} or {NEUTRAL}, key=lambda label: -scores.get(label, 0.0))
        return EmojiReactions.model_validate(self.reactions.for_text(labels, overall.sentiment))

    def analyse(self, data: bytes) -> ImageResult:
        """Raises ImageError (field `image`) for unusable input, never for a picture without faces."""
        image = decode_image(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
        boxes = self.detector.detect(image.grey)
        per_face = self.model.scores(face_crops(image.grey, boxes))
        faces = []
        for box, row in zip(boxes, per_face, strict=True):
            scores = {label: round(float(score), DECIMALS) for label, score in zip(self.labels.ekman, row, strict=True)}
            top = max(scores, key=lambda label: scores[label])
            faces.append(Face(box=Box(x=box.x, y=box.y, width=box.width, height=box.height), emotion=top,
                              confidence=scores[top], scores=scores))
        mixed = weighted_scores(faces) if faces else {NEUTRAL: 1.0}
        emotion = max(mixed, key=lambda label: mixed[label])
        overall = Overall(emotion=emotion, confidence=round(mixed[emotion], DECIMALS),
                          sentiment=self.labels.sentiment.get(emotion, NEUTRAL))
        return ImageResult(faces=faces, overall=overall, reactions=self._reactions_for(overall, faces, mixed),
                           no_face=not faces, width=image.width, height=image.height, format=image.format,
                           image_model=self.model_name)

    def analyse_post(self, text: str, data: bytes, *, include_scores: bool = False) -> PostResult:
        """A post's text (through emotion_core, as /v1/predict-emotion reads it) and its image, combined."""
        image = self.analyse(data)
        prediction: Prediction = self.classifier.predict_one(text, include_scores=True)
        return combine_post(prediction, image, self.classifier.bundle.primary_head, list(self.reactions.tones),
                            include_scores=include_scores)
