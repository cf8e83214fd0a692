"""The training loop's resume contract: a run cut off mid-epoch and resumed from `last/state.pt`
ends with exactly the weights and history of a run that was never interrupted."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoTokenizer

import training.train
from training.checkpoint import RunPaths
from training.config import DataConfig, ModelConfig, OptimConfig
from training.data import Dataset, load_dataset
from training.encoding import encode
from training.objective import TrainSet
from training.stages.fit import fit_classifier
from training.tiny import build_tiny_base
from training.train import DevSet, FitResult, StageRun

MODEL = ModelConfig(base="tiny-bert:32x1", max_length=32, dropout=0.3)
STEPS_PER_EPOCH = 10


class Interrupted(Exception):
    """Stands for the process being killed right after a checkpoint was written."""


@pytest.fixture(scope="module")
def prepared(table_dataset: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, Path, Any]:
    config = DataConfig(kind="table", path=None, files=table_dataset,
                        label_columns={"fine": "fine", "ekman": "ekman", "sentiment": "sentiment"})
    dataset = load_dataset(config)
    base = build_tiny_base(tmp_path_factory.mktemp("base"), MODEL.base, dataset.splits["train"].texts, seed=1)
    return dataset, base, AutoTokenizer.from_pretrained(base)


def _fit(prepared: tuple[Dataset, Path, Any], folder: Path, checkpoint_minutes: float) -> FitResult:
    dataset, base, tokenizer = prepared
    train, dev = dataset.splits["train"], dataset.splits["dev"]
    optim = OptimConfig(epochs=2, batch_size=32, lr=2e-3, head_lr=5e-3, pos_weight_power=0.5,
                        average_best_and_last=True, checkpoint_minutes=checkpoint_minutes)
    run = StageRun(
        name="teacher",
        train=TrainSet(encode(tokenizer, train.texts, MODEL.max_length), train.targets,
                       torch.ones(len(train), dtype=torch.bool).numpy()),
        dev=DevSet(encode(tokenizer, dev.texts, MODEL.max_length), dev),
        heads=dataset.heads,
        optim=optim,
        paths=RunPaths(folder / "last" / "state.pt", folder / "best", folder / "history.json"),
        pad_id=tokenizer.pad_token_id,
        seed=5,
    )
    sizes = {name: len(head.labels) for name, head in dataset.heads.items()}
    return fit_classifier(str(base), sizes, MODEL, run)


@pytest.fixture(scope="module")
def uninterrupted(prepared: tuple[Dataset, Path, Any], tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    return _fit(prepared, tmp_path_factory.mktemp("whole"), checkpoint_minutes=0)


def _without_timings(result: FitResult) -> dict[str, Any]:
    record = copy.deepcopy(result.progress.to_dict())
    for entry in record["history"]:
        entry.pop("seconds")
    return record


@pytest.mark.parametrize("cut_after", [3, STEPS_PER_EPOCH + 1 + 4])  # epoch 1 step 3; epoch 2 step 4
def test_a_run_cut_mid_epoch_resumes_to_the_same_model(
    prepared: tuple[Dataset, Path, Any], uninterrupted: FitResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    cut_after: int,
) -> None:
    saved = 0
    real_save = training.train.save_checkpoint

    def save_then_die(*args: Any) -> None:
        nonlocal saved
        real_save(*args)
        saved += 1
        if saved == cut_after:
            raise Interrupted

    monkeypatch.setattr(training.train, "save_checkpoint", save_then_die)
    with pytest.raises(Interrupted):
        _fit(prepared, tmp_path / "cut", checkpoint_minutes=1e-9)  # a checkpoint after every step
    monkeypatch.undo()

    state = torch.load(tmp_path / "cut" / "last" / "state.pt", weights_only=False)
    # The checkpoint format the running jobs write and read.
    assert set(state) == {"model", "optimizer", "scheduler", "progress", "mid_epoch"}
    assert set(state["mid_epoch"]) == {"step", "running_loss", "torch_rng"}
    assert set(state["progress"]) == {"epoch", "best_score", "best_epoch", "history", "bad_epochs"}
    assert state["progress"]["epoch"] * (STEPS_PER_EPOCH + 1) + state["mid_epoch"]["step"] == cut_after

    resumed = _fit(prepared, tmp_path / "cut", checkpoint_minutes=1e-9)
    whole, again = uninterrupted.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(whole[name], again[name]) for name in whole)
    assert _without_timings(resumed) == _without_timings(uninterrupted)
    assert (tmp_path / "cut" / "history.json").is_file()
