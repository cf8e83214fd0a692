"""POST /v1/predict-emotion-audio on a real uvicorn: every format, raw and multipart, and every refusal."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers.speech import CONTENT_TYPES, ENCODINGS, SPOKEN, recording, silence, tone, word_error_rate
from tests.integration.audio.conftest import AudioServer


def _sentences_and_moods(answer: httpx.Response) -> list[tuple[str, str]]:
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert set(result) == {"language", "duration_s", "transcript", "segments", "overall", "task", "speech_model"}
    # Lossy re-encodes (MP3, AAC at their defaults) cost tiny.en a word or three of 19.
    assert word_error_rate(SPOKEN, result["transcript"]) <= 0.2
    return [(s["text"], s["prediction"]["emotion"]) for s in result["segments"]]


@pytest.mark.parametrize("audio_format", sorted(ENCODINGS))
def test_a_raw_recording_in_every_format(audio_server: AudioServer, audio_format: str) -> None:
    moods = _sentences_and_moods(audio_server.post(recording(audio_format), CONTENT_TYPES[audio_format]))
    assert len(moods) >= 3 and moods[0][1] == "joy" and moods[-1][1] == "sadness", moods


def test_a_multipart_upload_with_its_options(audio_server: AudioServer) -> None:
    answer = httpx.post(f"{audio_server.url}/v1/predict-emotion-audio", headers={"X-API-Key": "audio-test-key"},
                        files={"audio": ("voice-note.ogg", recording(), "audio/ogg")},
                        data={"include_scores": "true"}, timeout=120)
    assert len(_sentences_and_moods(answer)) == 4
    assert len(answer.json()["overall"]["scores"]["fine"]) == 28


def test_silence_answers_without_segments(audio_server: AudioServer) -> None:
    answer = audio_server.post(silence(3.0), "audio/wav")
    assert answer.status_code == 200
    result = answer.json()
    assert result["segments"] == [] and result["overall"]["emotion"] == "neutral"
    assert result["warning"] == "no speech was found in the recording"


def _refused(answer: httpx.Response, status: int, starts: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"].startswith(starts), answer.text


def test_a_body_that_is_not_audio_is_415(audio_server: AudioServer) -> None:
    _refused(audio_server.post(b'{"text": "hello"}', "audio/wav"), 415, "audio: cannot be opened as audio")


def test_a_type_that_is_not_audio_is_415(audio_server: AudioServer) -> None:
    _refused(audio_server.post(recording(), "text/plain"), 415, "Content-Type: text/plain is not audio")
    _refused(audio_server.post(recording(), None), 415, "Content-Type: missing is not audio")


def test_an_empty_body_is_422(audio_server: AudioServer) -> None:
    _refused(audio_server.post(b"", "audio/ogg"), 422, "audio: is empty (0 bytes)")


def test_a_truncated_file_is_422(audio_server: AudioServer) -> None:
    data = recording("mp3")
    _refused(audio_server.post(data[: len(data) // 2], "audio/mpeg"), 422, "audio: is truncated")


def test_a_recording_over_the_duration_limit_is_413(audio_server: AudioServer) -> None:
    _refused(audio_server.post(tone(9.0, "ogg"), "audio/ogg"), 413, "audio: lasts 9.0 s, over the 8 s limit")


def test_a_file_over_the_size_limit_is_413_before_it_is_read(audio_server: AudioServer) -> None:
    _refused(audio_server.post(b"\0" * 400_001, "audio/wav"), 413, "body: 400001 bytes is over the 400000-byte")


def test_a_multipart_body_without_the_audio_field_is_422(audio_server: AudioServer) -> None:
    answer = httpx.post(f"{audio_server.url}/v1/predict-emotion-audio", headers={"X-API-Key": "audio-test-key"},
                        files={"file": ("a.ogg", recording(), "audio/ogg")}, timeout=120)
    _refused(answer, 422, "audio: missing")


def test_translation_without_a_multilingual_model_is_422(audio_server: AudioServer) -> None:
    _refused(audio_server.post(recording(), "audio/ogg", params={"translate": "true"}), 422, "translate:")


def test_no_key_no_reading(audio_server: AudioServer) -> None:
    _refused(audio_server.post(recording(), "audio/ogg", key=None), 401, "Missing API key")


def test_the_logs_never_hold_what_was_said(audio_server: AudioServer) -> None:
    audio_server.post(recording(), "audio/ogg")
    log = audio_server.log.read_text().lower()
    assert "predict-emotion-audio" in log
    assert not any(word in log for word in ("gift", "alone", "thank you"))


def test_the_openapi_document_describes_both_body_kinds(audio_server: AudioServer) -> None:
    spec = httpx.get(f"{audio_server.url}/openapi.json", timeout=30).json()
    body = spec["paths"]["/v1/predict-emotion-audio"]["post"]["requestBody"]["content"]
    assert {"audio/*", "multipart/form-data"} <= set(body)
    assert "/v1/audio-jobs" in spec["paths"]
