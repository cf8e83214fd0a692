"""`make bulk-demo`'s script end to end in a fresh process: moto server, API app, bulk handler."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")]),
           "ORT_THREADS": "1"}
    for name in ("AWS_ENDPOINT_URL", "JOBS_QUEUE_URL", "RESULTS_BUCKET", "JOBS_TABLE", "API_KEYS"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "devtools.bulk_demo", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_demo_writes_one_line_per_row(tmp_path: Path, tiny_bundle_dir: Path) -> None:
    source = tmp_path / "texts.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text"])
        # Every 4th row is broken (two fields under a one-column header): an error line each.
        writer.writerows([["I love this"] if n % 4 else ["I love this", "extra"] for n in range(1, 1_201)])
    output = tmp_path / "results.jsonl"
    done = run_demo(str(source), str(output), "--model-dir", str(tiny_bundle_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [f"row-{n}" for n in range(1, 1_201)]
    assert sum("error" in line for line in lines) == 300
    assert "done-with-errors: 1200 lines" in done.stderr and "I love this" not in done.stderr + done.stdout


def test_demo_explains_a_missing_bundle(tmp_path: Path) -> None:
    source = tmp_path / "texts.csv"
    source.write_text("text\nhi\n")
    done = run_demo(str(source), str(tmp_path / "out.jsonl"), "--model-dir", str(tmp_path))
    assert done.returncode == 2 and "no model bundle" in done.stderr
