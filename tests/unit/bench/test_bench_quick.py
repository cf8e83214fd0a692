"""`python -m bench --quick` end to end, as CI runs it: no training output, tiny stand-in bundle.

Checks what the harness writes and that the measured paths behaved (every HTTP request and
every bulk item answered, cold start without torch), never how fast anything was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.readme_table import render

REPO_ROOT = Path(__file__).resolve().parents[3]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("bench")
    # A training config whose outputs do not exist: the torch/ONNX rows must be skipped, and the
    # missing bundle replaced by the tiny one, whatever this machine's training/output holds.
    config = tmp / "config.yaml"
    config.write_text(
        "name: benchtest\n"
        f"output_dir: {tmp / 'training-output'}\n"
        f"report_dir: {tmp / 'reports'}\n"
        "data: {kind: goemotions, path: ../shared/data/goemotions}\n"
        "teacher:\n  model: {base: sentence-transformers/all-mpnet-base-v2, max_length: 64}\n"
        "student:\n  model: {base: sentence-transformers/all-MiniLM-L6-v2, max_length: 128}\n"
        f"release: {{name: benchtest, version: 0.0.0, bundle_dir: {tmp / 'no-bundle'}}}\n")
    out = tmp / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--config", str(config), "--stamp", "t",
         "--threads", "1", "--accuracy-threads", "1", "--http-workers", "1"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| configuration |" in proc.stdout
    return out, json.loads((out / "t.json").read_text())


def test_writes_json_markdown_and_plots(quick_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = quick_run
    assert results["mode"] == "quick"
    assert results["plots"] == ["t-models.png", "t-tradeoff.png", "t-serving.png"]
    for name in results["plots"]:
        assert (out / name).read_bytes().startswith(PNG_MAGIC)
    report = (out / "t.md").read_text()
    assert "Quick mode" in report and "## Targets (issue 5)" in report
    for name in results["plots"]:
        assert f"]({name})" in report


def test_machine_and_settings_are_recorded(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    machine = results["machine"]
    for key in ("cpu_model", "cores", "python", "training_running", "load_average_1m_at_end"):
        assert key in machine
    assert {"onnxruntime", "torch"} <= set(machine["versions"])
    assert results["settings"]["threads"] == 1
    assert results["settings"]["bundle_source"].startswith("tiny stand-in bundle")
    assert results["units"]["*_ms"] == "milliseconds"


def test_missing_artifacts_are_skipped_with_a_reason(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    rows = results["models"]["rows"]
    assert list(rows) == ["teacher_torch_fp32", "student_torch_fp32", "student_onnx_fp32", "bundle_int8"]
    for key in ("teacher_torch_fp32", "student_torch_fp32", "student_onnx_fp32"):
        assert rows[key]["status"] == "skipped"
        assert rows[key]["reason"]
    bundle = rows["bundle_int8"]
    assert bundle["status"] == "measured"
    assert bundle["latency_b1"]["n"] >= 1 and bundle["latency_b1"]["p50_ms"] > 0
    assert set(bundle["throughput"]) == {"32", "64"}
    assert bundle["throughput"]["32"]["texts"] >= 32
    assert bundle["peak_rss_mb"] > 0 and bundle["size_mb"] > 0 and bundle["load_s"] >= 0
    accuracy = bundle["accuracy"]
    assert accuracy["eval_texts"] == results["data"]["test_texts"]
    for head in ("fine", "ekman", "sentiment"):
        assert 0.0 <= accuracy[f"macro_f1_{head}"] <= 1.0


def test_serving_bulk_and_cost_sections(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    serving = results["serving"]
    assert serving["footprint"]["total_mb"] > serving["footprint"]["bundle_mb"] > 0
    cold = serving["cold_start"]
    assert cold["status"] == "measured" and cold["status_codes"] == [200]
    assert cold["heavy_modules_loaded"] == []  # runtime dependencies only: no torch, no transformers
    http = serving["http"]
    assert http["status"] == "measured"
    assert [level["concurrency"] for level in http["levels"]] == [1, 4]
    for level in http["levels"]:
        assert level["requests"] >= 1 and level["errors"] == 0 and level["p99_ms"] is not None
    bulk = results["bulk"]
    assert bulk["status"] == "measured"
    for row in bulk["rows"]:
        assert row["status"] == "done" and row["processed"] == row["items"] and row["failed"] == 0
    assert results["cost"]["api"]["usd_per_million_texts"] > 0
    assert [c["chunk_size"] for c in results["cost"]["bulk"]] == [row["chunk_size"] for row in bulk["rows"]]
    assert {t["met"] for t in results["targets"]} <= {True, False, None}
    assert len(results["targets"]) == 8


def test_readme_table_renders_every_row(quick_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = quick_run
    table = render(results, out / "t.json")
    assert "| configuration |" in table and "| HTTP concurrency |" in table and "| bulk chunk size |" in table
    for name in ("teacher PyTorch fp32", "student ONNX fp32", "int8 bundle (emotion_core)"):
        assert name in table
    assert "t-models.png" in table
