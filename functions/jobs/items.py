"""A submitted job's items, checked once before they are queued (the HTTP edge of a job).

Per item: the id follows the queue contract's ItemId rule, ids are unique within the job, and a
text that could not even travel in a chunk message becomes that item's error line. The text rules
themselves (empty, too long, not a string) are the bulk function's, applied per item when the
chunk is classified, so every item gets its line.
"""

from typing import Any

from pydantic import TypeAdapter, ValidationError

from emotion_core.classifier import text_problem

from .contract import ItemId

_ITEM_ID: TypeAdapter[str | int] = TypeAdapter(ItemId)


class InvalidJob(ValueError):
    """The items cannot make a job. The message starts with the field (``items[3].id: ...``) and
    never quotes a text."""


def id_problem(raw: object) -> tuple[str | int | None, str | None]:
    """(the id as the contract takes it, None) or (None, why it is not an id); None stays None."""
    if raw is None:
        return None, None
    try:
        return _ITEM_ID.validate_python(raw), None
    except ValidationError as exc:
        return None, str(exc.errors()[0]["msg"])


def _item_id(raw: object, position: int) -> str | int:
    try:
        return _ITEM_ID.validate_python(raw)
    except ValidationError as exc:
        raise InvalidJob(f"items[{position}].id: {exc.errors()[0]['msg']}") from None


def _queued_item(item_id: str | int, item: dict[str, Any], max_text_chars: int) -> dict[str, Any]:
    if "error" in item:
        return {"id": item_id, "error": str(item["error"])}
    text = item.get("text")
    if isinstance(text, list | dict):
        # Same words as the bulk function's rule; a nested value (JSONL allows ~1,000 levels)
        # would only make the chunk message deep and large.
        return {"id": item_id, "error": f"text must be a string, got {type(text).__name__}"}
    if not isinstance(text, str):
        return {"id": item_id, "text": text}
    problem = text_problem(text, None)
    if problem:
        # A lone surrogate (JSONL may carry "\ud800") cannot be encoded into the chunk message.
        return {"id": item_id, "error": f"text {problem}"}
    # Its result line only needs to say "too long": one character past the limit keeps every
    # chunk message small whatever was uploaded.
    return {"id": item_id, "text": text[: max_text_chars + 1]}


def check_items(items: list[dict[str, Any]], *, max_items: int, max_text_chars: int) -> list[dict[str, Any]]:
    """Items ({"id", "text"} or {"id", "error"}) -> what the chunk messages carry; raises InvalidJob."""
    if not items:
        raise InvalidJob("body: the job has no items")
    if len(items) > max_items:
        raise InvalidJob(f"body: {len(items)} items is over the limit of {max_items} per job")
    seen: set[str] = set()
    checked: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        item_id = _item_id(item["id"], position)
        if str(item_id) in seen:  # 7 and "7" name the same item to most readers
            raise InvalidJob(f"items[{position}].id: duplicate id; ids must be unique within a job")
        seen.add(str(item_id))
        checked.append(_queued_item(item_id, item, max_text_chars))
    return checked
