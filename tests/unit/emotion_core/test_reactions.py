"""Emoji reactions: fitting emojis allowed, clashing ones blocked, the map overridable."""

import json
from pathlib import Path

import pytest

from devtools.tiny_bundle import CARER_LABELS, FINE_LABELS
from emotion_core import Classifier, ConfigError
from emotion_core.reactions import DEFAULT_REACTIONS_FILE, load_reactions


def test_grief_blocks_laughter_and_celebration(tiny_classifier: Classifier) -> None:
    reactions = tiny_classifier.predict_one("my dog died, the funeral was today").reactions
    assert "😂" in reactions.blocked
    assert "🎉" in reactions.blocked
    assert "😂" not in reactions.allowed
    assert "😢" in reactions.allowed


def test_anger_blocks_party_emojis(tiny_classifier: Classifier) -> None:
    reactions = tiny_classifier.predict_one("I am furious").reactions
    assert "🎉" in reactions.blocked
    assert "😡" in reactions.allowed


def test_joy_allows_its_emojis_and_blocks_crying(tiny_classifier: Classifier) -> None:
    reactions = tiny_classifier.predict_one("so happy, thanks").reactions
    assert {"😊", "🙏"} <= set(reactions.allowed)
    assert "😢" in reactions.blocked
    assert not set(reactions.allowed) & set(reactions.blocked)


def test_blocked_wins_when_emotions_are_mixed(tiny_classifier: Classifier) -> None:
    # amusement offers 😂, grief blocks it: a mixed text must never be offered 😂.
    reactions = tiny_classifier.predict_one("lol but my dog died").reactions
    assert "😂" in reactions.blocked
    assert "😂" not in reactions.allowed


def test_default_map_covers_every_goemotions_label() -> None:
    reactions = load_reactions(None, FINE_LABELS)
    assert all(reactions.emojis[label] for label in FINE_LABELS)


def test_a_subset_of_goemotions_labels_gets_their_emojis() -> None:
    # A CARER bundle's reactions head: the map is keyed by label name, so its six labels find theirs.
    reactions = load_reactions(None, CARER_LABELS)
    assert list(reactions.emojis) == CARER_LABELS
    assert all(reactions.emojis[label] for label in CARER_LABELS)
    assert reactions.emojis["love"] == load_reactions(None, FINE_LABELS).emojis["love"]
    assert "😂" in reactions.blocks["sadness"]


def test_labels_missing_from_the_file_just_have_no_emojis() -> None:
    reactions = load_reactions(None, [*FINE_LABELS, "schadenfreude"])
    assert reactions.emojis["schadenfreude"] == ()


def test_override_file_is_used(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    custom = tmp_path / "reactions.json"
    custom.write_text(json.dumps({
        "format_version": 1,
        "tones": {"🦄": "positive", "🌧️": "negative"},
        "clashes": {"positive": ["negative"], "negative": ["positive"]},
        "labels": {"joy": {"emojis": ["🦄"]}, "sadness": {"emojis": ["🌧️"]}},
    }), encoding="utf-8")
    classifier = Classifier.load(tiny_bundle_dir, threads=1, reactions_file=custom)
    assert classifier.predict_one("happy").to_dict()["reactions"] == {"allowed": ["🦄"], "blocked": ["🌧️"]}
    assert classifier.reactions["joy"] == ["🦄"]
    assert classifier.reactions["anger"] == []
    assert classifier.reaction_rules["tones"] == {"🦄": "positive", "🌧️": "negative"}


def test_emoji_without_a_tone_is_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "reactions.json"
    data = json.loads(DEFAULT_REACTIONS_FILE.read_text(encoding="utf-8"))
    data["labels"]["joy"]["emojis"].append("🦄")
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reactions\.json: labels\.joy\.emojis uses \['🦄'\]"):
        load_reactions(broken, FINE_LABELS)


def test_unreadable_override_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "reactions.json"
    broken.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reactions file .*reactions\.json: not readable JSON"):
        load_reactions(broken, FINE_LABELS)
