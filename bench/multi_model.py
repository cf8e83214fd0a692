"""Cold start and memory of the API with the default bundle alone and with custom bundles beside it
(MODELS_DIR, docs/labelsets.md): `python -m bench.multi_model --custom DIR [DIR ...]`.

Each configuration is a fresh Lambda-like process (`bench.coldstart_child`: runtime imports only,
the handler imported, which loads and verifies every bundle, then the first event answered).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, machine_info, write_json
from bench.serving import cold_starts

WARM_TEXTS = ["I am so happy today", "This is terrible", "What a surprise"]


def measure(bundle: Path, custom: list[Path], runs: int, workdir: Path) -> list[dict[str, Any]]:
    rows = []
    for count in (0, len(custom)):
        models = workdir / f"models-{count}"
        models.mkdir(parents=True)
        (workdir / f"run-{count}").mkdir()
        names = [json.loads((path / "model.json").read_text())["name"] for path in custom[:count]]
        for name, path in zip(names, custom, strict=False):
            shutil.copytree(path, models / name)  # folders named after the models: "bundle/" twice would clash
        result = cold_starts(bundle, workdir / f"run-{count}", runs, WARM_TEXTS, warm_seconds=2.0, threads=1,
                             extra_env={"MODELS_DIR": str(models)})
        rows.append({"bundles": 1 + count, "custom": names, **result})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.multi_model", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--bundle", type=Path, default=REPO_ROOT / "layers" / "model", help="the default bundle")
    parser.add_argument("--custom", type=Path, nargs="+", required=True, help="custom bundle folders")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "multi-model.json")
    args = parser.parse_args(argv)
    for folder in [args.bundle, *args.custom]:
        if not (folder / "model.json").is_file():
            parser.error(f"{folder} holds no model.json")
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(args.bundle, list(args.custom), args.runs, Path(tmp))
    write_json(args.out, {"measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                          "machine": machine_info(), "configurations": rows})
    for row in rows:
        fields = {k: row.get(k) for k in ("bundles", "status", "median_s", "median_max_rss_mb", "reason")}
        sys.stdout.write(json.dumps(fields) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
