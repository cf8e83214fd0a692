"""Uploaded files (JSONL, CSV) -> job items, one per line or row, whatever the bytes are.

A line or row that cannot be read becomes that item's error line (``{"id", "error"}``), never a
failed request: the client gets one output line per input item and learns which ones were bad.
Errors name the line or row, never quote its content (it holds user texts).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from functions.api.errors import Unprocessable
from functions.jobs.items import id_problem

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


# The job's body limit already bounds every field; csv's default 131,072-character field limit
# would fail the whole upload on one long text, which should only get a "too long" line.
# (Process-wide, and only ever raised here.)
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

_UNTERMINATED = "unexpected end of data"


def _header(reader: Any, text_column: str, id_column: str) -> tuple[int, int, int | None]:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise Unprocessable(f"body: line 1: the CSV header cannot be parsed ({exc})") from None
    if header is None:
        raise Unprocessable("body: the CSV is empty (no header row)")
    if text_column not in header:
        # The header's cells are not quoted: without a header row they would be the first texts.
        raise Unprocessable(
            f"text_column: the CSV header row has no column {text_column!r} ({len(header)} columns); "
            "the first row must name the columns"
        )
    return len(header), header.index(text_column), header.index(id_column) if id_column in header else None


def read_csv(text: str, text_column: str, id_column: str) -> Iterator[dict[str, Any]]:
    """Items from a CSV with a header row, parsed strictly; see docs/bulk-jobs.md#parsing-rules.

    Raises Unprocessable for a missing header or column, and for an unterminated quote: from the
    quote on, row boundaries are unknowable, so no row after it could be trusted.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width, text_at, id_at = _header(reader, text_column, id_column)
    number = 0
    while True:
        first_line = reader.line_num + 1
        number += 1
        where = f"row {number}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if str(exc) == _UNTERMINATED:
                raise Unprocessable(
                    f"body: line {first_line} (row {number}): a quoted field is never closed; "
                    "close the quote or escape it by doubling it"
                ) from None
            yield {"id": None, "where": where, "error": f"{where}: not valid CSV ({exc})"}
            continue
        item_id = row[id_at] if id_at is not None and id_at < len(row) and row[id_at] else None
        if len(row) != width:
            found = "an empty row" if not row else f"{len(row)} field{'' if len(row) == 1 else 's'}"
            yield {"id": item_id, "where": where, "error": f"{where}: {found}, the header has {width}"}
            continue
        yield {"id": item_id, "where": where, "text": row[text_at]}


def _fallback(where: str, taken: set[str]) -> str:
    candidate = base = where.replace(" ", "-")
    suffix = 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def with_unique_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parsed items ({"id" or None, "where", "text" or "error"}) -> items with unique string ids.

    A line or row without a usable id gets ``row-7`` / ``line-7`` (suffixed ``-2``... if the file
    uses that id itself); a repeated id makes the later item an error line under its fallback id.
    """
    for item in items:
        item_id, problem = id_problem(item["id"])
        if problem:
            item.pop("text", None)
            item["error"] = f"{item['where']}: id {problem}"
        item["id"] = item_id
    real_ids = {item["id"] for item in items if item["id"] is not None}
    first_at: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for item in items:
        item_id, where = item["id"], item["where"]
        if item_id is not None and item_id in first_at:
            out.append({"id": None, "where": where,
                        "error": f"{where}: duplicate id ({first_at[item_id]} has it); ids must be unique"})
        else:
            out.append(item)
        if item_id is not None:
            first_at.setdefault(item_id, where)
    taken = set(real_ids)
    for item in out:
        if item["id"] is None:
            item["id"] = _fallback(item["where"], taken)
        taken.add(item["id"])
        del item["where"]
    return out
