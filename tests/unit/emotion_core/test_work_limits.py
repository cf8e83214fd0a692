"""Limits on model work: windows per text and per request, checked before any inference."""

from pathlib import Path

import pytest

from emotion_core import Classifier, InputError
from emotion_core.batch import classify_items

LONG = "the dog was at the day and the story " * 12  # many windows of the tiny bundle's 16 tokens


@pytest.fixture(scope="module")
def limited(tiny_bundle_dir: Path) -> Classifier:
    return Classifier.load(tiny_bundle_dir, threads=1, max_text_windows=3)


def test_windows_needed_counts_without_running_the_model(limited: Classifier) -> None:
    assert limited.windows_needed("so happy") == 1
    assert limited.windows_needed("   ") == 0
    assert limited.windows_needed(LONG) > 3


def test_a_text_over_the_window_limit_is_refused_naming_it(limited: Classifier) -> None:
    with pytest.raises(InputError) as single:
        limited.predict_one(LONG)
    assert single.value.field == "text" and "limit is 3 per text" in str(single.value)
    with pytest.raises(InputError) as batch:
        limited.predict(["so happy", LONG])
    assert batch.value.field == "texts[1]"
    assert "dog" not in str(batch.value)  # never the text itself


def test_a_request_over_its_window_budget_is_refused(limited: Classifier) -> None:
    texts = ["so happy", "so sad", "i am furious"]
    assert len(limited.predict(texts, max_total_windows=3)) == 3
    with pytest.raises(InputError) as error:
        limited.predict(texts, max_total_windows=2)
    assert error.value.field == "texts" and "limit is 2 per request" in str(error.value)


def test_a_batch_file_item_over_the_limit_becomes_its_own_error_line(limited: Classifier) -> None:
    lines = classify_items(limited, [{"id": "a", "text": "so happy"}, {"id": "b", "text": LONG}])
    assert lines[0]["id"] == "a" and lines[0]["emotion"] == "joy"
    assert lines[1]["id"] == "b" and "model windows" in lines[1]["error"] and "emotion" not in lines[1]
