"""What every /v1 request passes before a handler runs: body size, JSON body, API key."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Request, Response, Security
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from starlette.types import Message, Scope

from functions.api.dependencies import SettingsDep, get_settings
from functions.api.errors import BadRequest, InvalidApiKey, MissingApiKey, PayloadTooLarge, RequestTimeout
from functions.api.settings import ApiSettings

API_KEY_HEADER = "X-API-Key"
_BODY_METHODS = {"POST", "PUT", "PATCH"}


async def read_limited(request: Request, limit: int, *, limit_of: str = "") -> bytes:
    """The body, or PayloadTooLarge/BadRequest; /v1/jobs reads its bodies (larger limit, CSV too) through it."""
    suffix = f" of {limit_of}" if limit_of else ""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise BadRequest("Content-Length header is not a number") from None
        if size > limit:
            raise PayloadTooLarge(f"body: {size} bytes is over the {limit}-byte limit{suffix}")
    # Content-Length can be absent (chunked) or wrong: count what actually arrives and stop early.
    received = bytearray()
    timeout_s = get_settings(request).body_read_timeout_s
    try:
        # A client that announces more than it sends would otherwise hold the request forever.
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                received += chunk
                if len(received) > limit:
                    raise PayloadTooLarge(f"body: over the {limit}-byte limit{suffix}")
    except TimeoutError:
        raise RequestTimeout(f"body: not received in full within {timeout_s:g} s",
                             headers={"Connection": "close"}) from None
    return bytes(received)


def _as_json(scope: Scope) -> Scope:
    # The API only speaks JSON, and `curl -d` labels bodies as form data: read every body as JSON
    # rather than answering the documented curl command with a confusing type error.
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-type"]
    headers.append((b"content-type", b"application/json"))
    return {**scope, "headers": headers}


class GuardedRoute(APIRoute):
    """An APIRoute that enforces the body-size limit before FastAPI parses the body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        keyed = any(dependency.dependency is require_api_key for dependency in self.dependencies)

        async def handler(request: Request) -> Response:
            if request.method not in _BODY_METHODS:
                return await inner(request)
            settings = get_settings(request)
            if keyed:  # a client without a valid key gets nothing read, stalled or huge as its body may be
                check_api_key(request.headers.get(API_KEY_HEADER), settings)
            body = await read_limited(request, settings.max_body_bytes)
            sent = False

            async def receive() -> Message:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return {"type": "http.disconnect"}

            return await inner(Request(_as_json(request.scope), receive))

        return handler


# Declared as a security scheme so /docs shows it and its "Authorize" button sends the header.
api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="The key of your usage plan (free or standard)."
)


def require_api_key(given: Annotated[str | None, Security(api_key_header)], settings: SettingsDep) -> None:
    """Local enforcement only: on AWS, API Gateway checks keys and API_KEYS stays empty."""
    check_api_key(given, settings)


def check_api_key(given: str | None, settings: ApiSettings) -> None:
    """MissingApiKey/InvalidApiKey unless `given` is one of the settings' keys (or none are set)."""
    keys = settings.api_keys
    if not keys:
        return
    if not given:
        raise MissingApiKey(f"Missing API key: send it in the {API_KEY_HEADER} header")
    if not any(hmac.compare_digest(given.encode(), key.encode()) for key in keys):
        raise InvalidApiKey(f"Invalid API key in the {API_KEY_HEADER} header")
