"""The container entry point against SageMaker-like folders in a temp dir (SAGEMAKER_ROOT)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.sagemaker.entrypoint import SageMakerPaths, build_job_argv, run

REPO_ROOT = Path(__file__).resolve().parents[3]
GOEMOTIONS = REPO_ROOT.parent / "shared" / "data" / "goemotions"
SMOKE_CONFIG = REPO_ROOT / "training" / "configs" / "smoke.yaml"


def sagemaker_root(root: Path, hyperparameters: dict[str, str], config_text: str | None = None) -> Path:
    (root / "input" / "config").mkdir(parents=True)
    (root / "input" / "config" / "hyperparameters.json").write_text(json.dumps(hyperparameters))
    if config_text is not None:
        (root / "input" / "data" / "config").mkdir(parents=True)
        (root / "input" / "data" / "config" / "job.yaml").write_text(config_text)
    return root


def sets(argv: list[str]) -> dict[str, object]:
    pairs = [argv[i + 1].partition("=") for i, arg in enumerate(argv) if arg == "--set"]
    return {key: json.loads(value) for key, _, value in pairs}


def test_channels_and_sagemaker_dirs_become_config_overrides(tmp_path: Path) -> None:
    config = "name: t\ndata: {path: ../shared/data/goemotions, transfer_paths: [../shared/data/carer/train.txt]}\n"
    root = sagemaker_root(tmp_path, {"config": "job.yaml", "stages": '"teacher,student"',
                                     "student.optim.epochs": "2", "output_dir": "ignored"}, config)
    for channel in ("train", "transfer"):
        (root / "input" / "data" / channel).mkdir()

    argv = build_job_argv(SageMakerPaths.from_env({"SAGEMAKER_ROOT": str(root)}), json.loads(
        (root / "input" / "config" / "hyperparameters.json").read_text()))

    assert argv[:4] == ["--config", str(root / "input" / "data" / "config" / "job.yaml"),
                        "--stages", "teacher,student"]
    assert sets(argv) == {
        "student.optim.epochs": 2,
        # The container's folders win over a hyperparameter that names a local path.
        "output_dir": str(root / "checkpoints"),
        "data.cache_dir": str(root / "checkpoints" / "cache"),
        "report_dir": str(root / "output" / "data" / "reports"),
        "release.bundle_dir": str(root / "model"),
        "data.path": str(root / "input" / "data" / "train"),
        "data.transfer_paths": [str(root / "input" / "data" / "transfer" / "train.txt")],
    }


def test_sm_variables_win_over_the_folder_layout(tmp_path: Path) -> None:
    paths = SageMakerPaths.from_env({"SAGEMAKER_ROOT": str(tmp_path), "SM_CHANNEL_TRAIN": "/data/train",
                                     "SM_MODEL_DIR": "/m", "SM_OUTPUT_DATA_DIR": "/o"})
    assert paths.channel("train") == Path("/data/train")
    assert (paths.model_dir, paths.output_data_dir) == (Path("/m"), Path("/o"))


@pytest.mark.parametrize(("hyperparameters", "reason"), [
    ({}, "EntrypointError: hyperparameter 'config' is missing"),
    ({"config": "nope.yaml"}, "EntrypointError: config 'nope.yaml' not found in channel 'config'"),
    ({"config": "job.yaml", "student.optim.bogus": "1"}, "ValueError: OptimConfig: unknown keys ['bogus']"),
])
def test_failure_reason_is_written_for_sagemaker(tmp_path: Path, hyperparameters: dict[str, str], reason: str) -> None:
    root = sagemaker_root(tmp_path, hyperparameters, "name: t\n")

    code = run(SageMakerPaths.from_env({"SAGEMAKER_ROOT": str(root)}), [])

    assert code == 1
    assert (root / "output" / "failure").read_text().startswith(reason)


@pytest.mark.skipif(not GOEMOTIONS.is_dir(), reason=f"GoEmotions not found at {GOEMOTIONS} (../shared/data)")
def test_smoke_job_in_a_sagemaker_layout_leaves_the_bundle_in_the_model_dir(tmp_path: Path) -> None:
    from emotion_core import Classifier

    root = sagemaker_root(tmp_path / "ml", {"config": "job.yaml", "threads": "1"}, SMOKE_CONFIG.read_text())
    # The channel is a copy in SageMaker; a link is enough here (the job only reads it).
    (root / "input" / "data" / "train").symlink_to(GOEMOTIONS, target_is_directory=True)
    env = {**os.environ, "SAGEMAKER_ROOT": str(root)}

    done = subprocess.run([sys.executable, "-m", "infra.sagemaker.entrypoint", "train"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr[-4000:]
    assert not (root / "output" / "failure").exists()
    assert {"model.json", "model.onnx", "tokenizer.json"} <= {p.name for p in (root / "model").iterdir()}
    assert (root / "output" / "data" / "job.log").is_file()
    assert any((root / "output" / "data" / "reports").glob("*.md"))
    prediction = Classifier.load(root / "model", threads=1).predict_one("thank you so much, this is wonderful")
    assert prediction.emotion in {"anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"}
