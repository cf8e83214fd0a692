"""A Lambda-like cold start: `python -m bench.coldstart_child SPEC OUT SPAWN_TIME`.

Imports are refused for every top-level module that belongs only to a distribution outside
the runtime dependency closure (torch, transformers, moto, ... are installed in the dev venv),
so the process sees what the Lambda image holds. Then it imports functions.api.handler and
answers its first API Gateway event, followed by a few warm events for the per-request cost.
Only the standard library is imported before the import guard is installed.
"""

from __future__ import annotations

import importlib.abc
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any, cast


class RuntimeOnly(importlib.abc.MetaPathFinder):
    def __init__(self, blocked: set[str]) -> None:
        self.blocked = blocked
        self.refused: set[str] = set()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        top = fullname.partition(".")[0]
        if top in self.blocked:
            self.refused.add(top)
            raise ModuleNotFoundError(f"No module named {fullname!r} (not a runtime dependency)", name=fullname)
        return None


# Not devtools.local.FakeLambdaContext: importing that (and boto3) before the handler would skew the
# measured cold start.
class Context:
    function_name = "emotion-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 1769
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:emotion-api"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/emotion-api"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    spawned = float(argv[2])
    guard = RuntimeOnly(set(spec["blocked_modules"]))
    sys.meta_path.insert(0, guard)
    started = time.time()
    import functions.api.handler as api

    imported = time.time()
    event = json.loads(Path(spec["event"]).read_text())
    response = api.handler(event, cast(Any, Context()))
    answered = time.time()
    warm: list[float] = []
    texts: list[str] = spec["warm_texts"]
    deadline = time.perf_counter() + float(spec["warm_seconds"])
    for text in texts:
        if time.perf_counter() > deadline:
            break
        warm_event = {**event, "body": json.dumps({"text": text})}
        warm_event["headers"] = {k: v for k, v in event["headers"].items() if k != "Content-Length"}
        warm_event["multiValueHeaders"] = {k: v for k, v in event["multiValueHeaders"].items()
                                           if k != "Content-Length"}
        t0 = time.perf_counter()
        warm_response = api.handler(warm_event, cast(Any, Context()))
        warm.append(time.perf_counter() - t0)
        if warm_response["statusCode"] != 200:
            raise RuntimeError(f"warm event answered {warm_response['statusCode']}")
    result = {
        "status_code": response["statusCode"],
        "first_response_s": round(answered - spawned, 4),
        "interpreter_start_s": round(started - spawned, 4),
        "import_handler_s": round(imported - started, 4),
        "first_event_ms": round((answered - imported) * 1000, 2),
        "warm_event_s": warm,
        "heavy_modules_loaded": sorted({"torch", "transformers", "moto"} & set(sys.modules)),
        "refused_imports": sorted(guard.refused),
        # Peak resident memory of the process (Linux: KiB), models loaded and warm events answered.
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    Path(argv[1]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
