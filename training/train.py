"""Training loop shared by the teacher and the distilled student.

GPU-targeted (CUDA, bf16/fp16 autocast) but honest on CPU: bf16 autocast where the CPU has
native bf16, length-bucketed batches so short Reddit comments don't pay for long ones, a
checkpoint every epoch, and resume from the last one after an interruption.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from emotion_core.normalize import normalize_text
from training.config import DistillConfig, StageConfig
from training.data import Head, Split
from training.metrics import multilabel_report, sigmoid, single_label_report, softmax, tune_thresholds
from training.model import MultiHeadClassifier

log = logging.getLogger("training")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if _cpu_has_bf16() else None


def encode(tokenizer: Any, texts: list[str], max_length: int) -> list[list[int]]:
    # The serving normalisation (emojis as words), so the model trains on what it will read.
    normalized = [normalize_text(text) for text in texts]
    return tokenizer(normalized, truncation=True, max_length=max_length, add_special_tokens=True)["input_ids"]


def bucketed_batches(lengths: list[int], batch_size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Batches of similar length: shuffle, sort within pools of 50 batches, shuffle the batches."""
    order = np.arange(len(lengths)) if rng is None else rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if rng is not None:
        rng.shuffle(batches)  # type: ignore[arg-type]
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


@torch.no_grad()
def predict_logits(
    model: MultiHeadClassifier, encoded: list[list[int]], pad_id: int, batch_size: int = 128, precision: str = "auto"
) -> dict[str, np.ndarray]:
    device = next(model.parameters()).device
    dtype = autocast_dtype(precision, device)
    model.eval()
    out = {name: np.zeros((len(encoded), model.heads[name].out_features), np.float32) for name in model.head_names}
    for index in bucketed_batches([len(e) for e in encoded], batch_size, None):
        ids, mask = collate(encoded, index, pad_id)
        ctx = torch.autocast(device.type, dtype=dtype) if dtype else nullcontext()
        with ctx:
            logits = model(ids.to(device), mask.to(device))
        for name, value in logits.items():
            out[name][index] = value.float().cpu().numpy()
    return out


def scores(logits: np.ndarray, head: Head) -> np.ndarray:
    return softmax(logits) if head.kind == "single" else sigmoid(logits)


def evaluate(
    logits: dict[str, np.ndarray], split: Split, heads: dict[str, Head], thresholds: dict[str, np.ndarray] | None
) -> dict[str, Any]:
    """Reports per head; multi-label heads at 0.5 and at the given (dev-tuned) thresholds."""
    report: dict[str, Any] = {}
    for name, head in heads.items():
        probs = scores(logits[name], head)
        gold = split.targets[name]
        if head.kind == "single":
            report[name] = single_label_report(gold, probs, head.labels)
            continue
        tuned = thresholds[name] if thresholds else tune_thresholds(gold, probs)
        entry = multilabel_report(gold, probs, tuned, head.labels)
        entry["at_0.5"] = {
            k: v for k, v in multilabel_report(gold, probs, 0.5, head.labels).items() if k != "per_label_f1"
        }
        report[name] = entry
    return report


def selection_score(report: dict[str, Any]) -> float:
    """Mean over heads of macro-F1 (multi-label, tuned) or accuracy (single-label)."""
    values = [r.get("accuracy", r["macro_f1"]) for r in report.values()]
    return float(np.mean(values))


def tuned_thresholds(logits: dict[str, np.ndarray], split: Split, heads: dict[str, Head]) -> dict[str, np.ndarray]:
    return {
        name: (
            np.zeros(len(h.labels))
            if h.kind == "single"
            else tune_thresholds(split.targets[name], sigmoid(logits[name]))
        )
        for name, h in heads.items()
    }


@dataclass
class TrainSet:
    """What one training stage consumes: tokenized texts, gold targets, and optional soft targets."""

    encoded: list[list[int]]
    gold: dict[str, np.ndarray]
    has_gold: np.ndarray  # bool [n]; transfer texts carry teacher targets only
    soft: dict[str, np.ndarray] | None = None  # teacher logits per head


def positive_weights(train: TrainSet, heads: dict[str, Head], power: float, cap: float) -> dict[str, torch.Tensor]:
    weights = {}
    for name, head in heads.items():
        if head.kind == "single" or power <= 0:
            continue
        gold = train.gold[name][train.has_gold]
        positives = gold.sum(axis=0).clip(min=1.0)
        ratio = (len(gold) - positives) / positives
        weights[name] = torch.from_numpy(np.minimum(ratio**power, cap).astype(np.float32))
    return weights


