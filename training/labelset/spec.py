"""A label set: a team's own categories, each with a description and optional examples.

    name: support-tickets
    multi_label: false
    labels:
      - name: frustrated
        description: the customer is annoyed that something keeps failing
        examples: ["third time I'm asking, still broken"]
    domain: {path: tickets.csv, column: body}      # optional unlabelled texts of the domain

`load_labelset` refuses a wrong file before any model is loaded, with a message naming the
label and the key to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from training.data import DataError
from training.data import _read_table as read_table

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOP_KEYS = {"name", "description", "multi_label", "min_examples", "labels", "domain", "build"}
LABEL_KEYS = {"name", "description", "examples"}
DOMAIN_KEYS = {"path", "column", "limit"}


class LabelSetError(ValueError):
    """The label-set file is wrong; the message names the file, the label and the key."""


@dataclass(frozen=True)
class Label:
    name: str
    description: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class DomainSource:
    """Unlabelled texts of the user's domain: a CSV or JSONL file and the column holding the text."""

    path: str
    column: str = "text"
    limit: int | None = None


@dataclass(frozen=True)
class LabelSet:
    name: str
    labels: tuple[Label, ...]
    multi_label: bool = False
    description: str = ""
    # Every label needs at least this many examples (0: descriptions alone are accepted).
    min_examples: int = 0
    domain: DomainSource | None = None
    # Overrides of the build settings (training.labelset.settings.BuildSettings), by key.
    build: dict[str, Any] = field(default_factory=dict)

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    def examples(self) -> list[tuple[str, int]]:
        """(text, label index) for every example, in file order."""
        return [(text, i) for i, label in enumerate(self.labels) for text in label.examples]


def _need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise LabelSetError(f"{where}: {message}")


def _unknown_keys(raw: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(raw) - known)
    _need(not unknown, where, f"unknown keys {unknown}; known: {sorted(known)}")


def _label(raw: object, where: str) -> Label:
    _need(isinstance(raw, dict), where, "each label must be a mapping with name, description, examples")
    assert isinstance(raw, dict)
    _unknown_keys(raw, LABEL_KEYS, where)
    name = raw.get("name")
    _need(isinstance(name, str) and bool(NAME_PATTERN.match(name)), where,
          f"name must be 1-64 characters of a-z, 0-9, '.', '_', '-' (starting with a letter or digit), got {name!r}")
    where = f"{where} ({name})"
    description = raw.get("description")
    _need(isinstance(description, str) and bool(description.strip()), where,
          "description must be a non-empty sentence saying what texts of this label are about")
    examples = raw.get("examples") or []
    _need(isinstance(examples, list) and all(isinstance(e, str) and e.strip() for e in examples), where,
          "examples must be a list of non-empty texts")
    _need(len(set(examples)) == len(examples), where, "examples repeat a text")
    assert isinstance(name, str) and isinstance(description, str)
    return Label(name, description.strip(), tuple(e.strip() for e in examples))


def _domain(raw: object, base: Path, where: str) -> DomainSource:
    _need(isinstance(raw, dict) and isinstance(raw.get("path"), str), where,
          "domain must be a mapping with path (a CSV or JSONL file) and column")
    assert isinstance(raw, dict)
    _unknown_keys(raw, DOMAIN_KEYS, where)
    path = Path(raw["path"])
    resolved = path if path.is_absolute() else base / path
    _need(resolved.suffix in (".csv", ".jsonl"), where, f"path must end in .csv or .jsonl, got {path.name!r}")
    limit = raw.get("limit")
    _need(limit is None or (isinstance(limit, int) and limit > 0), where, "limit must be a positive integer")
    return DomainSource(str(resolved), str(raw.get("column", "text")), limit)


def parse_labelset(raw: object, where: str = "label set", base: Path = Path()) -> LabelSet:
    """Validate a loaded YAML document; relative domain paths resolve against `base`."""
    _need(isinstance(raw, dict), where, "must be a mapping with name and labels")
    assert isinstance(raw, dict)
    _unknown_keys(raw, TOP_KEYS, where)
    name = raw.get("name")
    _need(isinstance(name, str) and bool(NAME_PATTERN.match(name)), f"{where}: name",
          f"must be 1-64 characters of a-z, 0-9, '.', '_', '-', got {name!r}")
    items = raw.get("labels")
    _need(isinstance(items, list) and len(items) >= 2, f"{where}: labels", "need a list of at least 2 labels")
    assert isinstance(items, list) and isinstance(name, str)
    labels = tuple(_label(item, f"{where}: labels[{i}]") for i, item in enumerate(items))
    names = [label.name for label in labels]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    _need(not duplicates, f"{where}: labels", f"duplicate label names {duplicates}")
    minimum = raw.get("min_examples", 0)
    _need(isinstance(minimum, int) and minimum >= 0, f"{where}: min_examples", "must be an integer >= 0")
    short = [f"{label.name} ({len(label.examples)})" for label in labels if len(label.examples) < minimum]
    _need(not short, f"{where}: labels", f"too few examples (min_examples is {minimum}): {', '.join(short)}")
    repeated = _texts_in_several_labels(labels, bool(raw.get("multi_label", False)))
    _need(not repeated, f"{where}: labels", f"single-label set, but an example appears under {'; '.join(repeated)} "
          "(keep it under one label, or set multi_label: true)")
    build = raw.get("build") or {}
    _need(isinstance(build, dict), f"{where}: build", "must be a mapping of build settings")
    domain = _domain(raw["domain"], base, f"{where}: domain") if raw.get("domain") is not None else None
    multi = raw.get("multi_label", False)
    _need(isinstance(multi, bool), f"{where}: multi_label", "must be true or false")
    return LabelSet(name, labels, bool(multi), str(raw.get("description", "")), minimum, domain, dict(build))


def _texts_in_several_labels(labels: tuple[Label, ...], multi_label: bool) -> list[str]:
    if multi_label:
        return []
    owners: dict[str, list[str]] = {}
    for label in labels:
        for text in label.examples:
            owners.setdefault(text, []).append(label.name)
    return sorted({", ".join(names) for names in owners.values() if len(names) > 1})


def load_labelset(path: Path) -> LabelSet:
    if not path.is_file():
        raise LabelSetError(f"{path}: label-set file missing")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise LabelSetError(f"{path}: not valid YAML ({err})") from err
    return parse_labelset(raw, str(path), path.parent)


def _rows(path: Path) -> list[dict[str, Any]]:
    # The training job's own CSV/JSONL reader, so a domain file reads exactly as a table dataset does.
    try:
        return read_table(path)
    except DataError as err:
        raise LabelSetError(str(err)) from err


def load_domain_texts(source: DomainSource) -> list[str]:
    """The domain column's distinct non-blank texts, in file order, up to `limit`."""
    path = Path(source.path)
    if not path.is_file():
        raise LabelSetError(f"domain.path: {path} is missing")
    texts: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(_rows(path), 1):
        if not isinstance(row, dict) or source.column not in row:
            raise LabelSetError(f"{path}: row {number} has no column {source.column!r} (domain.column)")
        text = str(row[source.column] or "").strip()
        if text and text not in seen:
            seen.add(text)
            texts.append(text)
        if source.limit is not None and len(texts) >= source.limit:
            break
    return texts
