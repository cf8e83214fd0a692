"""Model 2.0 scoring: calibration from model.json, the long-text window rule, batch-mate independence,
and the language check."""

import json
import math
from pathlib import Path

import pytest

from devtools.tiny_bundle import CARER_HEADS, build_tiny_bundle
from emotion_core import BundleError, Classifier

CHALLENGE = Path(__file__).resolve().parents[3] / "training" / "challenge" / "challenge.jsonl"


def _edit_heads(bundle_dir: Path, **changes: dict[str, object]) -> None:
    meta_path = bundle_dir / "model.json"
    metadata = json.loads(meta_path.read_text())
    for head, values in changes.items():
        metadata["heads"][head].update(values)
    meta_path.write_text(json.dumps(metadata))


def test_temperature_divides_the_logits_of_a_softmax_head(tmp_path: Path) -> None:
    bundle_dir = build_tiny_bundle(tmp_path / "carer", heads=CARER_HEADS)
    _edit_heads(bundle_dir, emotion={"temperature": 2.0})
    happy = Classifier.load(bundle_dir, threads=1).predict_one("I am so happy")
    # The tiny graph gives the present label +4 and the five others -4; at T = 2: e^2 / (e^2 + 5 e^-2).
    expected = math.exp(2) / (math.exp(2) + 5 * math.exp(-2))
    assert happy.emotion == "joy"
    assert happy.confidence == pytest.approx(expected, abs=1e-4)


def test_platt_scaling_maps_each_label_of_a_sigmoid_head(tmp_path: Path) -> None:
    bundle_dir = build_tiny_bundle(tmp_path / "tiny")
    _edit_heads(bundle_dir, fine={"platt": [[0.5, -1.0]] * 28})
    scores = Classifier.load(bundle_dir, threads=1).predict_one("happy", include_scores=True).scores
    assert scores is not None
    assert scores["fine"]["joy"] == pytest.approx(1 / (1 + math.exp(-(0.5 * 4 - 1))), abs=1e-4)
    assert scores["fine"]["anger"] == pytest.approx(1 / (1 + math.exp(-(0.5 * -4 - 1))), abs=1e-4)


@pytest.mark.parametrize(("change", "named"), [
    ({"fine": {"platt": [[0.5, -1.0]] * 3}}, "heads.fine.platt"),
    ({"fine": {"platt": [[-0.5, 0.0]] * 28}}, "heads.fine.platt"),
    ({"ekman": {"temperature": 0}}, "heads.ekman.temperature"),
    ({"ekman": {"activation": "softmax", "platt": [[1.0, 0.0]] * 7}}, "heads.ekman.platt"),
])
def test_bad_calibration_is_refused_naming_the_key(tmp_path: Path, change: dict[str, dict[str, object]],
                                                   named: str) -> None:
    bundle_dir = build_tiny_bundle(tmp_path / "tiny")
    _edit_heads(bundle_dir, **change)
    with pytest.raises(BundleError, match=named):
        Classifier.load(bundle_dir, threads=1)


def test_one_emotional_window_decides_a_long_neutral_text(tiny_classifier: Classifier) -> None:
    filler = "the dog was at the day and the story " * 12
    text = filler + "i am furious " + filler
    prediction = tiny_classifier.predict_one(text, include_scores=True)
    assert prediction.windows > 3
    assert prediction.emotion == "anger"
    assert [entry.label for entry in prediction.labels["fine"]] == ["anger"]  # filler windows' neutral dropped
    calm = tiny_classifier.predict_one(filler * 2)
    assert calm.windows > 3 and calm.emotion == "neutral"


def test_an_answer_does_not_depend_on_the_other_texts(bundle_dir: Path) -> None:
    """Same text alone or among others (the single route vs the batch route vs a bulk chunk)."""
    classifier = Classifier.load(bundle_dir, threads=1)
    texts = [json.loads(line)["text"] for line in CHALLENGE.read_text(encoding="utf-8").splitlines()][:120]
    texts.append("I waited all week. " * 60 + "Then they cancelled, and I am furious.")
    together = classifier.predict(texts, include_scores=True)
    alone = [classifier.predict_one(text, include_scores=True) for text in texts]
    assert [p.to_dict() for p in together] == [p.to_dict() for p in alone]


def test_batch_invariant_bundles_batch_windows_and_agree(tmp_path: Path, tiny_classifier: Classifier) -> None:
    bundle_dir = build_tiny_bundle(tmp_path / "tiny", metadata={"batch_invariant": True})
    batched = Classifier.load(bundle_dir, threads=1, batch_size=8)
    texts = ["so happy", "i am scared and sad", "ok " * 40 + "furious", ""]
    assert [p.to_dict() for p in batched.predict(texts)] == [p.to_dict() for p in tiny_classifier.predict(texts)]


def test_text_in_a_language_the_model_cannot_read_says_so(tiny_classifier: Classifier) -> None:
    spanish, english = tiny_classifier.predict(["Estoy muy enojado con el servicio.", "so happy, thanks"])
    assert spanish.language == "es"
    assert spanish.warning is not None and "'es'" in spanish.warning and "en" in spanish.warning
    assert "Estoy" not in spanish.warning  # never the text itself
    assert (english.language, english.warning) == ("en", None)
