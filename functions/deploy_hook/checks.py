"""What a new API version must answer before CodeDeploy moves traffic to it.

Each check sends one `events/api` sample (the API Gateway proxy events `sam local invoke -e` and
the tests use) to the new version and judges its proxy response. Failures name the check and what
was wrong; they quote statuses and labels, never a response body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# functions/deploy_hook/ -> the repository root, or /var/task in the image (events/api is copied there).
EVENTS_DIR = Path(__file__).resolve().parents[2] / "events" / "api"


@dataclass(frozen=True)
class Invocation:
    """One synchronous invocation of the target function, as the hook saw it."""

    status: int | None  # statusCode of the proxy response; None when there was none
    body: Mapping[str, Any]  # the JSON object body; empty when it was not one
    function_error: str | None = None  # Lambda's FunctionError ("Unhandled") when the handler raised


Judge = Callable[[Invocation], str | None]


@dataclass(frozen=True)
class Check:
    name: str
    event_file: str
    judge: Judge


def _prediction(answer: Invocation) -> str | None:
    if answer.status != 200:
        return f"expected status 200, got {answer.status}"
    # The sample ("I am very happy today") is plainly joyful: a model that reads it otherwise is broken.
    emotion, confidence = answer.body.get("emotion"), answer.body.get("confidence")
    if emotion != "joy":
        return f"expected emotion 'joy' for the joyful sample, got {emotion!r}"
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        return "confidence is missing or outside [0, 1]"
    return None


def _bad_input(answer: Invocation) -> str | None:
    if answer.status is None or not 400 <= answer.status < 500:
        return f"expected a 4xx for a non-string text, got {answer.status}"
    detail = answer.body.get("detail")
    if not isinstance(detail, str) or not detail.startswith("text"):
        return "the error does not name the field 'text'"
    return None


def _health(answer: Invocation) -> str | None:
    if answer.status != 200:
        return f"expected status 200, got {answer.status}"
    state = (answer.body.get("status"), answer.body.get("inference"))
    if state != ("healthy", "ok"):
        return f"expected status healthy and inference ok, got {state}"
    return None


CHECKS: tuple[Check, ...] = (
    Check("prediction", "predict-emotion.json", _prediction),
    Check("bad input", "predict-emotion-bad-input.json", _bad_input),
    Check("health", "health-live.json", _health),
)


def load_event(name: str, events_dir: Path = EVENTS_DIR) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((events_dir / name).read_text(encoding="utf-8"))
    return event


def parse_payload(payload: bytes, function_error: str | None) -> Invocation:
    """An Invoke payload -> Invocation; anything that is not a proxy response has no status."""
    try:
        response = json.loads(payload)
    except ValueError:
        return Invocation(status=None, body={}, function_error=function_error)
    if not isinstance(response, dict):
        return Invocation(status=None, body={}, function_error=function_error)
    status = response.get("statusCode")
    try:
        body = json.loads(response.get("body") or "null")
    except (TypeError, ValueError):
        body = None
    return Invocation(
        status=status if isinstance(status, int) else None,
        body=body if isinstance(body, dict) else {},
        function_error=function_error,
    )


def judge(check: Check, answer: Invocation) -> str | None:
    if answer.function_error:
        return f"{check.name}: the function raised ({answer.function_error})"
    problem = check.judge(answer)
    return f"{check.name}: {problem}" if problem else None


def run_checks(invoke: Callable[[dict[str, Any]], Invocation], events_dir: Path = EVENTS_DIR) -> list[str]:
    """Every check, even after a failure (the report lists them all); [] means the version is good."""
    failures: list[str] = []
    for check in CHECKS:
        try:
            answer = invoke(load_event(check.event_file, events_dir))
        except Exception as exc:  # no answer at all (throttled, timed out, denied) fails the check too
            failures.append(f"{check.name}: no answer ({type(exc).__name__}: {exc})")
            continue
        failure = judge(check, answer)
        if failure:
            failures.append(failure)
    return failures