def _loss(
    logits: dict[str, torch.Tensor],
    gold: dict[str, torch.Tensor],
    has_gold: torch.Tensor,
    soft: dict[str, torch.Tensor] | None,
    heads: dict[str, Head],
    distill: DistillConfig | None,
    pos_weight: dict[str, torch.Tensor] | None = None,
) -> torch.Tensor:
    total = torch.zeros((), device=has_gold.device)
    gold_weight = has_gold.float()
    n_gold = gold_weight.sum().clamp(min=1.0)
    alpha = distill.alpha if (distill and soft is not None) else 0.0
    for name, head in heads.items():
        z = logits[name].float()
        if head.kind == "single":
            gold_loss = F.cross_entropy(z, gold[name].argmax(dim=1), reduction="none")
        else:
            weight = pos_weight.get(name) if pos_weight else None
            gold_loss = F.binary_cross_entropy_with_logits(z, gold[name], reduction="none", pos_weight=weight)
            gold_loss = gold_loss.mean(dim=1)
        total = total + (1 - alpha) * (gold_loss * gold_weight).sum() / n_gold
        if soft is not None and distill is not None and alpha > 0:
            t = distill.temperature
            if head.kind == "single":
                kd = F.kl_div(F.log_softmax(z / t, dim=1), F.softmax(soft[name] / t, dim=1), reduction="batchmean")
            else:
                kd = F.binary_cross_entropy_with_logits(z / t, torch.sigmoid(soft[name] / t))
            total = total + alpha * (t * t) * kd
    return total


def _batches(train: TrainSet, batch_size: int, rng: np.random.Generator, limit: int | None) -> Iterator[np.ndarray]:
    batches = bucketed_batches([len(e) for e in train.encoded], batch_size, rng)
    yield from batches[:limit] if limit else batches


