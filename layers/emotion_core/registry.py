"""Several model bundles in one process: the default bundle (`MODEL_DIR`) and the custom ones in
`MODELS_DIR` (one sub-folder per bundle, e.g. label-set models built by `training.labelset`).

Every bundle is verified and loaded at start-up (`Classifier.load`), so a broken one fails the
start, not a user's request. Models are known by their model.json `name`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .classifier import Classifier
from .errors import ConfigError
from .prediction import ModelRef
from .settings import Settings

logger = logging.getLogger("emotion_core")


@dataclass(frozen=True)
class ServedModel:
    name: str
    classifier: Classifier
    default: bool

    @property
    def ref(self) -> ModelRef:
        """How an answer names this model when several are served."""
        return ModelRef(name=self.name, version=str(self.classifier.metadata.get("version", "")))


class ModelRegistry:
    """The default model plus custom ones, by name; `get` answers None for an unknown name."""

    def __init__(self, default: Classifier, custom: list[Classifier] | None = None) -> None:
        self.default_name = self._name(default)
        self._models = {self.default_name: ServedModel(self.default_name, default, True)}
        for classifier in custom or []:
            name = self._name(classifier)
            if name in self._models:
                raise ConfigError(f"MODELS_DIR: two bundles are named {name!r} (model.json name); names must differ")
            self._models[name] = ServedModel(name, classifier, False)

    @staticmethod
    def _name(classifier: Classifier) -> str:
        name = classifier.metadata.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError("a served bundle needs a model.json name to be called by")
        return name

    @classmethod
    def from_folder(cls, default: Classifier, folder: Path | None,
                    load: Callable[[Path], Classifier]) -> "ModelRegistry":
        """`default` plus every bundle (a sub-folder with a model.json) in `folder`, in name order."""
        if folder is None:
            return cls(default)
        if not folder.is_dir():
            raise ConfigError(f"MODELS_DIR: {folder} is not a folder")
        bundles = sorted(p for p in folder.iterdir() if (p / "model.json").is_file())
        logger.info("custom models", extra={"models_dir": str(folder), "bundles": [p.name for p in bundles]})
        return cls(default, [load(path) for path in bundles])

    @classmethod
    def from_settings(cls, settings: Settings, default: Classifier) -> "ModelRegistry":
        return cls.from_folder(default, settings.models_dir, lambda path: Classifier.from_settings(settings, path))

    def get(self, name: str) -> ServedModel | None:
        return self._models.get(name)

    def models(self) -> list[ServedModel]:
        """The default model first, then the custom ones in name order."""
        return list(self._models.values())
