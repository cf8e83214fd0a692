"""Writing a model bundle (docs/bundle-format.md): the format's one writer, checked by its one reader.

The training job's release stage calls `write_bundle`; nothing else writes `model.json`.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .bundle import FORMAT_VERSION, Bundle, read_bundle, sha256_of

MODEL_FILE, TOKENIZER_FILE, METADATA_FILE = "model.onnx", "tokenizer.json", "model.json"
MODEL_CARD_FILE = "README.md"
# How texts are normalised before tokenization (emotion_core.normalize: emojis and emoticons as
# words); recorded so a bundle says which normalisation its model was trained with.
TEXT_NORMALIZATION = "emoji-words-1"
# Keys the writer owns: a caller's metadata must not set them.
WRITER_KEYS = ("format_version", "files")


def write_bundle(directory: Path, *, model_path: Path, tokenizer_path: Path, metadata: Mapping[str, Any],
                 model_card: str) -> Bundle:
    """Write a bundle into `directory` and return it as `read_bundle` reads it.

    Copies the ONNX graph and the tokenizer in, records their sha256 and sizes under `files`,
    writes `model.json` (this code's `format_version` first, then `metadata`) and the model card.
    The bundle is assembled and verified beside `directory` first, so one the reader rejects
    never replaces the bundle in place; ValueError or BundleError names what is wrong.
    """
    directory = Path(directory)
    owned = sorted(set(metadata) & set(WRITER_KEYS))
    if owned:
        raise ValueError(f"metadata must not set {owned}: write_bundle computes them")
    _check_primary(metadata)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-staging-", dir=directory.parent))
    try:
        _assemble(staging, Path(model_path), Path(tokenizer_path), metadata, model_card)
        read_bundle(staging)
        _install(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_bundle(directory)


def _check_primary(metadata: Mapping[str, Any]) -> None:
    """`primary` names the head the seed-compatible `emotion` field comes from."""
    if "primary" not in metadata:
        return
    heads = metadata.get("heads")
    if not isinstance(heads, Mapping) or metadata["primary"] not in heads:
        names = sorted(heads) if isinstance(heads, Mapping) else []
        raise ValueError(f"metadata.primary {metadata['primary']!r} is not one of the heads {names}")


def _assemble(staging: Path, model_path: Path, tokenizer_path: Path, metadata: Mapping[str, Any],
              model_card: str) -> None:
    sources = {MODEL_FILE: model_path, TOKENIZER_FILE: tokenizer_path}
    for name, source in sources.items():
        if not source.is_file():
            raise ValueError(f"{source}: no such file to write into the bundle as {name}")
        shutil.copyfile(source, staging / name)
    files = {name: {"sha256": sha256_of(staging / name), "bytes": (staging / name).stat().st_size}
             for name in sources}
    document = {"format_version": FORMAT_VERSION, **metadata, "files": files}
    (staging / METADATA_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    (staging / MODEL_CARD_FILE).write_text(model_card, encoding="utf-8")


def _install(staging: Path, directory: Path) -> None:
    # Same file system, so each move is atomic; model.json goes last, so until then a reader
    # sees the previous model.json, whose checksums reject a half-replaced bundle.
    directory.mkdir(parents=True, exist_ok=True)
    for name in (MODEL_FILE, TOKENIZER_FILE, MODEL_CARD_FILE, METADATA_FILE):
        os.replace(staging / name, directory / name)
