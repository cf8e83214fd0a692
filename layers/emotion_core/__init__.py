"""emotion_core: the one classifier core shared by the API, the bulk handler, the CLI and the tests."""

from .classifier import Classifier
from .errors import BundleError, ConfigError, EmotionCoreError, InputError, RequestBudgetError
from .prediction import EmojiReactions, LabelScore, ModelRef, Prediction, batch_line
from .settings import Settings

__all__ = [
    "BundleError",
    "Classifier",
    "ConfigError",
    "EmojiReactions",
    "EmotionCoreError",
    "InputError",
    "LabelScore",
    "ModelRef",
    "Prediction",
    "RequestBudgetError",
    "Settings",
    "batch_line",
]
