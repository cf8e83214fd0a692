"""The classifier: texts in, Predictions (docs/prediction.md) out. The only inference path in the project."""

import itertools
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from .bundle import Bundle, read_bundle
from .errors import InputError, RequestBudgetError
from .language import LanguageDetector, shared_detector, unreadable_warning
from .normalize import TEXT_NORMALIZATIONS
from .postprocess import PredictionBuilder
from .prediction import Prediction
from .reactions import Reactions, load_reactions
from .runtime import create_session
from .scoring import aggregate_windows, head_scores
from .settings import Settings, default_threads
from .windows import Window, WindowTokenizer, batches

logger = logging.getLogger(__name__)

# JSON may carry "\ud800" escapes; such strings are not Unicode text and the tokenizer rejects them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str, max_chars: int | None) -> str | None:
    """Why the classifier cannot take `text`, or None; shared with the batch-file path."""
    if max_chars is not None and len(text) > max_chars:
        return f"has {len(text)} characters; the limit is {max_chars}"
    if _SURROGATE.search(text):
        return "is not valid Unicode (it holds an unpaired surrogate)"
    return None


class Classifier:
    def __init__(self, bundle: Bundle, session: ort.InferenceSession, tokenizer: WindowTokenizer,
                 reactions: Reactions, *, batch_size: int = 32, max_text_chars: int | None = None,
                 max_text_windows: int | None = None, threads: int = 1) -> None:
        self._bundle = bundle
        self._session = session
        self._tokenizer = tokenizer
        self._reactions = reactions
        self._builder = PredictionBuilder(bundle, reactions)
        normalization = bundle.text_normalization
        self._normalize = TEXT_NORMALIZATIONS[normalization] if normalization is not None else None
        self._batch_size = batch_size
        self._max_text_chars = max_text_chars
        self._max_text_windows = max_text_windows
        self._head_names = list(bundle.heads)
        self._languages: LanguageDetector = shared_detector()
        self.threads = threads

    @classmethod
    def load(cls, model_dir: Path, *, threads: int | None = None, reactions_file: Path | None = None,
             batch_size: int = 32, window_stride: int | None = None,
             max_text_chars: int | None = None, max_text_windows: int | None = None) -> "Classifier":
        """Verify and load a bundle; raises BundleError (bundle) or ConfigError (stride, reactions)."""
        started = time.perf_counter()
        threads = threads or default_threads()
        bundle = read_bundle(Path(model_dir))
        tokenizer = WindowTokenizer(bundle.tokenizer_path, bundle.max_length, window_stride)
        reactions = load_reactions(reactions_file, bundle.heads[bundle.reactions_head].labels)
        session = create_session(bundle, threads)
        shared_detector().load()  # at start-up (Lambda init), not during the first request
        logger.info("model loaded", extra={
            "model": bundle.metadata.get("name"), "version": bundle.metadata.get("version"),
            "threads": threads, "load_ms": round((time.perf_counter() - started) * 1000, 1)})
        return cls(bundle, session, tokenizer, reactions, batch_size=batch_size,
                   max_text_chars=max_text_chars, max_text_windows=max_text_windows, threads=threads)

    @classmethod
    def from_settings(cls, settings: Settings, model_dir: Path | None = None) -> "Classifier":
        """The bundle of `settings.model_dir` (or `model_dir`: a custom bundle, same serving options)."""
        return cls.load(model_dir or settings.model_dir, threads=settings.ort_threads,
                        reactions_file=settings.reactions_file, batch_size=settings.inference_batch_size,
                        window_stride=settings.window_stride, max_text_chars=settings.max_text_chars,
                        max_text_windows=settings.max_text_windows)

    @property
    def heads(self) -> dict[str, list[str]]:
        return {name: list(head.labels) for name, head in self._bundle.heads.items()}

    @property
    def thresholds(self) -> dict[str, dict[str, float]]:
        return {name: dict(zip(head.labels, head.thresholds, strict=True))
                for name, head in self._bundle.heads.items()}

    @property
    def metadata(self) -> dict[str, Any]:
        return self._bundle.metadata

    @property
    def bundle(self) -> Bundle:
        """The verified bundle: heads, head roles (`primary_head`, `sentiment_head`, `reactions_head`),
        `text_normalization`, window size, metadata."""
        return self._bundle

    @property
    def reactions(self) -> dict[str, list[str]]:
        """Label of the reactions head -> its emojis (every label of that head, possibly empty)."""
        return {label: list(emojis) for label, emojis in self._reactions.emojis.items()}

    @property
    def reaction_rules(self) -> dict[str, Any]:
        """The whole reactions map: per-label emojis and blocks, emoji tones, clash rules."""
        return self._reactions.as_dict()

    @property
    def max_text_chars(self) -> int | None:
        return self._max_text_chars

    @property
    def max_length(self) -> int:
        return self._tokenizer.max_length

    @property
    def window_stride(self) -> int:
        return self._tokenizer.stride

    @property
    def max_text_windows(self) -> int | None:
        return self._max_text_windows

    def windows_needed(self, text: str) -> int:
        """Model windows `text` takes: the unit of work the limits count (tokenization only, no inference)."""
        if not text.strip():
            return 0
        model_text = self._normalize(text) if self._normalize is not None else text
        return len(self._tokenizer.windows([model_text])[0])

    def window_problem(self, text: str) -> str | None:
        """Why `text` is too much work for one answer, or None (the per-text window limit)."""
        if self._max_text_windows is None:
            return None
        needed = self.windows_needed(text)
        if needed <= self._max_text_windows:
            return None
        return (f"needs {needed} model windows of {self.max_length} tokens; the limit is {self._max_text_windows} "
                "per text (shorten it or split it)")

    def predict_one(self, text: str, include_scores: bool = False, *,
                    max_total_windows: int | None = None) -> Prediction:
        """The Prediction of one text; errors name ``text`` (RequestBudgetError past `max_total_windows`)."""
        if not isinstance(text, str):
            raise InputError("text", f"must be a string, got {type(text).__name__}")
        self._check_text("text", text)
        return self._predict([text], include_scores, ["text"], max_total_windows, budget_field="text")[0]

    def predict(self, texts: Sequence[str], *, include_scores: bool = False,
                max_total_windows: int | None = None) -> list[Prediction]:
        """One Prediction per text, in input order. Raises InputError naming ``texts[i]`` (or ``texts``
        when all of them together need more than `max_total_windows` model windows: RequestBudgetError)."""
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise InputError("texts", "must be a list of strings")
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"texts[{index}]", f"must be a string, got {type(text).__name__}")
            self._check_text(f"texts[{index}]", text)
        return self._predict(list(texts), include_scores, [f"texts[{i}]" for i in range(len(texts))],
                             max_total_windows)

    def _check_text(self, field: str, text: str) -> None:
        problem = text_problem(text, self._max_text_chars)
        if problem:
            raise InputError(field, problem)

    def _check_work(self, per_text: list[list[Window]], fields: list[str], max_total: int | None,
                    budget_field: str) -> None:
        """Limits on model work, checked after tokenization and before any inference."""
        counts = [len(windows) for windows in per_text]
        if self._max_text_windows is not None:
            for field, count in zip(fields, counts, strict=True):
                if count > self._max_text_windows:
                    raise InputError(field, f"needs {count} model windows of {self.max_length} tokens; the limit "
                                            f"is {self._max_text_windows} per text (shorten it or split it)")
        if max_total is not None and sum(counts) > max_total:
            raise RequestBudgetError(budget_field, f"needs {sum(counts)} model windows of {self.max_length} tokens; "
                                                   f"the limit is {max_total} per request (send fewer or shorter "
                                                   "texts)")

    def _predict(self, texts: list[str], include_scores: bool, fields: list[str],
                 max_total_windows: int | None, *, budget_field: str = "texts") -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(texts)
        readable = [i for i, text in enumerate(texts) if text.strip()]
        for index in set(range(len(texts))) - set(readable):
            results[index] = self._builder.blank(include_scores)
        if readable:
            model_texts = [texts[i] for i in readable]
            if self._normalize is not None:
                model_texts = [self._normalize(text) for text in model_texts]
            per_text = self._tokenizer.windows(model_texts)
            self._check_work(per_text, [fields[i] for i in readable], max_total_windows, budget_field)
            scores = self._score(per_text)
            for position, index in enumerate(readable):
                guess = self._languages.detect(texts[index], self._bundle.languages)
                warning = None if guess.readable else unreadable_warning(guess, self._bundle.languages)
                results[index] = self._builder.from_scores(scores[position], len(per_text[position]),
                                                           include_scores, language=guess.code, warning=warning)
        return [result for result in results if result is not None]

    def _score(self, per_text: list[list[Window]]) -> list[dict[str, np.ndarray]]:
        """Per text, per head, its calibrated scores aggregated over its windows (scoring.aggregate_windows)."""
        flat = [window for windows in per_text for window in windows]
        probs = {name: np.empty((len(flat), len(head.labels))) for name, head in self._bundle.heads.items()}
        extra_inputs = [name for name in self._bundle.inputs if name not in ("input_ids", "attention_mask")]
        # A window's answer must not depend on the other texts of a request: unless the graph is
        # batch-invariant, each window runs alone (no padding, activation ranges of its own).
        per_call = self._batch_size if self._bundle.batch_invariant else 1
        for positions, ids, mask in batches(flat, per_call, self._tokenizer.pad_id):
            feed = {"input_ids": ids, "attention_mask": mask}
            feed.update({name: np.zeros_like(ids) for name in extra_inputs})  # token_type_ids: one segment
            outputs = self._session.run(self._head_names, feed)
            for name, logits in zip(self._head_names, outputs, strict=True):
                probs[name][positions] = head_scores(self._bundle.heads[name], logits)
        bounds = np.cumsum([0] + [len(windows) for windows in per_text])
        return [aggregate_windows(self._bundle, {name: values[start:end] for name, values in probs.items()})
                for start, end in itertools.pairwise(bounds)]
