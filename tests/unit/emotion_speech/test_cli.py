from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotion_speech.cli import main
from emotion_speech.models import ResolvedModel
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.speech import RECORDING


def test_transcribe_prints_the_result_and_draws_a_progress_bar(
    tiny_en: ResolvedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["transcribe", str(RECORDING), "--model", str(tiny_en.path), "--model-dir", str(RELEASED_BUNDLE)])
    out, err = capsys.readouterr()
    assert code == 0
    result = json.loads(out)
    assert result["language"] == "en" and len(result["segments"]) == 4
    assert result["segments"][0]["prediction"]["emotion"] == "joy"
    assert "two-moods.ogg" in err and "100%" in err


def test_a_file_that_is_not_audio_is_an_error_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not audio at all")
    assert main(["transcribe", str(bogus), "--no-progress"]) == 2
    assert "error: audio cannot be opened as audio" in capsys.readouterr().err
