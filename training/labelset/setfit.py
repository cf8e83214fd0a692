"""The SetFit method in a short loop (Tunstall et al. 2022): contrastive fine-tuning of a sentence
encoder on pairs of examples, then a logistic-regression head on its embeddings.

Our own loop over the job's encoder (`MultiHeadClassifier` with no heads: its mean pooling) and the
job's tokenization, so the teacher reads texts exactly as the student and serving will.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional
from transformers import AutoTokenizer

from training.encoding import bucketed_batches, collate, encode
from training.labelset.settings import BuildSettings
from training.model import MultiHeadClassifier

log = logging.getLogger("training")


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    similar: bool


class SentenceEncoder:
    """A transformer with mean pooling and unit-length embeddings (as the all-* sentence models)."""

    def __init__(self, base_path: str, max_length: int):
        self.model = MultiHeadClassifier.from_base(base_path, {}, "mean", 0.0)
        self.tokenizer = AutoTokenizer.from_pretrained(base_path)
        self.max_length = max_length
        self.pad_id = int(self.tokenizer.pad_token_id)

    def _embed_ids(self, encoded: list[list[int]], index: np.ndarray) -> torch.Tensor:
        ids, mask = collate(encoded, index, self.pad_id)
        return functional.normalize(self.model.pool(ids, mask), dim=-1)

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.model.eval()
        encoded = encode(self.tokenizer, texts, self.max_length)
        out = np.zeros((len(texts), int(self.model.encoder.config.hidden_size)), dtype=np.float32)
        with torch.inference_mode():
            for index in bucketed_batches([len(e) for e in encoded], batch_size, rng=None):
                out[index] = self._embed_ids(encoded, index).numpy()
        return out


def make_pairs(label_of: list[int], iterations: int, max_pairs: int, seed: int) -> list[Pair]:
    """SetFit's pair generation: each round, each example with a random same-label and a random
    other-label partner; capped at `max_pairs` (a fixed-seed sample) to bound the CPU time."""
    rng = random.Random(seed)
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(label_of):
        by_label.setdefault(label, []).append(i)
    pairs: list[Pair] = []
    for _ in range(iterations):
        for i, label in enumerate(label_of):
            pairs.append(Pair(i, rng.choice(by_label[label]), True))
            others = [j for j, other in enumerate(label_of) if other != label]
            if others:
                pairs.append(Pair(i, rng.choice(others), False))
    rng.shuffle(pairs)
    return pairs[:max_pairs]


def contrastive_fit(encoder: SentenceEncoder, texts: list[str], label_of: list[int], settings: BuildSettings) -> int:
    """Fine-tune `encoder` so same-label texts embed close and others apart; returns the pairs used."""
    pairs = make_pairs(label_of, settings.pair_iterations, settings.max_pairs, settings.seed)
    encoded = encode(encoder.tokenizer, texts, encoder.max_length)
    torch.manual_seed(settings.seed)
    optimizer = torch.optim.AdamW(encoder.model.parameters(), lr=settings.contrastive_lr)
    steps = max(1, -(-len(pairs) // settings.contrastive_batch))
    # Linear warm-up over the first tenth, then linear decay: SetFit's (sentence-transformers') schedule.
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    encoder.model.train()
    for step in range(steps):
        batch = pairs[step * settings.contrastive_batch:(step + 1) * settings.contrastive_batch]
        first = encoder._embed_ids(encoded, np.array([p.first for p in batch]))
        second = encoder._embed_ids(encoded, np.array([p.second for p in batch]))
        target = torch.tensor([1.0 if p.similar else 0.0 for p in batch])
        loss = functional.mse_loss((first * second).sum(dim=-1), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 20 == 0 or step == steps - 1:
            log.info("labelset contrastive: step %d/%d loss %.4f", step + 1, steps, loss.detach().item())
    encoder.model.eval()
    return len(pairs)
