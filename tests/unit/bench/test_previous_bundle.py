"""The previous release measured beside the released bundle, and model 2.0's latency target (≤ 1.2×)."""

from __future__ import annotations

from pathlib import Path

from bench.configs import BUNDLE, PREVIOUS, Training, plan
from bench.report import ratios, targets


def _training(tmp_path: Path) -> Training:
    missing = tmp_path / "absent"
    return Training(config_path=missing, name="t", version="0", report_json=missing, evaluation=missing,
                    teacher_best=missing, student_best=missing, export_summary=missing, teacher_base=None,
                    teacher_pooling="mean", student_base="x", bundle_dir=None)


def test_the_previous_bundle_is_a_row_of_its_own_or_skipped_with_a_reason(tiny_bundle_dir: Path,
                                                                         tmp_path: Path) -> None:
    rows = {row.key: row for row in plan(_training(tmp_path), tiny_bundle_dir, quick=True, base={},
                                         previous_bundle=tiny_bundle_dir)}
    assert rows[PREVIOUS].spec is not None and rows[PREVIOUS].spec["kind"] == "bundle"
    assert rows[PREVIOUS].spec["bundle_dir"] == rows[BUNDLE].spec["bundle_dir"]  # type: ignore[index]
    skipped = {row.key: row for row in plan(_training(tmp_path), tiny_bundle_dir, quick=True, base={},
                                            previous_bundle=tmp_path / "gone")}
    assert skipped[PREVIOUS].spec is None and "model.json missing" in skipped[PREVIOUS].reason


def _results(released_ms: float, previous_ms: float) -> dict[str, object]:
    rows = {BUNDLE: {"status": "measured", "latency_b1": {"p50_ms": released_ms}},
            PREVIOUS: {"status": "measured", "latency_b1": {"p50_ms": previous_ms}}}
    return {"models": {"rows": rows, "ratios": ratios(rows)}}


def test_the_latency_target_compares_with_the_previous_release() -> None:
    def verdict(released_ms: float, previous_ms: float) -> object:
        (target,) = [t for t in targets(_results(released_ms, previous_ms)) if "previous" in t["target"]]
        return target["met"]

    assert verdict(2.8, 2.4) is True   # 1.17×
    assert verdict(3.0, 2.4) is False  # 1.25×
