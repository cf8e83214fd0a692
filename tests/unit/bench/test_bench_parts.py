"""The harness's arithmetic: bounded loops, percentiles, Lambda cost, the runtime closure."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.common import Bound, percentiles_ms, timed_loop
from bench.cost import MEMORY_MB, PRICES, invocation_cost, per_million
from bench.footprint import blocked_modules, closure, project_requirements
from bench.window_cost import measure


def test_timed_loop_stops_at_the_count() -> None:
    calls: list[int] = []

    def step(i: int) -> int:
        calls.append(i)
        return 2

    durations, texts = timed_loop(step, Bound(count=3, seconds=3600))
    assert calls == [0, 1, 2] and len(durations) == 3 and texts == 6


def test_timed_loop_stops_at_the_time_after_the_minimum() -> None:
    calls: list[int] = []

    def step(i: int) -> int:
        calls.append(i)
        return 1

    timed_loop(step, Bound(count=1000, seconds=0), min_count=2)
    assert calls == [0, 1]


def test_percentiles_in_milliseconds() -> None:
    stats = percentiles_ms([0.001] * 99 + [0.101])
    assert stats["n"] == 100 and stats["p50_ms"] == 1.0 and stats["max_ms"] == 101.0
    assert percentiles_ms([])["p50_ms"] is None


def test_invocation_cost_rounds_up_to_the_millisecond() -> None:
    gb = MEMORY_MB / 1024
    expected = 0.002 * gb * PRICES["usd_per_gb_second"] + PRICES["usd_per_million_requests"] / 1e6
    assert invocation_cost(0.0015) == pytest.approx(expected)


def test_per_million_spreads_invocations_over_texts() -> None:
    one = invocation_cost(0.010)
    assert per_million([0.010, 0.010], texts=20) == pytest.approx(round(2 * one / 20 * 1e6, 4))
    assert per_million([], texts=5) is None


def test_runtime_closure_has_no_training_packages() -> None:
    runtime = closure(project_requirements())
    assert {"onnxruntime", "fastapi", "mangum", "aws-lambda-powertools", "aws-xray-sdk"} <= set(runtime)
    assert not {"torch", "transformers", "moto", "pytest"} & set(runtime)
    blocked = blocked_modules(runtime)
    assert "torch" in blocked and "onnxruntime" not in blocked and "numpy" not in blocked


def test_window_cost_measures_the_request_budget(tiny_bundle_dir: Path) -> None:
    result = measure(tiny_bundle_dir, texts=1)
    assert result["windows"] > 100 and result["ms_per_window"] > 0 and result["max_request_windows"] == 512
    assert abs(result["budget_seconds"] - 512 * result["ms_per_window"] / 1000) < 0.01
