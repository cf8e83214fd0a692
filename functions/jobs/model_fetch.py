"""Custom model bundles fetched from S3 at cold start: `s3://bucket/prefix/<folder>/model.json, ...`.

Every bundle's model.json is pinned by its sha256 in the settings (`folder=hex`); model.json in turn
holds the sha256 of the graph and the tokenizer, which `Classifier.load` checks, so a pinned
model.json pins the whole bundle. A folder without a pin, or whose model.json differs from its pin,
is refused before anything is loaded.
"""

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from emotion_core.errors import ConfigError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# The files of the bundle format (docs/bundle-format.md); anything else under the prefix is ignored.
BUNDLE_FILES = ("model.json", "model.onnx", "tokenizer.json", "README.md")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or not uri[5:].split("/", 1)[0]:
        raise ConfigError(f"MODELS_S3_URI must look like s3://bucket/prefix/, got {uri!r}")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.rstrip("/") + "/" if prefix else ""


def parse_pins(items: list[str]) -> dict[str, str]:
    pins = {}
    for item in items:
        folder, sep, digest = item.partition("=")
        if not sep or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ConfigError(f"MODELS_S3_SHA256 entries must be folder=<sha256 of its model.json in hex>, "
                              f"got {item[:80]!r}")
        pins[folder] = digest
    return pins


def _keys(s3: "S3Client", bucket: str, prefix: str) -> dict[str, list[str]]:
    """Bundle folder -> the bundle-format file names found under it."""
    found: dict[str, list[str]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            folder, _, name = entry["Key"][len(prefix):].partition("/")
            if folder and name in BUNDLE_FILES:
                found.setdefault(folder, []).append(name)
    return found


def fetch_bundles(s3: "S3Client", uri: str, pins: list[str], target: Path) -> Path:
    """Download every bundle under `uri` into `target/<folder>/`, checking model.json against its pin."""
    bucket, prefix = parse_s3_uri(uri)
    pinned = parse_pins(pins)
    folders = _keys(s3, bucket, prefix)
    unpinned = sorted(set(folders) - set(pinned))
    if unpinned:
        raise ConfigError(f"MODELS_S3_URI: bundles {unpinned} have no MODELS_S3_SHA256 pin; refusing to load them")
    absent = sorted(set(pinned) - set(folders))
    if absent:
        raise ConfigError(f"MODELS_S3_SHA256 pins bundles {absent} that are not under {uri}")
    for folder, names in sorted(folders.items()):
        local = target / folder
        local.mkdir(parents=True, exist_ok=True)
        for name in names:
            s3.download_file(bucket, f"{prefix}{folder}/{name}", str(local / name))
        digest = hashlib.sha256((local / "model.json").read_bytes()).hexdigest() if "model.json" in names else ""
        if digest != pinned[folder]:
            raise ConfigError(f"MODELS_S3_URI: {folder}/model.json has sha256 {digest or 'none (missing)'}, "
                              f"MODELS_S3_SHA256 pins {pinned[folder]}")
    return target
