"""Uploaded files (JSONL, CSV) -> job items, one per line or row, whatever the bytes are.

A line or row that cannot be read becomes that item's error line (``{"id", "error"}``), never a
failed request: the client gets one output line per input item and learns which ones were bad.
Errors name the line or row, never quote its content (it holds user texts).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

# What json.loads raises for bytes a client can send, beyond JSONDecodeError (a ValueError):
# RecursionError for deep nesting, ValueError for an integer over Python's int_max_str_digits.
_UNPARSABLE = (ValueError, RecursionError)


def _json_line(raw: bytes) -> dict[str, Any] | str:
    """The line's object, or what is wrong with it."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 ({exc.reason} at byte {exc.start})"
    if not line.strip():
        return "empty line"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return "not valid JSON (nested too deeply)"
    except _UNPARSABLE:
        return "not valid JSON (a number too large to read)"
    if not isinstance(value, dict):
        return "expected an object with id and text"
    return value


def read_jsonl(stream: IO[bytes], text_column: str) -> Iterator[dict[str, Any]]:
    """Items from JSONL lines: ``{"id", "text"}``, or ``{"id", "error"}`` for a line that is unusable.

    ``id`` is None when the line has none; ``where`` names the line for the id rules.
    """
    for number, raw in enumerate(stream, start=1):
        where = f"line {number}"
        value = _json_line(raw)
        if isinstance(value, str):
            yield {"id": None, "where": where, "error": f"{where}: {value}"}
            continue
        item_id = value.get("id")
        yield {"id": None if item_id in (None, "") else item_id, "where": where, "text": value.get(text_column)}
