"""The soak harness, for seconds: every kind of answer is counted, no 5xx, RSS sampled, a report."""

from __future__ import annotations

from pathlib import Path

from bench.soak import markdown, requests_mix, soak


def test_a_short_soak_reports_statuses_latency_and_memory(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    result = soak(tiny_bundle_dir, minutes=0.1, workdir=tmp_path, interval_s=2.0)
    totals = result["totals_by_kind_and_status"]
    assert result["server_errors"] == 0
    assert totals.get("good 200", 0) > 0
    # Bad traffic is refused with 4xx of its own kind: parse error, unknown field, wrong key, too large.
    assert {"bad 403", "bad 413", "bad 422"} <= set(totals)
    assert not any(status.startswith("good") and not status.endswith("200") for status in totals), totals
    assert len(result["intervals"]) >= 2 and all(row["rss_mb"] for row in result["intervals"])
    assert all(row["p99_ms"] is not None for row in result["intervals"])
    assert "5xx: 0" in markdown(result)


def test_the_mix_has_good_and_bad_traffic() -> None:
    kinds = [kind for kind, *_ in requests_mix(1)]
    assert kinds.count("good") > kinds.count("bad") > 0
