"""Domain exceptions of the classifier core.

Callers (API, bulk handler, CLI) map these to their own error channel in one place;
nothing here knows about HTTP.
"""


class EmotionCoreError(Exception):
    """Base class for every error raised on purpose by emotion_core."""


class BundleError(EmotionCoreError):
    """The model bundle is missing, incomplete, or does not match its model.json."""


class ConfigError(EmotionCoreError):
    """A configuration value or an override file (e.g. reactions) is unusable."""


class InputError(EmotionCoreError):
    """A caller-supplied value is unusable; `field` names it (e.g. ``texts[3]``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class RequestBudgetError(InputError):
    """The texts are acceptable one by one but need more model work together than the caller's
    per-request budget (`predict(..., max_total_windows=N)`); an HTTP caller answers 413."""
