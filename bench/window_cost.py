"""Seconds of model work per window at one thread: the figure MAX_REQUEST_WINDOWS is sized from.

``python -m bench.window_cost [--bundle layers/model] [--threads 1] [--texts 2]`` reads texts of
10,000 "!" (the most windows per character a text can need), reports ms per window and the
request time of the API's window budget, and says whether it stays inside API Gateway's 29 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from emotion_core import Classifier
from functions.api.settings import ApiSettings

API_GATEWAY_LIMIT_S = 29.0
PATHOLOGICAL = "!" * 10_000


def measure(bundle: Path, *, threads: int = 1, texts: int = 2) -> dict[str, Any]:
    classifier = Classifier.load(bundle, threads=threads, max_text_chars=len(PATHOLOGICAL))
    classifier.predict(["warm up"])
    started = time.perf_counter()
    windows = sum(p.windows for p in classifier.predict([PATHOLOGICAL] * texts))
    seconds = time.perf_counter() - started
    budget = ApiSettings.model_fields["max_request_windows"].default
    per_window_ms = seconds / windows * 1000
    return {"bundle": str(bundle), "threads": threads, "windows": windows, "seconds": round(seconds, 2),
            "ms_per_window": round(per_window_ms, 2), "max_request_windows": budget,
            "budget_seconds": round(budget * per_window_ms / 1000, 2), "api_gateway_limit_s": API_GATEWAY_LIMIT_S}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.window_cost", description=__doc__)
    parser.add_argument("--bundle", type=Path, default=Path("layers/model"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--texts", type=int, default=2)
    args = parser.parse_args(argv)
    result = measure(args.bundle, threads=args.threads, texts=args.texts)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0 if result["budget_seconds"] < API_GATEWAY_LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
