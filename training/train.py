"""The training loop shared by the teacher and the distilled student, in named steps.

GPU-targeted (CUDA, bf16/fp16 autocast) but honest on CPU: bf16 autocast where the CPU has
native bf16, length-bucketed batches so short Reddit comments don't pay for long ones, and a
resumable checkpoint every few minutes and at every epoch's end (`training.checkpoint`).
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from training.checkpoint import MidEpoch, Progress, RunPaths, Trainables, load_checkpoint, save_checkpoint
from training.config import DistillConfig, OptimConfig
from training.data import Head, Split
from training.encoding import bucketed_batches, collate
from training.evaluation import evaluate, selection_score, summary
from training.inference import autocast, autocast_dtype, pick_device, predict_logits
from training.model import MultiHeadClassifier
from training.objective import BatchTargets, TrainSet, positive_weights, training_loss

log = logging.getLogger("training")
LOG_EVERY_STEPS = 50


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass(frozen=True)
class DevSet:
    encoded: list[list[int]]
    split: Split


@dataclass(frozen=True)
class StageRun:
    """Everything one training stage needs besides the model."""

    name: str
    train: TrainSet
    dev: DevSet
    heads: dict[str, Head]
    optim: OptimConfig
    paths: RunPaths
    pad_id: int
    seed: int
    distill: DistillConfig | None = None


@dataclass(frozen=True)
class FitResult:
    model: MultiHeadClassifier  # the selected model, loaded from `best/`
    progress: Progress


@dataclass(frozen=True)
class Trainer:
    """The objects one run trains with, built once per stage."""

    run: StageRun
    parts: Trainables
    device: torch.device
    dtype: torch.dtype | None
    scaler: torch.amp.GradScaler | None
    targets: BatchTargets
    pos_weight: dict[str, torch.Tensor]
    steps_per_epoch: int

    @property
    def model(self) -> MultiHeadClassifier:
        model = self.parts.model
        assert isinstance(model, MultiHeadClassifier)
        return model


def _no_decay(name: str) -> bool:
    return name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name


def build_optimizer(model: MultiHeadClassifier, opt: OptimConfig) -> torch.optim.AdamW:
    # The group order is part of the checkpoint format: optimizer state is restored by position.
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    body = [(n, p) for n, p in trainable if not n.startswith("heads.")]
    return torch.optim.AdamW(
        [
            {"params": [p for n, p in body if not _no_decay(n)], "lr": opt.lr, "weight_decay": opt.weight_decay},
            {"params": [p for n, p in body if _no_decay(n)], "lr": opt.lr, "weight_decay": 0.0},
            {"params": [p for n, p in trainable if n.startswith("heads.")], "lr": opt.head_lr, "weight_decay": 0.0},
        ]
    )


def steps_per_epoch(n_examples: int, opt: OptimConfig) -> int:
    steps = math.ceil(n_examples / opt.batch_size)
    return min(steps, opt.max_steps_per_epoch) if opt.max_steps_per_epoch else steps


def build_scheduler(
    optimizer: torch.optim.Optimizer, opt: OptimConfig, per_epoch: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warmup, then linear decay to zero at the last step."""
    total_steps = per_epoch * opt.epochs
    warmup = max(1, int(total_steps * opt.warmup_ratio))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)


def build_trainer(model: MultiHeadClassifier, run: StageRun) -> Trainer:
    opt = run.optim
    device = pick_device()
    dtype = autocast_dtype(opt.precision, device)
    model.to(device)
    optimizer = build_optimizer(model, opt)
    per_epoch = steps_per_epoch(len(run.train.encoded), opt)
    scheduler = build_scheduler(optimizer, opt, per_epoch)
    scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 and device.type == "cuda" else None
    weights = positive_weights(run.train, run.heads, opt.pos_weight_power, opt.pos_weight_max)
    return Trainer(
        run=run,
        parts=Trainables(model, optimizer, scheduler),
        device=device,
        dtype=dtype,
        scaler=scaler,
        targets=BatchTargets.of(run.train),
        pos_weight={h: w.to(device) for h, w in weights.items()},
        steps_per_epoch=per_epoch,
    )


def resume(trainer: Trainer) -> tuple[Progress, MidEpoch | None]:
    progress, mid = load_checkpoint(trainer.run.paths.state, trainer.parts, trainer.device)
    if progress.epoch or mid:
        log.info(
            "%s: resumed after epoch %d step %d (best %.4f)",
            trainer.run.name,
            progress.epoch,
            mid.step if mid else 0,
            progress.best_score,
        )
    return progress, mid


def train_step(trainer: Trainer, index: np.ndarray) -> float:
    """One optimizer step on one batch; returns the batch loss."""
    run, device = trainer.run, trainer.device
    optimizer, scaler = trainer.parts.optimizer, trainer.scaler
    ids, mask = collate(run.train.encoded, index, run.pad_id)
    with autocast(device, trainer.dtype):
        logits = trainer.model(ids.to(device), mask.to(device))
    targets = trainer.targets.select(torch.from_numpy(index), device)
    loss = training_loss(logits, targets, run.heads, run.distill, trainer.pos_weight)
    optimizer.zero_grad(set_to_none=True)
    if scaler:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
    else:
        loss.backward()
    torch.nn.utils.clip_grad_norm_(trainer.model.parameters(), run.optim.grad_clip)
    if scaler:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    trainer.parts.scheduler.step()
    return float(loss.item())


