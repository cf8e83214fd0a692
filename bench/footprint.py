"""What the Lambda image installs: the runtime dependency closure of pyproject's [project].dependencies."""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bench.common import MB, REPO_ROOT, folder_mb

ZIP_LIMIT_MB = 250  # Lambda: deployment package + layers, unzipped
IMAGE_LIMIT_MB = 10 * 1024  # Lambda: container image, uncompressed
# Shipped by Lambda's Python runtime (zip deployments); a container image installs them itself.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
FIRST_PARTY = {"emotion_core", "functions", "bench", "training", "tests", "layers"}


def project_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    return list(tomllib.loads(pyproject.read_text())["project"]["dependencies"])


def closure(requirements: list[str]) -> dict[str, metadata.Distribution]:
    """Installed distributions reachable from `requirements` (extras and markers honoured)."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(Requirement(r), "") for r in requirements]
    base_env = {k: str(v) for k, v in default_environment().items()}
    while pending:
        req, extra = pending.pop()
        if req.marker is not None and not req.marker.evaluate({**base_env, "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        extras = set(req.extras)
        if name in found and not extras:
            continue
        found[name] = dist
        for raw in dist.requires or []:
            child = Requirement(raw)
            if child.marker is None:
                pending.append((child, ""))
            else:
                for want in extras or {""}:
                    if child.marker.evaluate({**base_env, "extra": want}):
                        pending.append((child, want))
                        break
    return found


def dist_bytes(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or []:
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def blocked_modules(runtime: dict[str, metadata.Distribution]) -> list[str]:
    """Top-level modules installed here that no runtime distribution provides."""
    allowed = set(runtime)
    blocked = []
    for module, dists in metadata.packages_distributions().items():
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module.startswith("_"):
            continue
        if not any(canonicalize_name(d) in allowed for d in dists):
            blocked.append(module)
    return sorted(blocked)


def footprint(bundle_dir: Path) -> dict[str, Any]:
    runtime = closure(project_requirements())
    sizes = {name: round(dist_bytes(dist) / MB, 2) for name, dist in runtime.items()}
    packages_mb = round(sum(sizes.values()), 1)
    provided_mb = round(sum(v for k, v in sizes.items() if k in RUNTIME_PROVIDED), 1)
    code_mb = folder_mb(REPO_ROOT / "layers" / "emotion_core") + folder_mb(REPO_ROOT / "functions")
    bundle_mb = folder_mb(bundle_dir)
    total = round(packages_mb + bundle_mb + code_mb, 1)
    zip_total = round(total - provided_mb, 1)
    return {
        "distributions": len(runtime),
        "packages_mb": packages_mb,
        "largest_packages_mb": dict(sorted(sizes.items(), key=lambda kv: -kv[1])[:8]),
        "bundle_mb": bundle_mb,
        "code_mb": round(code_mb, 2),
        "total_mb": total,
        "runtime_provided_mb": provided_mb,
        "zip_total_mb": zip_total,
        "zip_limit_mb": ZIP_LIMIT_MB,
        "image_limit_mb": IMAGE_LIMIT_MB,
        "fits_zip_limit": total <= ZIP_LIMIT_MB,
        "fits_image_limit": total <= IMAGE_LIMIT_MB,
        "note": ("installed (unzipped) bytes of every file of the runtime closure, the bundle and the code; "
                 "zip_total_mb leaves out boto3/botocore & co, which Lambda's Python runtime already ships"),
    }
