"""The expression model on onnxruntime, and its outputs mapped to the text bundle's Ekman labels."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from emotion_core import ConfigError

DEFAULT_EXPRESSIONS_FILE = Path(__file__).resolve().parent / "data" / "expressions.json"


@dataclass(frozen=True)
class ExpressionMap:
    ekman: tuple[str, ...]         # per model output, the Ekman label it stands for
    sentiment: dict[str, str]      # Ekman label -> sentiment

    @classmethod
    def load(cls, ekman_labels: list[str], sentiment_labels: list[str] | None,
             path: Path = DEFAULT_EXPRESSIONS_FILE) -> ExpressionMap:
        """Checked against the text bundle: every target must be one of its Ekman (primary head) labels,
        every sentiment one of its sentiment labels, so an image answer uses the text's vocabulary."""
        data = json.loads(path.read_text(encoding="utf-8"))
        targets = tuple(entry["ekman"] for entry in data["outputs"])
        unknown = sorted(set(targets) - set(ekman_labels))
        if unknown:
            raise ConfigError(f"{path}: {unknown} are not labels of the bundle's primary head {ekman_labels}")
        if len(set(targets)) != len(targets):
            raise ConfigError(f"{path}: two model outputs map to the same label")
        sentiment: dict[str, str] = data["sentiment"]
        missing = sorted(set(targets) - set(sentiment))
        stray = sorted(set(sentiment.values()) - set(sentiment_labels or sentiment.values()))
        if missing or stray:
            raise ConfigError(f"{path}: sentiment lacks {missing} or uses labels the bundle lacks {stray}")
        return cls(ekman=targets, sentiment=sentiment)


class ExpressionModel:
    def __init__(self, path: Path, outputs: int, *, threads: int) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        shape = self._session.get_outputs()[0].shape
        if shape[-1] != outputs:
            raise ConfigError(f"{path} has {shape[-1]} outputs, the expressions file maps {outputs}")

    def scores(self, crops: np.ndarray) -> np.ndarray:
        """N x outputs softmax scores; the converted graph takes one face per call (batch size 1)."""
        if not len(crops):
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate([self._session.run(None, {self._input: crops[i:i + 1]})[0]
                               for i in range(len(crops))])
