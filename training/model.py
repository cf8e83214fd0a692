"""The multi-task encoder: one transformer, one linear head per taxonomy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoModel

WEIGHTS_FILE, LAYOUT_FILE = "weights.pt", "classifier.json"


class MultiHeadClassifier(nn.Module):
    def __init__(self, encoder: Any, head_sizes: dict[str, int], pooling: str = "mean", dropout: float = 0.1):
        # `encoder` is a transformers model (BERT, MPNet, RoBERTa...): typed Any because their
        # layouts (`.embeddings`, `.encoder.layer`) are conventions, not a shared interface.
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"model.pooling must be 'mean' or 'cls', not {pooling!r}")
        self.encoder: Any = encoder
        self.pooling = pooling
        self.head_names = list(head_sizes)
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) for name, size in head_sizes.items()})

    @classmethod
    def from_base(
        cls, base_path: str, head_sizes: dict[str, int], pooling: str, dropout: float, freeze_layers: int = 0
    ) -> MultiHeadClassifier:
        model = cls(AutoModel.from_pretrained(base_path), head_sizes, pooling, dropout)
        if freeze_layers:
            model.freeze_bottom(freeze_layers)
        return model

    def head_size(self, name: str) -> int:
        head = self.heads[name]
        assert isinstance(head, nn.Linear)
        return head.out_features

    def freeze_bottom(self, n_layers: int) -> None:
        """Freeze embeddings + the first n transformer layers (BERT/MPNet/RoBERTa layouts)."""
        layers = self.encoder.encoder.layer
        if not 0 < n_layers <= len(layers):
            raise ValueError(f"model.freeze_layers must be in 1..{len(layers)}, not {n_layers}")
        for module in [self.encoder.embeddings, *layers[:n_layers]]:
            for param in module.parameters():
                param.requires_grad_(False)

    def pool(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden: torch.Tensor = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        pooled = self.dropout(self.pool(input_ids, attention_mask))
        return {name: head(pooled) for name, head in self.heads.items()}

    def save(self, folder: Path, extra: dict[str, Any] | None = None) -> None:
        """A self-contained checkpoint: encoder config + all weights + head layout."""
        folder.mkdir(parents=True, exist_ok=True)
        self.encoder.config.save_pretrained(folder)
        torch.save(self.state_dict(), folder / WEIGHTS_FILE)
        meta = {"heads": {n: self.head_size(n) for n in self.head_names}, "pooling": self.pooling}
        (folder / LAYOUT_FILE).write_text(json.dumps({**meta, **(extra or {})}, indent=2))

    @staticmethod
    def is_saved(folder: Path) -> bool:
        return (folder / WEIGHTS_FILE).is_file() and (folder / LAYOUT_FILE).is_file()

    @classmethod
    def load(cls, folder: Path) -> MultiHeadClassifier:
        meta = json.loads((folder / LAYOUT_FILE).read_text())
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(folder))
        model = cls(encoder, meta["heads"], meta["pooling"], dropout=0.0)
        model.load_state_dict(torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True))
        return model.eval()


class OnnxExportWrapper(nn.Module):
    """Exposes the heads as a tuple of named outputs, the bundle's ONNX contract."""

    def __init__(self, model: MultiHeadClassifier):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        out = self.model(input_ids, attention_mask)
        return tuple(out[name] for name in self.model.head_names)
