from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from emotion_speech.models import PACKAGED_MODELS, ModelError, ResolvedModel, _sha256, resolve_model


def test_the_cached_tiny_en_matches_its_recorded_digests(tiny_en: ResolvedModel) -> None:
    assert tiny_en.name == "tiny.en" and not tiny_en.multilingual
    for name, digest in PACKAGED_MODELS["tiny.en"].sha256.items():
        assert _sha256(tiny_en.path / name) == digest


def test_a_model_folder_is_used_in_place(tiny_en: ResolvedModel, tmp_path: Path) -> None:
    folder = tmp_path / "my-whisper"
    shutil.copytree(tiny_en.path, folder)
    resolved = resolve_model(str(folder))
    assert resolved.path == folder and resolved.multilingual is False


def test_a_multilingual_folder_is_recognised_by_its_vocabulary(tiny_en: ResolvedModel, tmp_path: Path) -> None:
    folder = tmp_path / "multilingual"
    shutil.copytree(tiny_en.path, folder)
    vocabulary = (folder / "vocabulary.txt").read_text(encoding="utf-8")
    (folder / "vocabulary.txt").write_text(vocabulary + "<|extra-language|>\n", encoding="utf-8")
    assert resolve_model(str(folder)).multilingual is True


def test_a_folder_without_the_model_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="holds no CTranslate2 Whisper model"):
        resolve_model(str(tmp_path))


def test_an_unknown_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"neither a known name \(base, tiny.en\)"):
        resolve_model("large-v3", cache_dir=tmp_path)


def test_a_cached_folder_without_the_verification_stamp_is_fetched_again(tiny_en: ResolvedModel,
                                                                        tmp_path: Path) -> None:
    # A folder left by an interrupted copy must not be trusted: the resolver fetches and verifies anew.
    partial = tmp_path / "tiny.en"
    partial.mkdir()
    (partial / "model.bin").write_bytes(b"not a model")
    resolved = resolve_model("tiny.en", cache_dir=tmp_path)
    assert _sha256(resolved.path / "model.bin") == PACKAGED_MODELS["tiny.en"].sha256["model.bin"]
