"""The Makefile's installs: CPU torch on Linux x86 (PyTorch's CPU index, else a clear fallback), and
`make serve` / `make bulk-demo` free of torch, transformers and the SAM CLI.

The make targets really run, with pip in --dry-run mode (PIP_INSTALL) against this virtualenv and
their stamp files in a temporary folder (VENV), so nothing is installed or re-pointed."""

from __future__ import annotations

import http.server
import platform
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from functools import partial
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers.net import free_port
from tests.integration.template.image import REPO_ROOT

PYTHON = str(Path(sys.prefix) / "bin" / "python")
# (cfn-lint is allowed: moto's server extra requires it for its CloudFormation backend.)
NEVER_FOR_SERVE_OR_DEMO = {"torch", "transformers", "aws-sam-cli", "aws-sam-translator", "checkov"}


def make(target: str, tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    # PY points at this virtualenv, so make never creates one; stamps land in tmp_path.
    settings = {"VENV": str(tmp_path), "PY": PYTHON, "PIP_INSTALL": f"{PYTHON} -m pip install --dry-run", **variables}
    return subprocess.run(["make", "--no-print-directory", *(f"{k}={v}" for k, v in settings.items()),
                           f"{tmp_path}/{target}"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def torch_pin() -> str:
    train = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["train"]
    (pin,) = [dep for dep in train if dep.startswith("torch")]
    assert re.fullmatch(r"torch==[\d.]+", pin), "torch must stay pinned exactly"
    return pin


linux_x86 = pytest.mark.skipif(platform.system() != "Linux" or platform.machine() != "x86_64",
                               reason="the CPU index route is taken on Linux x86_64 only")


@linux_x86
def test_torch_falls_back_to_the_plain_pin_when_the_cpu_index_is_unreachable(tmp_path: Path) -> None:
    run = make(".stamp-torch", tmp_path, TORCH_CPU_INDEX=f"http://127.0.0.1:{free_port()}/whl/cpu")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "CPU index" in run.stderr and "unreachable" in run.stderr and f"plain {torch_pin()}" in run.stderr
    assert f"Requirement already satisfied: {torch_pin()}" in run.stdout  # the venv's torch, no download
    assert (tmp_path / ".stamp-torch").is_file()


@pytest.fixture()
def cpu_index(tmp_path: Path) -> Iterator[str]:
    """A PEP 503 index on 127.0.0.1 with a torch project page (what the Makefile probes)."""
    (tmp_path / "index" / "torch").mkdir(parents=True)
    (tmp_path / "index" / "torch" / "index.html").write_text("<html><body></body></html>")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "index"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@linux_x86
def test_torch_comes_from_the_cpu_index_when_it_answers(cpu_index: str, tmp_path: Path) -> None:
    stamps = tmp_path / "venv"
    stamps.mkdir()
    run = make(".stamp-torch", stamps, TORCH_CPU_INDEX=cpu_index)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"installing the CPU build of {torch_pin()} from {cpu_index}" in run.stdout
    assert f"Looking in indexes: {cpu_index}" in run.stdout  # pip was given the CPU index
    assert f"Requirement already satisfied: {torch_pin()}" in run.stdout


def test_serve_and_bulk_demo_install_their_extras_only(tmp_path: Path) -> None:
    serve = subprocess.run(["make", "-n", f"VENV={tmp_path}", f"PY={PYTHON}", "serve"], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=60, check=False)
    assert re.search(r"pip install -c constraints\.txt -e \.$", serve.stdout, re.M), serve.stdout
    demo = subprocess.run(["make", "-n", f"VENV={tmp_path}", f"PY={PYTHON}", "bulk-demo", "INPUT=a", "OUTPUT=b"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert "-e '.[demo]'" in demo.stdout and "stamp-torch" not in demo.stdout and "checkov" not in demo.stdout


def closure(requirements: list[str], extras: set[str]) -> set[str]:
    """Every distribution these requirements pull in, from the installed packages' metadata."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements if not Requirement(r).marker
            or any(Requirement(r).marker.evaluate({"extra": e}) for e in extras | {""})]  # type: ignore[union-attr]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if f"{name}{sorted(requirement.extras)}" in seen:
            continue
        seen.add(f"{name}{sorted(requirement.extras)}")
        for line in metadata.distribution(requirement.name).requires or []:
            dependency = Requirement(line)
            wanted = requirement.extras | {""}
            if dependency.marker is None or any(dependency.marker.evaluate({"extra": e}) for e in wanted):
                todo.append(dependency)
    return {entry.split("[")[0] for entry in seen}


def test_what_serve_and_bulk_demo_need_has_no_torch_transformers_or_sam() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    runtime = closure(project["dependencies"], set())
    demo = closure(project["dependencies"] + project["optional-dependencies"]["demo"], set())
    assert {"onnxruntime", "fastapi", "boto3"} <= runtime and {"moto", "flask"} <= demo
    for needed in (runtime, demo):
        assert not needed & NEVER_FOR_SERVE_OR_DEMO, needed & NEVER_FOR_SERVE_OR_DEMO
        assert not {name for name in needed if name.startswith("nvidia")}
