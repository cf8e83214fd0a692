"""Predictions: the docs/prediction.md shape, thresholds, long-text windows, blank texts, input order."""

import json
import logging
import shutil
from pathlib import Path

import pytest

from devtools.tiny_bundle import build_tiny_bundle
from emotion_core import BundleError, Classifier, ConfigError, InputError, Prediction, Settings

# In this order: the JSON of 1.0.0 plus `language` (2.0), the same in the API, the CLI and bulk results.
PREDICTION_KEYS = ["emotion", "confidence", "sentiment", "labels", "reactions", "windows", "language"]


def test_prediction_has_the_documented_shape(bundle_dir: Path) -> None:
    classifier = Classifier.load(bundle_dir, threads=1)
    prediction = classifier.predict_one("I am so happy today, thanks!")
    assert isinstance(prediction, Prediction)
    assert list(prediction.to_dict()) == PREDICTION_KEYS
    assert prediction.emotion in classifier.heads["ekman"]
    assert 0.0 <= prediction.confidence <= 1.0
    assert prediction.sentiment in classifier.heads["sentiment"]
    assert list(prediction.labels) == ["fine", "ekman", "sentiment"]
    for head, entries in prediction.labels.items():
        scores = [entry.score for entry in entries]
        assert scores == sorted(scores, reverse=True), f"{head} labels must be highest first"
        assert all(entry.label in classifier.heads[head] for entry in entries)
    assert set(prediction.to_dict()["reactions"]) == {"allowed", "blocked"}
    assert prediction.windows == 1
    assert prediction.language == "en"
    assert (prediction.warning, prediction.model, prediction.scores) == (None,) * 3


def test_emotion_words_give_their_labels(tiny_classifier: Classifier) -> None:
    happy, sad, angry = tiny_classifier.predict(["I am so happy, thanks", "so sad today", "I am furious"])
    assert happy.emotion == "joy" and happy.sentiment == "positive"
    assert {e.label for e in happy.labels["fine"]} == {"joy", "gratitude"}
    assert sad.emotion == "sadness" and sad.sentiment == "negative"
    assert angry.emotion == "anger"
    assert angry.confidence == pytest.approx(0.982, abs=1e-3)


def test_scores_only_on_request_and_rounded(tiny_classifier: Classifier) -> None:
    plain = tiny_classifier.predict_one("happy")
    assert plain.scores is None and "scores" not in plain.to_dict()
    scored = tiny_classifier.predict_one("happy", include_scores=True)
    assert scored.scores is not None
    assert list(scored.scores["fine"]) == tiny_classifier.heads["fine"]
    assert list(scored.scores["ekman"]) == tiny_classifier.heads["ekman"]
    joy = scored.scores["fine"]["joy"]
    assert joy == round(joy, 4) and joy > 0.9
    assert scored.scores["fine"]["anger"] < 0.05
    assert list(scored.to_dict()) == [*PREDICTION_KEYS, "scores"]


def test_each_label_uses_its_own_threshold(tmp_path: Path) -> None:
    bundle = build_tiny_bundle(tmp_path, thresholds={"fine": {"surprise": 0.99}, "ekman": {"surprise": 0.99}})
    classifier = Classifier.load(bundle, threads=1)
    prediction = classifier.predict_one("wow, so happy", include_scores=True)
    fine = {entry.label for entry in prediction.labels["fine"]}
    # surprise scores ~0.98 like joy, but its tuned threshold is higher.
    assert prediction.scores is not None and prediction.scores["fine"]["surprise"] > 0.9
    assert fine == {"joy"}
    assert [e.label for e in prediction.labels["ekman"]] == ["joy"]


@pytest.mark.parametrize("text", ["", " ", "\n\t  "])
def test_blank_text_is_neutral_with_full_confidence(tiny_classifier: Classifier, text: str) -> None:
    prediction = tiny_classifier.predict_one(text, include_scores=True).to_dict()
    assert prediction["emotion"] == "neutral"
    assert prediction["confidence"] == 1.0
    assert prediction["sentiment"] == "neutral"
    assert prediction["windows"] == 0
    assert prediction["labels"]["fine"] == [{"label": "neutral", "score": 1.0}]
    assert prediction["scores"]["ekman"]["joy"] == 0.0


def test_text_without_emotion_words_is_neutral(tiny_classifier: Classifier) -> None:
    prediction = tiny_classifier.predict_one("the dog was in the story")
    assert prediction.emotion == "neutral"
    assert prediction.sentiment == "neutral"


def test_long_text_is_read_in_windows_and_the_end_still_counts(tiny_classifier: Classifier) -> None:
    # max_length 16 leaves 14 tokens per window; the only emotion word is the very last one.
    text = " ".join(["the dog was in the story"] * 10) + " and then I was furious"
    prediction = tiny_classifier.predict_one(text)
    assert prediction.windows > 1
    assert "anger" in {entry.label for entry in prediction.labels["fine"]}
    assert prediction.emotion in {"anger", "neutral"}
    assert "anger" in {entry.label for entry in prediction.labels["ekman"]}


