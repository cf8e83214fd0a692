"""Serve correctly behind an API Gateway stage prefix (https://…/Prod/v1/…).

API Gateway (REST) strips the stage from the event's `path` but the client's URL has it, so
links the app generates — /docs pointing at openapi.json, OpenAPI `servers` — must carry it.
Setting ASGI `root_path` from the event does that; under uvicorn there is no event and
nothing changes.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send


def stage_prefix(event: Any) -> str:
    if not isinstance(event, dict):
        return ""
    context = event.get("requestContext") or {}
    stage = context.get("stage")
    if not isinstance(stage, str) or not stage or stage == "$default":
        return ""
    prefix = f"/{stage}"
    # A custom domain maps the API without the stage in the URL: only add it when the client used it.
    for path in (context.get("path"), event.get("path")):
        if isinstance(path, str) and (path == prefix or path.startswith(prefix + "/")):
            return prefix
    return ""


class StagePrefixMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            prefix = stage_prefix(scope.get("aws.event"))
            if prefix:
                path = scope["path"]
                if not (path == prefix or path.startswith(prefix + "/")):
                    path = prefix + path
                scope = {**scope, "root_path": prefix, "path": path}
        await self.app(scope, receive, send)
