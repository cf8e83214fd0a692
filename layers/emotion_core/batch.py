"""Files of texts -> JSONL result lines, shared by the CLI and the bulk Lambda.

Every input item gives exactly one output line (`prediction.batch_line`: ``{"id": ..., **prediction}``
or ``{"id": ..., "error": "..."}``, docs/prediction.md), in input order: a malformed line is reported,
never dropped. A blank text is not an error: it gets the API's answer for it (neutral, windows 0;
docs/prediction.md, "Blank text"). Ids keep their JSON type (string or integer).
"""

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from .classifier import Classifier, text_problem
from .errors import InputError
from .prediction import ModelRef, batch_line

JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)


def _item_id(value: Any, fallback: str) -> tuple[str | int, str | None]:
    """The id to report, and an error when the given one is unusable."""
    if value is None or value == "":
        return fallback, None
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value, None
    return fallback, f"id must be a string or an integer, got {type(value).__name__}"


def check_item(item: Any, position: int, max_text_chars: int | None) -> dict[str, Any]:
    """Validate one item; returns {"id", "text"} or {"id", "error"}. `position` is 1-based."""
    fallback = str(position)
    if not isinstance(item, dict):
        kind = type(item).__name__
        return {"id": fallback, "error": f"item must be an object with id and text, got {kind}"}
    item_id, problem = _item_id(item.get("id"), fallback)
    if problem:
        return {"id": item_id, "error": problem}
    if "error" in item:  # a reader already found this line unusable
        return {"id": item_id, "error": str(item["error"])}
    text = item.get("text")
    if text is None:
        return {"id": item_id, "error": "text is missing"}
    if not isinstance(text, str):
        return {"id": item_id, "error": f"text must be a string, got {type(text).__name__}"}
    problem = text_problem(text, max_text_chars)
    if problem:
        return {"id": item_id, "error": f"text {problem}"}
    return {"id": item_id, "text": text}


def classify_items(classifier: Classifier, items: list[Any], *, include_scores: bool = False,
                   first_position: int = 1, max_text_chars: int | None = None,
                   answered_by: ModelRef | None = None) -> list[dict[str, Any]]:
    """One output line per item, same order. Ids missing from items become their 1-based position.

    `max_text_chars` defaults to the classifier's own limit; `answered_by` names the model in every
    prediction (where several are served, as POST /v1/models/{name}/predict does).
    """
    limit = max_text_chars if max_text_chars is not None else classifier.max_text_chars
    checked = [check_item(item, first_position + offset, limit) for offset, item in enumerate(items)]
    for line in checked:
        problem = classifier.window_problem(line["text"]) if "text" in line else None
        if problem:  # too much work for one answer: an error line for this item, not a failed file
            line.pop("text")
            line["error"] = f"text {problem}"
    valid = [line for line in checked if "text" in line]
    predictions = iter(prediction if answered_by is None else prediction.model_copy(update={"model": answered_by})
                       for prediction in classifier.predict([line["text"] for line in valid],
                                                            include_scores=include_scores))
    return [batch_line(line["id"], error=line["error"]) if "error" in line
            else batch_line(line["id"], next(predictions)) for line in checked]


def classify_stream(classifier: Classifier, items: Iterable[Any], *, chunk_size: int = 256,
                    include_scores: bool = False) -> Iterator[dict[str, Any]]:
    """classify_items over an iterable of any length, a chunk at a time, yielding lines in order."""
    iterator = iter(items)
    position = 1
    while chunk := list(islice(iterator, chunk_size)):
        yield from classify_items(classifier, chunk, include_scores=include_scores, first_position=position)
        position += len(chunk)


def read_jsonl(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Items from JSONL `{"id", "text"}` lines; unusable lines come out as `{"id", "error"}` items."""
    for number, raw in enumerate(stream, start=1):
        fallback = str(number)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield {"id": fallback, "error": f"line {number}: not UTF-8 ({exc.reason} at byte {exc.start})"}
            continue
        if not line.strip():
            yield {"id": fallback, "error": f"line {number}: empty line"}
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
            yield {"id": fallback, "error": f"line {number}: {problem}"}
            continue
        if not isinstance(value, dict):
            yield {"id": fallback, "error": f"line {number}: expected an object with id and text"}
            continue
        item = dict(value)
        if item.get("id") is None or item.get("id") == "":
            item["id"] = fallback
        yield item


def read_csv(stream: IO[str], *, text_column: str = "text",
             id_column: str = "id") -> Iterator[dict[str, Any]]:
    """Items from a CSV with a header row; ids from `id_column` when the file has it, else the row number."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise InputError("input", "the CSV file is empty (no header row)")
    if text_column not in header:
        # Not the header's cells: without a header row they are the first row's texts.
        raise InputError("text_column", f"the CSV has no column {text_column!r} in its header row (the first "
                                        f"row, {len(header)} column{'' if len(header) == 1 else 's'}); a CSV "
                                        "needs a header row naming its text column")
    text_at = header.index(text_column)
    id_at = header.index(id_column) if id_column in header else None
    for number, row in enumerate(reader, start=1):
        fallback = str(number)
        item_id = row[id_at] if id_at is not None and id_at < len(row) and row[id_at] else fallback
        if len(row) != len(header):
            found = "an empty row" if not row else f"{len(row)} field{'' if len(row) == 1 else 's'}"
            yield {"id": item_id, "error": f"row {number}: {found}, the header has {len(header)}"}
            continue
        yield {"id": item_id, "text": row[text_at]}


def open_items(path: Path, stack: list[IO[Any]], *, text_column: str = "text",
               id_column: str = "id") -> Iterator[dict[str, Any]]:
    """Items from a .csv or .jsonl file; the opened file is appended to `stack` for the caller to close."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        binary = path.open("rb")
        stack.append(binary)
        return read_jsonl(binary)
    if suffix in CSV_SUFFIXES:
        # utf-8-sig: spreadsheet exports often start with a byte-order mark that would rename column 1.
        text = path.open(encoding="utf-8-sig", newline="")
        stack.append(text)
        return read_csv(text, text_column=text_column, id_column=id_column)
    raise InputError("input", f"{path.name}: expected a {'/'.join(CSV_SUFFIXES + JSONL_SUFFIXES)} file")


def write_jsonl(lines: Iterable[dict[str, Any]], stream: IO[str]) -> dict[str, int]:
    """Write result lines; returns counts {"lines", "errors"}."""
    counts = {"lines": 0, "errors": 0}
    for line in lines:
        stream.write(json.dumps(line, ensure_ascii=False) + "\n")
        counts["lines"] += 1
        counts["errors"] += "error" in line
    return counts
