"""Serving section: footprint, Lambda-like cold starts of the API handler, HTTP load test."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, Bound, child_env, percentiles_ms
from bench.footprint import blocked_modules, closure, footprint, project_requirements
from bench.loadtest import load_test

EVENT = REPO_ROOT / "events" / "api" / "predict-emotion.json"


def cold_starts(bundle_dir: Path, workdir: Path, runs: int, warm_texts: list[str], warm_seconds: float,
                threads: int, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    spec_path = workdir / "coldstart.spec.json"
    blocked = blocked_modules(closure(project_requirements()))
    spec_path.write_text(json.dumps({"blocked_modules": blocked, "event": str(EVENT), "warm_texts": warm_texts,
                                     "warm_seconds": warm_seconds}))
    env = child_env(threads, MODEL_DIR=str(bundle_dir), ORT_THREADS=str(threads), **(extra_env or {}))
    results = []
    for run in range(runs):
        out = workdir / f"coldstart.{run}.json"
        out.unlink(missing_ok=True)
        with (workdir / f"coldstart.{run}.log").open("wb") as log:
            spawned = time.time()
            proc = subprocess.run([sys.executable, "-m", "bench.coldstart_child", str(spec_path), str(out),
                                   repr(spawned)], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=180, check=False)
            exited = time.time()
        if proc.returncode != 0 or not out.is_file():
            return {"status": "failed", "reason": f"run {run} exited {proc.returncode}; see {log.name}"}
        result = json.loads(out.read_text())
        result["process_exit_s"] = round(exited - spawned, 4)
        results.append(result)
    first = [r["first_response_s"] for r in results]
    warm = [s for r in results for s in r.pop("warm_event_s")]
    return {
        "status": "measured",
        "what": ("fresh `python` process, imports limited to the runtime dependency closure, imports "
                 "functions.api.handler (model load included) and answers events/api/predict-emotion.json"),
        "runs": runs,
        "median_s": round(statistics.median(first), 4),
        "min_s": round(min(first), 4),
        "max_s": round(max(first), 4),
        "median_import_handler_s": round(statistics.median(r["import_handler_s"] for r in results), 4),
        "median_interpreter_start_s": round(statistics.median(r["interpreter_start_s"] for r in results), 4),
        "median_first_event_ms": round(statistics.median(r["first_event_ms"] for r in results), 2),
        "median_max_rss_mb": round(statistics.median(r["max_rss_mb"] for r in results), 1),
        "status_codes": sorted({r["status_code"] for r in results}),
        "heavy_modules_loaded": sorted({m for r in results for m in r["heavy_modules_loaded"]}),
        "refused_imports": sorted({m for r in results for m in r["refused_imports"]}),
        "blocked_modules": len(blocked),
        "warm_handler": percentiles_ms(warm),
        "warm_handler_s": warm,
        "runs_detail": results,
    }


def serving_section(bundle_dir: Path, workdir: Path, texts: list[str], *, quick: bool, threads: int,
                    http_workers: int, levels: list[int], http_bound: Bound, coldstart_runs: int,
                    warm_events: int, warm_seconds: float) -> dict[str, Any]:
    section: dict[str, Any] = {"footprint": footprint(bundle_dir)}
    section["cold_start"] = cold_starts(bundle_dir, workdir, coldstart_runs, texts[:warm_events], warm_seconds,
                                        threads)
    try:
        section["http"] = load_test(bundle_dir, texts, levels, http_bound, workers=http_workers, threads=threads,
                                    log=workdir / "uvicorn.log")
        section["http"]["status"] = "measured"
    except RuntimeError as exc:
        section["http"] = {"status": "failed", "reason": str(exc)}
    section["seed_http"] = {"source": "seed 002_8c7c099e6a8e71e2.txt (Locust, 1,978 requests, Azure deployment)",
                            "rps": 44.7, "mean_ms": 117.0, "p50_ms": 90.0, "p99_ms": 270.0,
                            "errors": 1, "requests": 1978}
    return section
