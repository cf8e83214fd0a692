"""bench.multi_model on tiny bundles: one process with the default bundle alone, one with two custom
bundles beside it; both measured (cold start, peak memory), the second really serving three."""

from __future__ import annotations

import json
from pathlib import Path

from bench.multi_model import main
from devtools.tiny_bundle import CARER_HEADS, build_tiny_bundle


def test_cold_start_and_memory_with_one_and_three_bundles(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    custom = [build_tiny_bundle(tmp_path / "a", metadata={"name": "custom-a"}),
              build_tiny_bundle(tmp_path / "b", heads=CARER_HEADS, metadata={"name": "custom-b"})]
    out = tmp_path / "multi.json"
    assert main(["--bundle", str(tiny_bundle_dir), "--custom", *map(str, custom), "--runs", "1",
                 "--out", str(out)]) == 0
    rows = json.loads(out.read_text())["configurations"]
    assert [(r["bundles"], r["status"], r["status_codes"]) for r in rows] == [(1, "measured", [200]),
                                                                              (3, "measured", [200])]
    assert rows[1]["custom"] == ["custom-a", "custom-b"]
    assert all(r["median_max_rss_mb"] > 0 and r["median_s"] > 0 for r in rows)
