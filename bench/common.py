"""Small shared pieces: bounded timing loops, percentiles, machine facts, subprocess JSON plumbing."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


@dataclass(frozen=True)
class Bound:
    """Every measurement loop stops at whichever comes first: `count` iterations or `seconds`."""

    count: int
    seconds: float


def timed_loop(step: Callable[[int], int], bound: Bound, *, min_count: int = 1) -> tuple[list[float], int]:
    """Run step(i) (returns how many texts it handled) under `bound`; per-call seconds and texts done."""
    durations: list[float] = []
    texts = 0
    started = time.perf_counter()
    for i in range(bound.count):
        if i >= min_count and time.perf_counter() - started >= bound.seconds:
            break
        t0 = time.perf_counter()
        texts += step(i)
        durations.append(time.perf_counter() - t0)
    return durations, texts


def percentiles_ms(seconds: list[float]) -> dict[str, float | int | None]:
    if not seconds:
        return {"n": 0, "mean_ms": None, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ms = np.asarray(seconds) * 1000.0
    return {
        "n": len(seconds),
        "mean_ms": round(float(ms.mean()), 3),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(float(ms.max()), 3),
    }


def folder_mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / MB, 2)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB, 2)


def version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def training_processes() -> list[str]:
    """Command lines of running training jobs (read from /proc; informational only)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        text = " ".join(a.decode(errors="replace") for a in args if a)
        if "training.job" in text and "bench" not in text:
            found.append(text[:200])
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    from emotion_core.settings import cpu_quota

    running = training_processes()
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "cgroup_cpu_quota": cpu_quota(),
        "memory_total_mb": memory_total_mb(),
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version_of(name) for name in
                     ("onnxruntime", "torch", "transformers", "tokenizers", "numpy", "fastapi", "uvicorn",
                      "mangum", "moto", "httpx")},
        "training_running": bool(running),
        "training_processes": running,
    }


def child_env(threads: int | None = None, **extra: str) -> dict[str, str]:
    """Environment of a measured child process: repo importable, thread pools pinned when asked."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")]),
           "POWERTOOLS_TRACE_DISABLED": "true", "TOKENIZERS_PARALLELISM": "false"}
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    env.pop("API_KEYS", None)
    if threads is not None:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "ORT_THREADS"):
            env[name] = str(threads)
    env.update(extra)
    return env


def run_child(module: str, spec: dict[str, Any], workdir: Path, *, timeout: float,
              threads: int | None = None) -> dict[str, Any]:
    """Run `python -m module SPEC OUT` in a fresh process and return the JSON it wrote to OUT."""
    workdir.mkdir(parents=True, exist_ok=True)
    name = spec.get("key", module.rsplit(".", 1)[-1])
    spec_path, out_path, log_path = (workdir / f"{name}.{suffix}" for suffix in ("spec.json", "out.json", "log"))
    spec_path.write_text(json.dumps(spec))
    out_path.unlink(missing_ok=True)
    with log_path.open("wb") as log:
        try:
            proc = subprocess.run([sys.executable, "-m", module, str(spec_path), str(out_path)], cwd=REPO_ROOT,
                                  env=child_env(threads), stdout=log, stderr=subprocess.STDOUT, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            return {"status": "failed", "reason": f"timed out after {timeout:.0f} s (log: {log_path})"}
    if proc.returncode != 0 or not out_path.is_file():
        tail = log_path.read_text(errors="replace")[-1500:]
        return {"status": "failed", "reason": f"exit code {proc.returncode}; log tail: {tail}"}
    result: dict[str, Any] = json.loads(out_path.read_text())
    return result


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_report(out: Path, stamp: str, results: Any, text: str) -> None:
    """`out/<stamp>.json` (every figure) and `out/<stamp>.md` (the table), and the table on stdout."""
    write_json(out / f"{stamp}.json", results)
    (out / f"{stamp}.md").write_text(text)
    sys.stdout.write(text + "\n")