def epoch_batches(trainer: Trainer, epoch: int) -> list[np.ndarray]:
    """The epoch's batches, in an order fixed by the seed and the epoch number."""
    run = trainer.run
    rng = np.random.default_rng(run.seed + epoch)
    batches = bucketed_batches([len(e) for e in run.train.encoded], run.optim.batch_size, rng)
    limit = run.optim.max_steps_per_epoch
    return batches[:limit] if limit else batches


def train_epoch(trainer: Trainer, progress: Progress, epoch: int, resumed: MidEpoch | None) -> float:
    """Train one epoch (the rest of it when `resumed`); returns the mean training loss."""
    run = trainer.run
    if resumed:
        torch.set_rng_state(resumed.torch_rng)
    else:
        torch.manual_seed(run.seed + epoch)
    trainer.model.train()
    first = resumed.step if resumed else 0
    running, steps = (resumed.running_loss if resumed else 0.0), first
    started = last_save = time.time()
    for position, index in enumerate(epoch_batches(trainer, epoch)):
        if position < first:
            continue  # done before the interruption
        running += train_step(trainer, index)
        steps += 1
        if steps % LOG_EVERY_STEPS == 0:
            pace = (time.time() - started) / max(1, steps - first)
            log.info("%s: epoch %d step %d/%d loss %.4f (%.2f s/step)", run.name, epoch, steps,
                     trainer.steps_per_epoch, running / steps, pace)
        if run.optim.checkpoint_minutes and time.time() - last_save > run.optim.checkpoint_minutes * 60:
            mid = MidEpoch(steps, running, torch.get_rng_state())
            save_checkpoint(run.paths.state, trainer.parts, progress, mid)
            last_save = time.time()
            log.info("%s: checkpoint at epoch %d step %d", run.name, epoch, steps)
    return running / max(steps, 1)


def dev_report(trainer: Trainer, model: MultiHeadClassifier) -> tuple[dict[str, Any], float]:
    run = trainer.run
    logits = predict_logits(model, run.dev.encoded, run.pad_id, precision=run.optim.precision)
    report = evaluate(logits, run.dev.split, run.heads, thresholds=None)
    return report, selection_score(report)


def close_epoch(trainer: Trainer, progress: Progress, epoch: int, train_loss: float, started: float) -> None:
    """Score the epoch on dev, keep the model in `best/` when it is the best so far, checkpoint."""
    run = trainer.run
    report, score = dev_report(trainer, trainer.model)
    entry = {
        "epoch": epoch,
        "train_loss": train_loss,
        "dev_score": score,
        "dev": summary(report),
        "seconds": round(time.time() - started, 1),
    }
    progress.history.append(entry)
    log.info("%s: epoch %d done: %s", run.name, epoch, json.dumps(entry))
    if score > progress.best_score:
        progress.best_score, progress.best_epoch, progress.bad_epochs = score, epoch, 0
        trainer.model.save(run.paths.best, {"stage": run.name, "epoch": epoch, "dev_score": score})
    else:
        progress.bad_epochs += 1
    progress.epoch = epoch
    save_checkpoint(run.paths.state, trainer.parts, progress, None)


def average_best_and_last(trainer: Trainer, progress: Progress) -> dict[str, Any]:
    """Weight averaging of two points of one run lands in a flatter region than either end;
    measured here it lifted every head's dev macro-F1. Kept only if dev says so."""
    best = MultiHeadClassifier.load(trainer.run.paths.best)
    last_weights = {k: v.detach().cpu() for k, v in trainer.model.state_dict().items()}
    averaged = {k: (v + last_weights[k]) / 2 if v.is_floating_point() else v for k, v in best.state_dict().items()}
    best.load_state_dict(averaged)
    _, score = dev_report(trainer, best)
    kept = score > progress.best_score
    log.info(
        "average of epochs %d and %d: dev score %.4f (best single %.4f), %s",
        progress.best_epoch,
        progress.epoch,
        score,
        progress.best_score,
        "kept" if kept else "discarded",
    )
    if kept:
        averaged_epochs = [progress.best_epoch, progress.epoch]
        best.save(trainer.run.paths.best, {"epochs_averaged": averaged_epochs, "dev_score": score})
        progress.best_score = score
    return {"epochs": [progress.best_epoch, progress.epoch], "dev_score": score, "kept": kept}


def train_stage(model: MultiHeadClassifier, run: StageRun) -> FitResult:
    """Train with early stopping on dev, resuming from `run.paths.state` when it exists."""
    trainer = build_trainer(model, run)
    progress, resumed = resume(trainer)
    opt = run.optim
    while progress.epoch < opt.epochs and progress.bad_epochs < opt.patience:
        epoch, started = progress.epoch + 1, time.time()
        train_loss = train_epoch(trainer, progress, epoch, resumed)
        resumed = None
        close_epoch(trainer, progress, epoch, train_loss, started)
    if opt.average_best_and_last and progress.epoch != progress.best_epoch and progress.averaged is None:
        progress.averaged = average_best_and_last(trainer, progress)
    progress.write_history(run.paths.history)
    return FitResult(MultiHeadClassifier.load(run.paths.best), progress)
