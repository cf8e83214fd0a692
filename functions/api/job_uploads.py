"""The body of POST /v1/jobs -> items: JSON (texts or items), CSV or JSONL.

Parsing only; functions.jobs.items checks the items once, whatever format they came in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from functions.api.errors import BadRequest, UnsupportedMediaType
from functions.api.job_files import read_csv, read_jsonl, with_unique_ids
from functions.api.job_schemas import JobRequest

CSV_TYPES = {"text/csv", "application/csv"}
JSONL_TYPES = {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson"}
# curl -d labels JSON as form data; the API reads such bodies as JSON everywhere.
JSON_TYPES = {"application/json", "application/x-www-form-urlencoded", ""}


def _validation_error(exc: ValidationError) -> RequestValidationError:
    # Prefixed with "body" so the API's error mapper names fields as the client wrote them.
    return RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in exc.errors()])


@dataclass(frozen=True)
class JobInput:
    items: list[dict[str, Any]]
    # The model a JSON body names (JobRequest.model); files name it in the query string only.
    model: str | None = None


def job_from_json(body: bytes) -> JobInput:
    try:
        request = JobRequest.model_validate_json(body)
    except ValidationError as exc:
        raise _validation_error(exc) from None
    if request.texts is not None:
        items = [{"id": str(position), "text": text} for position, text in enumerate(request.texts, start=1)]
    else:
        assert request.items is not None
        items = [item.model_dump() for item in request.items]
    return JobInput(items, request.model)


def items_from_file(body: bytes, media_type: str, text_column: str, id_column: str) -> list[dict[str, Any]]:
    if media_type in JSONL_TYPES:
        return with_unique_ids(list(read_jsonl(io.BytesIO(body), text_column)))
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"body: the CSV is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return with_unique_ids(list(read_csv(text, text_column, id_column)))


def job_from_body(body: bytes, media_type: str, text_column: str, id_column: str) -> JobInput:
    """Raises the API's errors for a body the client got wrong (its type, its syntax, its columns)."""
    if media_type in CSV_TYPES | JSONL_TYPES:
        return JobInput(items_from_file(body, media_type, text_column, id_column))
    if media_type in JSON_TYPES:
        return job_from_json(body)
    raise UnsupportedMediaType(
        f"content-type: {media_type} is not accepted; use application/json, text/csv or application/x-ndjson"
    )


def items_from_body(body: bytes, media_type: str, text_column: str, id_column: str) -> list[dict[str, Any]]:
    return job_from_body(body, media_type, text_column, id_column).items
