"""The published OpenAPI document, made true to what the service answers (issue 10, defect 13).

FastAPI documents a 422 body the service never sends (`HTTPValidationError`, `detail` an array) and
none of the other errors. Here, after generation: every error status a route can answer is listed
with the one error body of functions.api.errors (`detail` a string, `errors` for field problems), and
JSON Schema `$defs` embedded by hand-written request bodies move to `components` so every `$ref`
resolves. `docs/openapi.json` is this document for the default settings (`python -m devtools.openapi`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

ERROR_BODY = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "What was wrong, naming the field; never quotes a text."},
        "errors": {
            "type": "array",
            "description": "One entry per field problem (validation and input errors).",
            "items": {"type": "object", "required": ["field", "message"],
                      "properties": {"field": {"type": "string"}, "message": {"type": "string"},
                                     "type": {"type": "string"}}},
        },
    },
}
WHY = {
    "401": "The X-API-Key header is missing", "403": "The API key is not valid",
    "404": "No such resource (or another key's)", "408": "The request body did not arrive in time",
    "409": "The idempotency key or client id was used for another request",
    "413": "The body, a text or the request's model work is over its limit",
    "415": "The Content-Type is not accepted", "422": "A field is invalid (named in detail and errors)",
    "503": "A dependency (the model, the job stack, the feedback store) is unavailable",
}
OPEN = {"/v1/health/live"}


def _statuses(path: str, method: str) -> list[str]:
    codes = ["422", "503"]
    if path not in OPEN:
        codes += ["401", "403"]
    if method == "post":
        codes += ["408", "413"]
    if "{" in path or path in {"/v1/jobs", "/v1/feedback"}:
        codes.append("404")  # an unknown job or model
    if path in {"/v1/jobs", "/v1/feedback"}:
        codes += ["409"] + (["415"] if path == "/v1/jobs" else [])
    return sorted(set(codes))


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> Any:
    """Move every nested `$defs` into `schemas` and point its refs there."""
    if isinstance(node, dict):
        for name, definition in node.pop("$defs", {}).items():
            schemas.setdefault(name, _hoist_defs(definition, schemas))
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node["$ref"] = "#/components/schemas/" + ref.removeprefix("#/$defs/")
        return {key: _hoist_defs(value, schemas) for key, value in node.items()}
    if isinstance(node, list):
        return [_hoist_defs(item, schemas) for item in node]
    return node


def truthful(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schema["paths"] = _hoist_defs(schema["paths"], schemas)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["ErrorBody"] = ERROR_BODY
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _statuses(path, method):
                responses[code] = {"description": WHY[code], "content": error}
    return schema


def install(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Make app.openapi return the truthful document; FastAPI still builds (and caches) it."""
    generate = app.openapi
    corrected: set[int] = set()

    def openapi() -> dict[str, Any]:
        schema = generate()
        if id(schema) not in corrected:  # FastAPI returns its cached dict until the routes change
            truthful(schema)
            corrected.add(id(schema))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return openapi