def train_stage(
    name: str,
    model: MultiHeadClassifier,
    train: TrainSet,
    dev_encoded: list[list[int]],
    dev: Split,
    heads: dict[str, Head],
    stage: StageConfig,
    out_dir: Path,
    pad_id: int,
    seed: int,
    distill: DistillConfig | None = None,
) -> tuple[MultiHeadClassifier, dict[str, Any]]:
    """Train with early stopping on dev; returns the best model and its training history.

    The folder holds `last/` (resumable state) and `best/` (the selected model).
    """
    opt = stage.optim
    device = pick_device()
    dtype = autocast_dtype(opt.precision, device)
    model.to(device)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]

    def no_decay(name: str) -> bool:
        return name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name

    body = [(n, p) for n, p in trainable if not n.startswith("heads.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for n, p in body if not no_decay(n)], "lr": opt.lr, "weight_decay": opt.weight_decay},
            {"params": [p for n, p in body if no_decay(n)], "lr": opt.lr, "weight_decay": 0.0},
            {"params": [p for n, p in trainable if n.startswith("heads.")], "lr": opt.head_lr, "weight_decay": 0.0},
        ]
    )
    steps_per_epoch = math.ceil(len(train.encoded) / opt.batch_size)
    if opt.max_steps_per_epoch:
        steps_per_epoch = min(steps_per_epoch, opt.max_steps_per_epoch)
    total_steps = steps_per_epoch * opt.epochs
    warmup = max(1, int(total_steps * opt.warmup_ratio))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 and device.type == "cuda" else None

    last_dir, best_dir = out_dir / "last", out_dir / "best"
    state: dict[str, Any] = {"epoch": 0, "best_score": -1.0, "best_epoch": 0, "history": [], "bad_epochs": 0}
    resume_step, resume_loss = 0, 0.0
    if (last_dir / "state.pt").is_file():
        saved = torch.load(last_dir / "state.pt", map_location=device, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        state = saved["progress"]
        mid = saved.get("mid_epoch")
        if mid:
            resume_step, resume_loss = int(mid["step"]), float(mid["running_loss"])
            torch.set_rng_state(mid["torch_rng"])
        log.info("%s: resumed after epoch %d step %d (best %.4f)", name, state["epoch"], resume_step,
                 state["best_score"])

    def checkpoint(mid_epoch: dict[str, Any] | None) -> None:
        last_dir.mkdir(parents=True, exist_ok=True)
        payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                   "scheduler": scheduler.state_dict(), "progress": state, "mid_epoch": mid_epoch}
        # Write then rename: a session cut off mid-save must not leave a torn checkpoint.
        torch.save(payload, last_dir / "state.pt.tmp")
        (last_dir / "state.pt.tmp").replace(last_dir / "state.pt")

    gold_t = {h: torch.from_numpy(v) for h, v in train.gold.items()}
    soft_t = {h: torch.from_numpy(v) for h, v in train.soft.items()} if train.soft else None
    has_gold_t = torch.from_numpy(train.has_gold)
    pos_weight = {
        h: w.to(device) for h, w in positive_weights(train, heads, opt.pos_weight_power, opt.pos_weight_max).items()
    }

    while state["epoch"] < opt.epochs and state["bad_epochs"] < opt.patience:
        epoch = state["epoch"] + 1
        rng = np.random.default_rng(seed + epoch)
        if not resume_step:
            torch.manual_seed(seed + epoch)
        model.train()
        started, running, steps = time.time(), resume_loss, resume_step
        last_save = time.time()
        for position, index in enumerate(_batches(train, opt.batch_size, rng, opt.max_steps_per_epoch)):
            if position < resume_step:
                continue  # done before the interruption; the batch order is fixed by the epoch's seed
            ids, mask = collate(train.encoded, index, pad_id)
            idx = torch.from_numpy(index)
            ctx = torch.autocast(device.type, dtype=dtype) if dtype else nullcontext()
            with ctx:
                logits = model(ids.to(device), mask.to(device))
            loss = _loss(
                logits,
                {h: v[idx].to(device) for h, v in gold_t.items()},
                has_gold_t[idx].to(device),
                {h: v[idx].to(device) for h, v in soft_t.items()} if soft_t else None,
                heads,
                distill,
                pos_weight,
            )
            optimizer.zero_grad(set_to_none=True)
            if scaler:
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
            else:
                loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), opt.grad_clip)
            if scaler:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            scheduler.step()
            running += loss.item()
            steps += 1
            if steps % 50 == 0:
                log.info(
                    "%s: epoch %d step %d/%d loss %.4f (%.2f s/step)",
                    name,
                    epoch,
                    steps,
                    steps_per_epoch,
                    running / steps,
                    (time.time() - started) / max(1, steps - resume_step),
                )
            if opt.checkpoint_minutes and time.time() - last_save > opt.checkpoint_minutes * 60:
                checkpoint({"step": steps, "running_loss": running, "torch_rng": torch.get_rng_state()})
                last_save = time.time()
                log.info("%s: checkpoint at epoch %d step %d", name, epoch, steps)
        resume_step, resume_loss = 0, 0.0
        dev_logits = predict_logits(model, dev_encoded, pad_id, precision=opt.precision)
        report = evaluate(dev_logits, dev, heads, thresholds=None)
        score = selection_score(report)
        entry = {
            "epoch": epoch,
            "train_loss": running / max(steps, 1),
            "dev_score": score,
            "dev": {
                h: {k: v for k, v in r.items() if k not in ("per_label_f1", "confusion")} for h, r in report.items()
            },
            "seconds": round(time.time() - started, 1),
        }
        state["history"].append(entry)
        log.info("%s: epoch %d done: %s", name, epoch, json.dumps(entry))
        if score > state["best_score"]:
            state.update(best_score=score, best_epoch=epoch, bad_epochs=0)
            model.save(best_dir, {"stage": name, "epoch": epoch, "dev_score": score})
        else:
            state["bad_epochs"] += 1
        state["epoch"] = epoch
        checkpoint(None)
    if opt.average_best_and_last and state["epoch"] != state["best_epoch"] and "averaged" not in state:
        state["averaged"] = average_best_and_last(
            model, best_dir, dev_encoded, dev, heads, pad_id, state, opt.precision
        )
    (out_dir / "history.json").write_text(json.dumps(state, indent=2))
    best = MultiHeadClassifier.load(best_dir)
    return best, state


def average_best_and_last(
    last: MultiHeadClassifier,
    best_dir: Path,
    dev_encoded: list[list[int]],
    dev: Split,
    heads: dict[str, Head],
    pad_id: int,
    state: dict[str, Any],
    precision: str,
) -> dict[str, Any]:
    """Weight averaging of two points of one run lands in a flatter region than either end;
    measured here it lifted every head's dev macro-F1. Kept only if dev says so."""
    best = MultiHeadClassifier.load(best_dir)
    last_weights = {k: v.detach().cpu() for k, v in last.state_dict().items()}
    averaged = {k: (v + last_weights[k]) / 2 if v.is_floating_point() else v for k, v in best.state_dict().items()}
    best.load_state_dict(averaged)
    report = evaluate(predict_logits(best, dev_encoded, pad_id, precision=precision), dev, heads, thresholds=None)
    score = selection_score(report)
    kept = score > state["best_score"]
    log.info(
        "average of epochs %d and %d: dev score %.4f (best single %.4f), %s",
        state["best_epoch"],
        state["epoch"],
        score,
        state["best_score"],
        "kept" if kept else "discarded",
    )
    if kept:
        best.save(best_dir, {"epochs_averaged": [state["best_epoch"], state["epoch"]], "dev_score": score})
        state["best_score"] = score
    return {"epochs": [state["best_epoch"], state["epoch"]], "dev_score": score, "kept": kept}
