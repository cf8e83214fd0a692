"""The chunk message on the queue and the S3 layout of results: the producer contract.

Body (JSON, UTF-8): ``{"job_id": str, "chunk": int, "items": [{"id": str, "text": str}, ...]}``, plus
``"model": str`` when the job asked for a custom model (absent: the default model).
Results: ``jobs/<job_id>/<chunk>.jsonl`` with one line per item, in item order.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

# job_id becomes part of an S3 key and a DynamoDB key: no slashes, dots or spaces.
JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_CHUNK_INDEX = 999_999
# A model bundle's name as clients call it (GET /v1/models, POST /v1/jobs?model=).
MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
# The queue's MaximumMessageSize (the stack sets it explicitly); the handler refuses anything larger.
SQS_MAX_BODY_BYTES = 262_144
MAX_ID_CHARS = 256
# Bounds one batched model call well inside the function timeout, whoever produced the message.
MAX_CHUNK_ITEMS = 5_000


class MalformedChunk(ValueError):
    """The body is not a chunk message; the reason never quotes the body (it holds user texts)."""


# An item id as the queue contract takes it; functions.jobs.items checks every submitted id with it.
# A string, or an integer (row numbers and integer keys are common producer ids), which keeps its
# JSON type in the result lines, as in the CLI's (docs/prediction.md); bools are not ids.
def _checked_id(value: object) -> str | int:
    # One message per problem, in pydantic's words (a union would report every member's complaint).
    if isinstance(value, int) and not isinstance(value, bool):
        if not -(2**63) <= value < 2**63:
            raise PydanticCustomError("int_range", "Integer should fit in 64 bits")
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("id_type", "Input should be a valid string or integer")
    if not value:
        raise PydanticCustomError("string_too_short", "String should have at least 1 character")
    try:
        value.encode("utf-8")  # an id is written back into a UTF-8 result line
    except UnicodeEncodeError:
        message = "Input should be a valid string, unable to parse raw data as a unicode string"
        raise PydanticCustomError("string_unicode", message) from None
    if len(value) > MAX_ID_CHARS:
        raise PydanticCustomError("string_too_long", "String should have at most {max_length} characters",
                                  {"max_length": MAX_ID_CHARS})
    return value


ItemId = Annotated[str | int, PlainValidator(_checked_id), WithJsonSchema({"anyOf": [
    {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS}, {"type": "integer"}]})]


class ChunkItem(BaseModel):
    # Extra keys are ignored; the text is checked per item by emotion_core so a bad text
    # becomes an error line, not a failed chunk.
    model_config = ConfigDict(extra="ignore")

    id: ItemId
    text: Any = None
    # A producer that already knows an item is unusable (e.g. a broken CSV row) says why here;
    # the item still gets its own error line.
    error: str | None = Field(default=None, max_length=1_000)
    # Audio jobs (POST /v1/audio-jobs, functions/audio): the recording's s3://bucket/key, read by the audio function.
    audio_s3_uri: str | None = Field(default=None, max_length=1_100)
    # Image jobs (POST /v1/image-jobs, functions/image): the image's s3://bucket/key; with `text`, a post.
    image_s3_uri: str | None = Field(default=None, max_length=1_100)


class ChunkMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: str = Field(pattern=JOB_ID_PATTERN)
    chunk: int = Field(ge=0, le=MAX_CHUNK_INDEX, strict=True)
    items: list[ChunkItem] = Field(min_length=1, max_length=MAX_CHUNK_ITEMS)
    # A served model's name (GET /v1/models); None: the default model.
    model: str | None = Field(default=None, pattern=MODEL_NAME_PATTERN)


def result_key(job_id: str, chunk: int) -> str:
    return f"jobs/{job_id}/{chunk}.jsonl"


def results_prefix(job_id: str) -> str:
    return f"jobs/{job_id}/"


def _describe(exc: ValidationError) -> str:
    # Only locations and messages: pydantic's own str() quotes input values, i.e. user texts.
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def parse_chunk(body: str, max_bytes: int) -> ChunkMessage:
    """Parse and validate one message body, or raise MalformedChunk saying why."""
    size = len(body.encode("utf-8"))
    if size > max_bytes:
        raise MalformedChunk(f"body is {size} bytes, over the {max_bytes}-byte limit of a chunk message")
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise MalformedChunk(
            f"body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(payload, dict):
        raise MalformedChunk(
            f"body is a JSON {type(payload).__name__}, not an object with job_id, chunk, items"
        )
    try:
        return ChunkMessage.model_validate(payload)
    except ValidationError as exc:
        raise MalformedChunk(f"not a chunk message: {_describe(exc)}") from None


def _encoded(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _envelope(job_id: str, chunk: int, items: list[dict[str, Any]], model: str | None) -> dict[str, Any]:
    # No "model" key for the default model: such messages stay what producers before it wrote.
    message: dict[str, Any] = {"job_id": job_id, "chunk": chunk, "items": items}
    return message if model is None else {**message, "model": model}


def encode_chunk(job_id: str, chunk: int, items: list[dict[str, Any]], model: str | None = None) -> str:
    return _encoded(_envelope(job_id, chunk, items, model)).decode("utf-8")


def split_items(
    items: Iterable[dict[str, Any]], *, max_items: int, max_bytes: int, job_id_len: int = 64,
    model: str | None = None, work: Callable[[dict[str, Any]], int] | None = None, max_work: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Group items into chunks bounded by count, by encoded message size and, with `work` (an item's
    model windows), by `max_work` windows, keeping order. An item alone over `max_work` gets a chunk
    of its own: its text is bounded by the per-text window limit."""
    envelope = len(_encoded(_envelope("x" * job_id_len, MAX_CHUNK_INDEX, [], model)))
    current: list[dict[str, Any]] = []
    size, load = envelope, 0
    for item in items:
        item_work = work(item) if work is not None else 0
        item_bytes = len(_encoded(item)) + 1  # the comma between items
        if envelope + item_bytes > max_bytes:
            raise ValueError(
                f"item {item.get('id')!r} is {item_bytes} bytes encoded; "
                f"a chunk message holds at most {max_bytes}"
            )
        over_work = max_work is not None and load + item_work > max_work
        if current and (len(current) >= max_items or size + item_bytes > max_bytes or over_work):
            yield current
            current, size, load = [], envelope, 0
        current.append(item)
        size += item_bytes
        load += item_work
    if current:
        yield current
