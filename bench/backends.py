"""The four ways a configuration runs, behind one small interface used by the model worker.

`run(texts)` is what the timing loops call (tokenize + model, and for the bundle the full
served path: emotion_core's windowing, model, post-processing into Predictions);
`probabilities(texts)` gives per-head scores for the accuracy pass.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    result: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * logits.astype(np.float64)))
    return result


class HfTokenized:
    """Tokenization shared by the PyTorch and ONNX rows: the stage's HF tokenizer, its max_length."""

    def __init__(self, training_config: str, stage: str) -> None:
        from training.config import load_config
        from training.job import Job

        config = load_config(training_config)
        stage_config = getattr(config, stage)
        self.tokenizer = Job(config).tokenizer(stage_config)
        self.max_length = int(stage_config.model.max_length)

    def encode(self, texts: list[str], tensors: str) -> Any:
        return self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                              return_tensors=tensors)

    def lengths(self, texts: list[str]) -> list[int]:
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        return [len(row) for row in ids]


class LogitsBackend:
    """What the PyTorch and ONNX rows share: timing and accuracy both go through `logits`."""

    tok: HfTokenized

    def logits(self, texts: list[str]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def run(self, texts: list[str]) -> int:
        self.logits(texts)
        return len(texts)

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        return {name: _sigmoid(value) for name, value in self.logits(texts).items()}

    def lengths(self, texts: list[str]) -> list[int]:
        return self.tok.lengths(texts)


class TorchBackend(LogitsBackend):
    def __init__(self, spec: dict[str, Any], threads: int) -> None:
        import torch

        from training.model import MultiHeadClassifier

        torch.set_num_threads(threads)
        self.torch = torch
        self.tok = HfTokenized(spec["training_config"], spec["stage"])
        if spec.get("from_base"):
            from training.config import load_config
            from training.job import Job

            config = load_config(spec["training_config"])
            base_path = Job(config).base_path(getattr(config, spec["stage"]))
            model = MultiHeadClassifier.from_base(base_path, spec["head_sizes"], spec.get("pooling", "mean"), 0.0)
        else:
            model = MultiHeadClassifier.load(Path(spec["checkpoint"]))
        self.model = model.eval().float()
        self.head_names = list(self.model.head_names)

    def set_threads(self, threads: int) -> None:
        self.torch.set_num_threads(threads)

    def logits(self, texts: list[str]) -> dict[str, np.ndarray]:
        batch = self.tok.encode(texts, "pt")
        with self.torch.inference_mode():
            out = self.model(batch["input_ids"], batch["attention_mask"])
        return {name: value.float().numpy() for name, value in out.items()}


class OnnxBackend(LogitsBackend):
    """The exported student graph run by onnxruntime with the serving session options."""

    def __init__(self, spec: dict[str, Any], threads: int) -> None:
        self.spec = spec
        self.tok = HfTokenized(spec["training_config"], spec["stage"])
        self.session = self._session(threads)

    def _session(self, threads: int) -> Any:
        from emotion_core.runtime import open_session

        session = open_session(Path(self.spec["onnx_path"]), threads)
        self.names = [node.name for node in session.get_outputs()]
        self.inputs = [node.name for node in session.get_inputs()]
        return session

    def set_threads(self, threads: int) -> None:
        del self.session
        self.session = self._session(threads)

    def logits(self, texts: list[str]) -> dict[str, np.ndarray]:
        batch = self.tok.encode(texts, "np")
        feed = {name: np.asarray(batch[name], dtype=np.int64) if name in batch
                else np.zeros_like(np.asarray(batch["input_ids"], dtype=np.int64)) for name in self.inputs}
        return dict(zip(self.names, self.session.run(self.names, feed), strict=True))


class BundleBackend:
    """The released bundle through emotion_core: exactly what the API and the bulk function run."""

    def __init__(self, spec: dict[str, Any], threads: int) -> None:
        self.spec = spec
        self.classifier = self._load(threads)

    def _load(self, threads: int) -> Any:
        from emotion_core import Classifier

        return Classifier.load(Path(self.spec["bundle_dir"]), threads=threads)  # served defaults otherwise

    def set_threads(self, threads: int) -> None:
        del self.classifier
        self.classifier = self._load(threads)

    def run(self, texts: list[str]) -> int:
        self.classifier.predict(texts)
        return len(texts)

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        predictions = self.classifier.predict(texts, include_scores=True)
        heads = self.classifier.heads
        return {name: np.array([[p.scores[name][label] for label in labels] for p in predictions])
                for name, labels in heads.items()}

    def thresholds(self) -> dict[str, dict[str, float]]:
        result: dict[str, dict[str, float]] = self.classifier.thresholds
        return result

    def lengths(self, texts: list[str]) -> list[int]:
        return [len(text) for text in texts]  # characters: only used to group similar texts


KINDS: dict[str, Any] = {"torch": TorchBackend, "onnx": OnnxBackend, "bundle": BundleBackend}
# What each kind imports before it can load anything (timed apart from the model load).
IMPORTS = {"torch": ("torch", "transformers", "training.model", "training.job"),
           "onnx": ("onnxruntime", "emotion_core.runtime", "transformers", "training.job"),
           "bundle": ("emotion_core",)}


def import_backend(kind: str) -> Any:
    for module in IMPORTS[kind]:
        importlib.import_module(module)
    return KINDS[kind]
