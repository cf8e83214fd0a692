from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from bench.speech import summarize, word_error_rate
from bench.speech_clips import FOREIGN, build, clear_texts, load_manifest


@pytest.mark.parametrize(("reference", "hypothesis", "expected"), [
    ("Thank you so much!", "thank you, so much", 0.0),
    ("I love this gift", "I love his gift", 0.25),
    ("I love this gift", "I love this", 0.25),
    ("I love this gift", "I really love this gift", 0.25),
    ("", "", 0.0),
])
def test_word_error_rate(reference: str, hypothesis: str, expected: float) -> None:
    assert word_error_rate(reference, hypothesis) == expected


def _goemotions(root: Path) -> Path:
    (root / "ekman").mkdir(parents=True)
    (root / "ekman" / "labels.txt").write_text("anger\njoy\n")
    rows = ["I am so angry at this stupid decision today\t0\ta1",
            "I am so happy, thank you so much for this\t1\tj1",
            "Two labels here for this fairly long sentence\t0,1\tx1",
            "[NAME] is so happy about this nice thing\t1\tx2",
            "Too short\t1\tx3",
            "What a lovely surprise, I really like it\t1\tj2"]
    (root / "ekman" / "test.tsv").write_text("\n".join(rows) + "\n")
    return root


def test_clear_texts_are_single_label_plain_and_bounded_per_label(tmp_path: Path) -> None:
    chosen = clear_texts(_goemotions(tmp_path), per_label=1)
    assert chosen == [("a1", "I am so angry at this stupid decision today", "anger"),
                      ("j1", "I am so happy, thank you so much for this", "joy")]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)")
def test_build_speaks_every_text_and_adds_noise(tmp_path: Path) -> None:
    clips = build(tmp_path / "clips", _goemotions(tmp_path / "data"), per_label=2, foreign=1)
    assert [c.language for c in clips] == ["en", "en", "en", "es"] and clips[-1].reference_en == FOREIGN[0][3]
    assert load_manifest(tmp_path / "clips") == clips
    assert [c.noisy for c in clips[:3]] == [False, False, True]
    with wave.open(clips[2].path) as noisy:
        pcm = np.frombuffer(noisy.readframes(noisy.getnframes()), dtype=np.int16)
    assert np.count_nonzero(pcm) > 0.95 * len(pcm)  # noise leaves no silent sample


def test_summary_separates_english_and_translated_clips() -> None:
    rows = [{"language": "en", "noisy": False, "wer": 0.1, "rtf": 0.2, "seconds": 1.0, "duration_s": 5.0,
             "detected": "en", "spoken_emotion": "joy", "written_emotion": "joy"},
            {"language": "en", "noisy": True, "wer": 0.3, "rtf": 0.4, "seconds": 2.0, "duration_s": 5.0,
             "detected": "en", "spoken_emotion": "fear", "written_emotion": "joy"},
            {"language": "de", "noisy": False, "rtf": 0.9, "seconds": 3.0, "duration_s": 3.3,
             "detected": "de", "spoken_emotion": "anger", "written_emotion": "anger"}]
    summary = summarize("base", rows)
    assert (summary["wer_mean"], summary["wer_clean"], summary["wer_noisy"]) == (0.2, 0.1, 0.3)
    assert summary["emotion_agreement"] == 0.5
    assert (summary["translation_clips"], summary["translation_emotion_agreement"], summary["language_detected"]) == (
        1, 1.0, 1.0)