def test_window_count_follows_the_stride(tiny_bundle_dir: Path) -> None:
    text = " ".join(["word"] * 40)  # 40 tokens, 14 per window
    no_overlap = Classifier.load(tiny_bundle_dir, threads=1, window_stride=0).predict_one(text)
    overlap = Classifier.load(tiny_bundle_dir, threads=1, window_stride=7).predict_one(text)
    assert no_overlap.windows == 3  # 14 + 14 + 12
    assert overlap.windows == 5  # each window adds 7 new tokens after the first 14


def test_order_is_kept_although_batches_are_sorted_by_length(tiny_bundle_dir: Path) -> None:
    classifier = Classifier.load(tiny_bundle_dir, threads=1, batch_size=2)
    texts = [
        "the day was long and the story was long and I was so sad",
        "happy",
        "",
        "the dog was scared",
        " ".join(["the story"] * 20) + " funny",
        "angry",
    ]
    emotions = [prediction.emotion for prediction in classifier.predict(texts)]
    single = [classifier.predict_one(text).emotion for text in texts]
    assert emotions == ["sadness", "joy", "neutral", "fear", single[4], "anger"]
    assert emotions == single


def test_empty_list_gives_empty_list(tiny_classifier: Classifier) -> None:
    assert tiny_classifier.predict([]) == []


def test_non_string_is_refused_naming_its_position(tiny_classifier: Classifier) -> None:
    with pytest.raises(InputError) as error:
        tiny_classifier.predict(["fine", 3])  # type: ignore[list-item]
    assert error.value.field == "texts[1]"
    assert "must be a string" in str(error.value)


def test_a_bare_string_is_not_taken_for_a_list(tiny_classifier: Classifier) -> None:
    with pytest.raises(InputError, match="texts: must be a list of strings"):
        tiny_classifier.predict("happy")


def test_too_long_text_is_refused_naming_the_field(tiny_bundle_dir: Path) -> None:
    classifier = Classifier.load(tiny_bundle_dir, threads=1, max_text_chars=10)
    with pytest.raises(InputError) as error:
        classifier.predict(["short", "much longer than ten"])
    assert error.value.field == "texts[1]"
    assert "20 characters; the limit is 10" in str(error.value)
    with pytest.raises(InputError, match=r"^text: "):
        classifier.predict_one("much longer than ten")


def test_unpaired_surrogate_is_an_input_error_not_a_crash(tiny_classifier: Classifier) -> None:
    with pytest.raises(InputError) as error:
        tiny_classifier.predict(["happy", "bad \ud800 text"])
    assert error.value.field == "texts[1]"
    assert "unpaired surrogate" in error.value.message


def test_unicode_and_unknown_words_do_not_break_inference(tiny_classifier: Classifier) -> None:
    predictions = tiny_classifier.predict(["😀 ✨ zzz qwerty", "ça va? 日本語", "!!!"])
    assert [p.windows for p in predictions] == [1, 1, 1]
    assert all(p.emotion in tiny_classifier.heads["ekman"] for p in predictions)


def test_stride_that_leaves_no_progress_is_a_config_error(tiny_bundle_dir: Path) -> None:
    with pytest.raises(ConfigError, match="WINDOW_STRIDE=14 must be below 14"):
        Classifier.load(tiny_bundle_dir, threads=1, window_stride=14)


def test_from_settings_uses_every_relevant_setting(tiny_bundle_dir: Path) -> None:
    settings = Settings(model_dir=tiny_bundle_dir, ort_threads=1, max_text_chars=5, window_stride=3)
    classifier = Classifier.from_settings(settings)
    assert classifier.max_text_chars == 5
    assert classifier.window_stride == 3
    assert classifier.threads == 1


def test_texts_never_reach_the_logs(tiny_bundle_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = "my secret diary says I am furious"
    with caplog.at_level(logging.DEBUG):
        classifier = Classifier.load(tiny_bundle_dir, threads=1)
        classifier.predict([secret, " ".join(["word"] * 50) + " diary"])
    assert caplog.records, "loading should log the model it loaded"
    assert "diary" not in caplog.text


def test_softmax_head_scores_sum_to_one(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    bundle = Path(shutil.copytree(tiny_bundle_dir, tmp_path / "bundle"))
    meta = json.loads((bundle / "model.json").read_text())
    meta["heads"]["sentiment"]["activation"] = "softmax"
    (bundle / "model.json").write_text(json.dumps(meta))
    prediction = Classifier.load(bundle, threads=1).predict_one("so happy", include_scores=True).to_dict()
    assert sum(prediction["scores"]["sentiment"].values()) == pytest.approx(1.0, abs=1e-3)
    assert prediction["sentiment"] == "positive"
    assert prediction["scores"]["sentiment"]["positive"] > 0.99
    # The other heads stay sigmoid: independent scores.
    assert sum(prediction["scores"]["fine"].values()) > 1.2


def test_unknown_activation_is_refused(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    bundle = Path(shutil.copytree(tiny_bundle_dir, tmp_path / "bundle"))
    meta = json.loads((bundle / "model.json").read_text())
    meta["heads"]["ekman"]["activation"] = "tanh"
    (bundle / "model.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=r"heads\.ekman\.activation 'tanh' is not one of"):
        Classifier.load(bundle, threads=1)
