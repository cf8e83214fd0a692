"""A training stage's resumable state: `last/state.pt`, its progress record, and `history.json`.

The checkpoint is a dict with keys model, optimizer, scheduler, progress and mid_epoch, written
to a temporary file and renamed, so a run cut off mid-save keeps its previous checkpoint. Its
`progress` and `mid_epoch` entries stay plain dicts (not these classes) so a checkpoint outlives
a refactoring of this module.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

log = logging.getLogger("training")


@dataclass(frozen=True)
class RunPaths:
    """Where one training stage keeps its state (given by the job, which owns the layout)."""

    state: Path  # resumable checkpoint, rewritten every few minutes and at each epoch's end
    best: Path  # folder of the selected model (`MultiHeadClassifier.save`)
    history: Path  # the final progress record, written when the stage is done


@dataclass
class Progress:
    """Where a stage stands: epochs done, the best dev score so far, and per-epoch history."""

    epoch: int = 0
    best_score: float = -1.0
    best_epoch: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    bad_epochs: int = 0
    averaged: dict[str, Any] | None = None  # set once best and last were averaged (or not)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "epoch": self.epoch,
            "best_score": self.best_score,
            "best_epoch": self.best_epoch,
            "history": self.history,
            "bad_epochs": self.bad_epochs,
        }
        if self.averaged is not None:
            out["averaged"] = self.averaged
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Progress:
        return cls(
            epoch=int(raw["epoch"]),
            best_score=float(raw["best_score"]),
            best_epoch=int(raw["best_epoch"]),
            history=list(raw["history"]),
            bad_epochs=int(raw["bad_epochs"]),
            averaged=raw.get("averaged"),
        )

    def write_history(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def read_history(cls, path: Path) -> Progress:
        return cls.from_dict(json.loads(path.read_text()))


@dataclass(frozen=True)
class MidEpoch:
    """Position inside an interrupted epoch. The batch order is fixed by the epoch's seed, so
    resuming skips the first `step` batches and restores torch's RNG (dropout) as it was."""

    step: int
    running_loss: float
    torch_rng: torch.Tensor

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "running_loss": self.running_loss, "torch_rng": self.torch_rng}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> MidEpoch | None:
        if not raw:
            return None
        return cls(int(raw["step"]), float(raw["running_loss"]), raw["torch_rng"].cpu())


@dataclass(frozen=True)
class Trainables:
    """What a checkpoint restores besides the progress."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler


def save_checkpoint(path: Path, parts: Trainables, progress: Progress, mid_epoch: MidEpoch | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "model": parts.model.state_dict(),
        "optimizer": parts.optimizer.state_dict(),
        "scheduler": parts.scheduler.state_dict(),
        "progress": progress.to_dict(),
        "mid_epoch": mid_epoch.to_dict() if mid_epoch else None,
    }
    # Write then rename: a session cut off mid-save must not leave a torn checkpoint.
    partial = path.with_name(path.name + ".tmp")
    torch.save(payload, partial)
    partial.replace(path)


def load_checkpoint(path: Path, parts: Trainables, device: torch.device) -> tuple[Progress, MidEpoch | None]:
    """Restore `parts` in place from `path`; a missing file means a fresh start."""
    if not path.is_file():
        return Progress(), None
    saved = torch.load(path, map_location=device, weights_only=False)
    parts.model.load_state_dict(saved["model"])
    parts.optimizer.load_state_dict(saved["optimizer"])
    parts.scheduler.load_state_dict(saved["scheduler"])
    return Progress.from_dict(saved["progress"]), MidEpoch.from_dict(saved.get("mid_epoch"))
