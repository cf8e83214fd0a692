"""Texts to token ids, and token ids to padded batches of similar length."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from emotion_core.normalize import normalize_text


def encode(tokenizer: Any, texts: list[str], max_length: int) -> list[list[int]]:
    # The serving normalisation (emojis as words), so the model trains on what it will read.
    normalized = [normalize_text(text) for text in texts]
    ids: list[list[int]] = tokenizer(normalized, truncation=True, max_length=max_length, add_special_tokens=True)[
        "input_ids"
    ]
    return ids


def bucketed_batches(lengths: list[int], batch_size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Batches of similar length: shuffle, sort within pools of 50 batches, shuffle the batches.

    With the same `rng` seed the order is the same, which is what lets a run resume mid-epoch."""
    order = np.arange(len(lengths)) if rng is None else rng.permutation(len(lengths))
    pool = batch_size * 50
    batches: list[np.ndarray] = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if rng is not None:
        rng.shuffle(batches)
    return batches


def collate(encoded: list[list[int]], index: np.ndarray, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(encoded[i]) for i in index)
    ids = torch.full((len(index), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(index), width), dtype=torch.long)
    for row, i in enumerate(index):
        seq = encoded[i]
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids, mask
