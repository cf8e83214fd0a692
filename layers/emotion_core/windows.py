"""Text -> model windows: truncation at the bundle's window, overlap for long texts, length-sorted batches."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from .errors import BundleError, ConfigError

_PAD_CANDIDATES = ("[PAD]", "<pad>", "<PAD>")


@dataclass(frozen=True)
class Window:
    text_index: int
    ids: list[int]


class WindowTokenizer:
    """Wraps a `tokenizers` file; emotion_core owns truncation and padding, whatever the file says."""

    def __init__(self, path: Path, max_length: int, stride: int | None) -> None:
        try:
            self._tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises a bare Exception for unreadable files
            raise BundleError(f"{path}: not a tokenizers file ({exc})") from exc
        specials = self._tokenizer.num_special_tokens_to_add(is_pair=False)
        room = max_length - specials
        if room < 2:
            raise BundleError(f"{path}: max_length {max_length} leaves no room after "
                              f"{specials} special tokens")
        if stride is None:
            stride = room // 4
        if not 0 <= stride < room:
            # tokenizers panics on this; say which setting to change instead.
            raise ConfigError(f"WINDOW_STRIDE={stride} must be below {room} (max_length {max_length} "
                              f"minus {specials} special tokens)")
        self.max_length = max_length
        self.stride = stride
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length, stride=stride, strategy="longest_first")
        self.pad_id = self._find_pad_id()

    def _find_pad_id(self) -> int:
        padding = self._tokenizer.padding
        if padding and isinstance(padding.get("pad_id"), int):
            return int(padding["pad_id"])
        for token in _PAD_CANDIDATES:
            token_id = self._tokenizer.token_to_id(token)
            if token_id is not None:
                return token_id
        # Padded positions are masked out, so any id works when the vocabulary names no pad token.
        return 0

    def windows(self, texts: list[str]) -> list[list[Window]]:
        """Per text, its windows in reading order; a text that fits gives exactly one."""
        result: list[list[Window]] = []
        for index, encoding in enumerate(self._tokenizer.encode_batch(texts)):
            parts = [encoding, *encoding.overflowing]
            result.append([Window(index, list(part.ids)) for part in parts])
        return result


Batch = tuple[list[int], np.ndarray, np.ndarray]


def batches(windows: list[Window], batch_size: int, pad_id: int) -> Iterator[Batch]:
    """Yield (positions, input_ids, attention_mask) over windows sorted by length.

    Sorting means a batch is padded only to its own longest window, so short texts do not
    pay for long ones; `positions` lets the caller put results back in input order.
    """
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
    for start in range(0, len(order), batch_size):
        positions = order[start:start + batch_size]
        width = max(len(windows[i].ids) for i in positions)
        ids = np.full((len(positions), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(positions), width), dtype=np.int64)
        for row, position in enumerate(positions):
            tokens = windows[position].ids
            ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1
        yield positions, ids, mask
