"""Emoji reactions: which emojis fit a text's emotions, and which clash with it (😂 on grief)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_REACTIONS_FILE = Path(__file__).resolve().parent / "data" / "reactions.json"


@dataclass(frozen=True)
class Reactions:
    tones: dict[str, str]                   # emoji -> tone, in file order
    clashes: dict[str, frozenset[str]]      # tone -> text sentiments it clashes with
    emojis: dict[str, tuple[str, ...]]      # label of the reactions head -> fitting emojis
    blocks: dict[str, frozenset[str]]       # label of the reactions head -> emojis never shown with it

    def for_text(self, labels: Sequence[str], sentiment: str | None) -> dict[str, list[str]]:
        """`labels`: the reactions head's detected labels, highest score first; `sentiment`: the text's
        top sentiment, or None for a bundle without a sentiment head (then no tone clashes apply)."""
        blocked_set: set[str] = set()
        for label in labels:
            blocked_set |= self.blocks.get(label, frozenset())
        if sentiment is not None:
            blocked_set |= {e for e, tone in self.tones.items() if sentiment in self.clashes.get(tone, ())}
        allowed: list[str] = []
        for label in labels:
            allowed += [e for e in self.emojis.get(label, ()) if e not in blocked_set and e not in allowed]
        # File order keeps the blocked list stable from one text to the next.
        return {"allowed": allowed, "blocked": [e for e in self.tones if e in blocked_set]}

    def as_dict(self) -> dict[str, Any]:
        """The map as served by GET /v1/labels."""
        return {
            "labels": {label: list(emojis) for label, emojis in self.emojis.items()},
            "blocks": {label: sorted(emojis) for label, emojis in self.blocks.items() if emojis},
            "tones": dict(self.tones),
            "clashes": {tone: sorted(sentiments) for tone, sentiments in self.clashes.items()},
        }


def load_reactions(path: Path | None, labels: Sequence[str]) -> Reactions:
    """Read the map for `labels` (the bundle's reactions head): the file is keyed by label name, so
    any subset of its labels works (CARER's six are all GoEmotions labels); file labels the bundle
    does not have are dropped, bundle labels the file lacks get no emojis."""
    path = path or DEFAULT_REACTIONS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"reactions file {path}: not readable JSON ({exc})") from exc

    def fail(message: str) -> ConfigError:
        return ConfigError(f"reactions file {path}: {message}")

    if not isinstance(data, dict) or data.get("format_version") != 1:
        raise fail("must be an object with format_version 1")
    tones, clashes, by_label = data.get("tones"), data.get("clashes", {}), data.get("labels")
    if not isinstance(tones, dict) or not all(isinstance(v, str) for v in tones.values()):
        raise fail("'tones' must map each emoji to a tone name")
    if not isinstance(clashes, dict) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in clashes.values()):
        raise fail("'clashes' must map a tone to a list of sentiments")
    if not isinstance(by_label, dict):
        raise fail("'labels' must map label names to {emojis, blocks}")

    emojis: dict[str, tuple[str, ...]] = {}
    blocks: dict[str, frozenset[str]] = {}
    for label in labels:
        spec = by_label.get(label, {})
        if not isinstance(spec, dict):
            raise fail(f"labels.{label} must be an object")
        for key in ("emojis", "blocks"):
            values = spec.get(key, [])
            if not isinstance(values, list) or not all(isinstance(e, str) for e in values):
                raise fail(f"labels.{label}.{key} must be a list of emojis")
            unknown = [e for e in values if e not in tones]
            if unknown:
                raise fail(f"labels.{label}.{key} uses {unknown} which 'tones' does not list")
        emojis[label] = tuple(spec.get("emojis", []))
        blocks[label] = frozenset(spec.get("blocks", []))
    return Reactions(tones=dict(tones), clashes={t: frozenset(s) for t, s in clashes.items()},
                     emojis=emojis, blocks=blocks)
