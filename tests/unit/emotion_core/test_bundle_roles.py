"""Any set of heads is served: head roles (primary, sentiment, reactions) and text normalisation."""

from pathlib import Path
from typing import Any

import pytest

from devtools.tiny_bundle import CARER_HEADS, CARER_LABELS, GOEMOTIONS_HEADS, build_tiny_bundle
from emotion_core import BundleError, Classifier
from emotion_core.normalize import TEXT_NORMALIZATIONS


@pytest.fixture(scope="module")
def carer_classifier(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    return Classifier.load(build_tiny_bundle(tmp_path_factory.mktemp("carer"), heads=CARER_HEADS), threads=1)


SPEC = Path(__file__).resolve().parents[3] / "docs" / "bundle-format.md"


def _load(tmp_path: Path, heads: Any = None, **metadata: Any) -> Classifier:
    return Classifier.load(build_tiny_bundle(tmp_path, heads=heads, metadata=metadata), threads=1)


def test_carer_like_bundle_answers_from_its_single_head(carer_classifier: Classifier) -> None:
    assert carer_classifier.heads == {"emotion": CARER_LABELS}
    bundle = carer_classifier.bundle
    assert (bundle.primary_head, bundle.sentiment_head, bundle.reactions_head) == ("emotion", None, "emotion")
    happy, scared, furious = carer_classifier.predict(["I am so happy", "I am scared", "so furious"],
                                                      include_scores=True)
    assert [happy.emotion, scared.emotion, furious.emotion] == ["joy", "fear", "anger"]
    # One logit at +4 against five at -4, through the head's softmax.
    assert happy.confidence == pytest.approx(0.9983, abs=1e-4)
    assert happy.scores is not None and sum(happy.scores["emotion"].values()) == pytest.approx(1.0, abs=1e-3)
    assert happy.sentiment is None
    line = happy.to_dict()
    assert list(line) == ["emotion", "confidence", "labels", "reactions", "windows", "language", "scores"]
    assert line["labels"] == {"emotion": [{"label": "joy", "score": 0.9983}]}
    # Reactions come from the label names (joy's emojis in reactions.json); with no sentiment head
    # nothing clashes by tone, so only label blocks apply (anger blocks 🎉).
    assert line["reactions"] == {"allowed": ["😊", "😄", "🥳"], "blocked": []}
    assert "🎉" in furious.reactions.blocked and "😡" in furious.reactions.allowed


def test_carer_like_bundle_reads_long_and_blank_texts(carer_classifier: Classifier) -> None:
    long_text = " ".join(["the dog was in the story"] * 10) + " and I was so sad"
    read, blank = carer_classifier.predict([long_text, "  "])
    assert read.windows > 1 and read.emotion == "sadness"
    # A blank text is not read; the answer stays the documented neutral at 1.0, without sentiment.
    assert blank.to_dict() == {"emotion": "neutral", "confidence": 1.0, "labels": {"emotion": []},
                               "reactions": {"allowed": [], "blocked": []}, "windows": 0}


def test_primary_names_the_head_that_gives_emotion(tmp_path: Path) -> None:
    by_fine = _load(tmp_path, primary="fine").predict_one("thanks")
    assert (by_fine.emotion, by_fine.sentiment) == ("gratitude", "positive")  # ekman would say joy


def test_sentiment_null_leaves_the_field_out_although_a_head_has_that_name(tmp_path: Path) -> None:
    classifier = _load(tmp_path, sentiment=None)
    prediction = classifier.predict_one("so happy")
    assert classifier.bundle.sentiment_head is None
    assert prediction.sentiment is None and "sentiment" not in prediction.to_dict()
    assert [entry.label for entry in prediction.labels["sentiment"]] == ["positive"]  # still a head


def test_reactions_follow_the_named_head(tmp_path: Path) -> None:
    # fine finds joy + gratitude (🙏 is gratitude's); the ekman head only finds joy.
    by_ekman = _load(tmp_path, reactions="ekman").predict_one("so happy, thanks")
    assert by_ekman.reactions.allowed == ("😊", "😄", "🥳")


def test_several_heads_and_no_ekman_need_a_primary(tmp_path: Path) -> None:
    heads = {**CARER_HEADS, "sentiment": GOEMOTIONS_HEADS["sentiment"]}
    with pytest.raises(BundleError, match=r"model\.json: primary is missing: with heads \['emotion', 'sentiment'\]"):
        _load(tmp_path / "without", heads)
    prediction = _load(tmp_path / "with", heads, primary="emotion").predict_one("I am scared")
    assert (prediction.emotion, prediction.sentiment) == ("fear", "negative")
    assert prediction.reactions.blocked  # the sentiment head brings back the tone clashes


@pytest.mark.parametrize(("key", "value"), [
    ("primary", "emotion"), ("primary", None), ("primary", 1), ("sentiment", "mood"),
    ("reactions", "emoji"), ("reactions", None),
])
def test_a_role_naming_no_head_is_refused_naming_the_key(tmp_path: Path, key: str, value: Any) -> None:
    with pytest.raises(BundleError, match=rf"model\.json: {key} must name one of the heads \['fine', 'ekman', "
                                          rf"'sentiment'\], got {value!r}"):
        _load(tmp_path, **{key: value})


def test_unknown_text_normalization_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"model\.json: text_normalization 'emoji-words-2' is not one"):
        _load(tmp_path, text_normalization="emoji-words-2")


def test_normalization_reads_emojis_only_when_the_bundle_asks(tiny_classifier: Classifier, tmp_path: Path) -> None:
    normalizing = _load(tmp_path, text_normalization="emoji-words-1")
    assert normalizing.bundle.text_normalization == "emoji-words-1"
    texts = ["😡", "the day 😢", "the day :(", "so happy, thanks"]
    raw = tiny_classifier.predict(texts)
    read = normalizing.predict(texts)
    # Without it the tokenizer sees [UNK] or punctuation; with it "angry pouting face rage" and
    # "crying sad face" / "frowning sad face", whose words the tiny vocabulary knows.
    assert [p.emotion for p in raw] == ["neutral", "neutral", "neutral", "joy"]
    assert [p.emotion for p in read] == ["anger", "sadness", "sadness", "joy"]
    # Text without emojis reaches the model unchanged.
    assert read[3] == raw[3]


def test_the_spec_names_every_normalization_this_code_knows() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in spec for name in TEXT_NORMALIZATIONS)
