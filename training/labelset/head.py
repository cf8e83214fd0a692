"""The classifier on top of sentence embeddings: a zero-shot head from the label descriptions, or a
logistic regression fitted on the examples (softmax for single-label sets, one sigmoid per label for
multi-label sets)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional

from training.metrics import sigmoid, softmax


@dataclass(frozen=True)
class LinearHead:
    weight: np.ndarray  # [dim, n_labels]
    bias: np.ndarray  # [n_labels]
    multi_label: bool

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        logits = embeddings @ self.weight + self.bias
        return sigmoid(logits) if self.multi_label else softmax(logits)


def zero_shot_head(description_embeddings: np.ndarray, temperature: float, multi_label: bool) -> LinearHead:
    """Cosine similarity to each label's description (embeddings are unit length), sharpened by
    `temperature`: with no examples, the descriptions are the only evidence of what a label means.
    Always a softmax, multi-label sets too: raw similarities say which label is closest, not whether
    a label applies on its own (pseudo-labelling then keeps every label scoring over 0.5)."""
    weight = description_embeddings.T / temperature
    return LinearHead(weight.astype(np.float32), np.zeros(weight.shape[1], dtype=np.float32), multi_label=False)


def fit_head(embeddings: np.ndarray, targets: np.ndarray, multi_label: bool, l2: float, steps: int,
             seed: int) -> LinearHead:
    """Logistic regression by L-BFGS; `targets` one-hot (single-label) or multi-hot [n, n_labels]."""
    torch.manual_seed(seed)
    x = torch.from_numpy(embeddings.astype(np.float32))
    y = torch.from_numpy(targets.astype(np.float32))
    weight = torch.zeros((x.shape[1], y.shape[1]), requires_grad=True)
    bias = torch.zeros(y.shape[1], requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=steps, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = x @ weight + bias
        if multi_label:
            loss = functional.binary_cross_entropy_with_logits(logits, y)
        else:
            loss = functional.cross_entropy(logits, y.argmax(dim=1))
        loss = loss + l2 * (weight**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return LinearHead(weight.detach().numpy(), bias.detach().numpy(), multi_label)
