"""The one place where exceptions become HTTP responses.

Every error body has the same shape: {"detail": "<what was wrong, naming the field>"}, plus
"errors" (one entry per field) for validation failures. Bodies never echo the submitted text:
a rejected 100 kB text would come back whole, and error paths get logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from emotion_core.errors import BundleError, EmotionCoreError, InputError, RequestBudgetError
from functions.api.observability import logger


class ApiError(Exception):
    """An error the API answers with `status` and `detail`; raised anywhere in a request."""

    status = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class MissingApiKey(ApiError):
    status = 401


class InvalidApiKey(ApiError):
    status = 403


class RequestTimeout(ApiError):
    status = 408


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


class UnsupportedMediaType(ApiError):
    status = 415


class Unprocessable(ApiError):
    status = 422


class Unavailable(ApiError):
    status = 503


def field_name(loc: Sequence[Any]) -> str:
    """("body", "texts", 3) -> "texts[3]", ("header", "Idempotency-Key") -> "Idempotency-Key": the name a
    client sees in its own request."""
    sources = {"body", "query", "header", "path"}
    parts = [p for i, p in enumerate(loc) if not (i == 0 and p in sources)] if len(loc) > 1 else list(loc)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    out = []
    for err in errors:
        field = field_name(err.get("loc", ()))
        message = str(err.get("msg", "invalid value"))
        if err.get("type") == "missing":
            message = "Field required"
        elif err.get("type") == "json_invalid":
            field, message = "body", "Body is not valid JSON"
        out.append({"field": field, "message": message, "type": str(err.get("type", ""))})
    return out


def _error(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _error(exc.status, exc.detail, exc.headers)


async def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc.errors())
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request"
    return _error(422, detail, errors=errors)


async def _input_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    field = str(getattr(exc, "field", "") or "body")
    message = str(getattr(exc, "message", "") or exc)
    # Too much work for one request is a size problem of the whole request, like a body too large.
    status, kind = (413, "work_limit") if isinstance(exc, RequestBudgetError) else (422, "input")
    return _error(status, f"{field}: {message}", errors=[{"field": field, "message": message, "type": kind}])


async def _bundle_error(_: Request, exc: Exception) -> JSONResponse:
    logger.error("model bundle unusable", extra={"error": type(exc).__name__})
    return _error(503, "The model is not available on this instance")


async def _core_error(_: Request, exc: Exception) -> JSONResponse:
    logger.exception("classifier failed", extra={"error": type(exc).__name__})
    return _error(500, "The classifier failed on this request")


# FastAPI's answer when json.loads fails with something other than a JSONDecodeError: a document
# nested too deeply (RecursionError) or an integer too long to convert (ValueError).
_FASTAPI_BODY_PARSE = "There was an error parsing the body"
_UNREADABLE_JSON = "not valid JSON (nested too deeply, or a number too large to read)"


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _FASTAPI_BODY_PARSE:
        return _error(422, f"body: {_UNREADABLE_JSON}",
                      errors=[{"field": "body", "message": _UNREADABLE_JSON, "type": "json_invalid"}])
    return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log (no request data in it); the client gets no internals.
    logger.exception("unhandled error", extra={"error": type(exc).__name__})
    return _error(500, "Internal error")


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(BundleError, _bundle_error)
    app.add_exception_handler(EmotionCoreError, _core_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
