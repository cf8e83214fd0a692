"""Every events/api/*.json through the API's Lambda handler with the released bundle, recorded.

Regenerate (needed whenever layers/model is re-released), from the repository root:

    .venv/bin/python -m tests.golden.api_events

tests/unit/functions/api/test_golden_responses.py replays the same events in the same order and
compares with tests/golden/api_events.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devtools.local import FakeLambdaContext
from functions.api.factory import create_app
from functions.api.lambda_adapter import lambda_handler
from tests.helpers.api import api_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS_DIR = REPO_ROOT / "events" / "api"
GOLDEN_FILE = Path(__file__).resolve().parent / "api_events.json"
RELEASED_BUNDLE = REPO_ROOT / "layers" / "model"

# Left out of the comparison, and said so here: they measure this run, not the API's behaviour.
# internal-metrics' counters (requests, texts, emotions...) stay in: the events run in a fixed order.
VOLATILE_BODY_FIELDS = {
    "internal-metrics.json": [
        ("uptime_seconds",), ("started_at",), ("latency", "mean_ms"), ("latency", "p50_ms"),
        ("latency", "p95_ms"), ("latency", "p99_ms"), ("latency", "max_ms"),
    ],
}
# content-length follows the body, which is compared itself (and varies with the volatile fields).
VOLATILE_HEADERS = {"content-length"}

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def event_names() -> list[str]:
    return sorted(path.name for path in EVENTS_DIR.glob("*.json"))


def _drop(body: Any, path: tuple[str, ...]) -> None:
    *parents, last = path
    for key in parents:
        body = body.get(key, {}) if isinstance(body, dict) else {}
    if isinstance(body, dict):
        body.pop(last, None)


def comparable(name: str, response: dict[str, Any]) -> dict[str, Any]:
    """Status, headers and body of one handler response, volatile fields removed."""
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items() if k.lower() not in VOLATILE_HEADERS}
    raw = response.get("body") or ""
    body: Any = json.loads(raw) if headers.get("content-type", "").startswith("application/json") else raw
    for path in VOLATILE_BODY_FIELDS.get(name, []):
        _drop(body, path)
    return {
        "statusCode": response["statusCode"],
        "headers": dict(sorted(headers.items())),
        "multiValueHeaders": response.get("multiValueHeaders") or {},
        "isBase64Encoded": response.get("isBase64Encoded", False),
        "body": body,
    }


def replay(handler: Handler) -> dict[str, dict[str, Any]]:
    """Every event, in name order, through one handler (one fresh app: its counters start at zero)."""
    answers = {}
    for name in event_names():
        event = json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))
        answers[name] = comparable(name, handler(event, FakeLambdaContext(function_name="emotion-api")))
    return answers


def released_handler() -> Handler:
    """The Lambda handler as deployed: the released bundle, no API_KEYS (API Gateway checks keys)."""
    settings = api_settings(model_dir=RELEASED_BUNDLE, ort_threads=1, aws_lambda_function_name="emotion-api")
    return lambda_handler(create_app(settings))


def main() -> int:
    answers = replay(released_handler())
    GOLDEN_FILE.write_text(json.dumps(answers, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    sys.stderr.write(f"wrote {len(answers)} responses to {GOLDEN_FILE}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
