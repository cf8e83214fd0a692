"""Configuration: environment variables, defaults, and refusal of bad values at start-up."""

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from emotion_core import Settings
from emotion_core.settings import DEFAULT_MODEL_DIR, cpu_quota, default_threads

REPO_ROOT = Path(__file__).resolve().parents[3]


SETTINGS_VARIABLES = ("MODEL_DIR", "ORT_THREADS", "API_KEYS", "LOG_TEXTS", "REACTIONS_FILE")


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    settings = Settings()
    assert settings.model_dir == REPO_ROOT / "layers" / "model" == DEFAULT_MODEL_DIR
    assert settings.ort_threads >= 1
    assert settings.api_keys == []
    assert settings.log_texts is False
    assert settings.reactions_file is None


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("ORT_THREADS", "3")
    monkeypatch.setenv("MAX_BATCH_TEXTS", "10")
    monkeypatch.setenv("API_KEYS", " key-one, key-two ,,")
    settings = Settings()
    assert settings.model_dir == tmp_path
    assert settings.ort_threads == 3
    assert settings.max_batch_texts == 10
    assert settings.api_keys == ["key-one", "key-two"]


@pytest.mark.parametrize(("variable", "value"), [
    ("ORT_THREADS", "0"), ("INFERENCE_BATCH_SIZE", "-1"), ("MAX_TEXT_CHARS", "lots"),
    ("WINDOW_STRIDE", "-2"), ("REACTIONS_FILE", "/no/such/reactions.json"),
])
def test_bad_values_fail_on_construction_naming_the_field(monkeypatch: pytest.MonkeyPatch,
                                                          variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.lower()):
        Settings()


def test_cgroup_v2_quota_is_rounded_up(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert cpu_quota(tmp_path) == 2


def test_unlimited_cgroup_has_no_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cpu_quota(tmp_path) is None


def test_cgroup_v1_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cpu_quota(tmp_path) == 1


def test_lambda_without_a_quota_defaults_to_one_thread(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "emotion-api")
    assert default_threads(tmp_path) == 1


def test_quota_wins_over_cpu_count(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    (tmp_path / "cpu.max").write_text("100000 100000\n")
    assert default_threads(tmp_path) == 1
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert default_threads(tmp_path) == (os.cpu_count() or 1)
