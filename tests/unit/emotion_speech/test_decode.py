from __future__ import annotations

import pytest

from emotion_speech.decode import decode_audio
from emotion_speech.errors import AudioError
from tests.helpers.speech import ENCODINGS, recording, silence, tone

MAX_BYTES, MAX_SECONDS = 4_000_000, 60.0


@pytest.mark.parametrize("audio_format", sorted(ENCODINGS))
def test_every_documented_format_decodes_to_the_same_length(audio_format: str) -> None:
    decoded = decode_audio(recording(audio_format), max_bytes=MAX_BYTES, max_seconds=MAX_SECONDS)
    assert decoded.format == audio_format
    # Codec framing (AAC priming, Opus pre-skip, our FLAC encoder padding its last block) moves the end.
    assert decoded.duration_s == pytest.approx(6.8, abs=0.2)
    assert decoded.samples.dtype.name == "float32" and decoded.samples.ndim == 1


def _problem(data: bytes, max_bytes: int = MAX_BYTES, max_seconds: float = MAX_SECONDS) -> AudioError:
    with pytest.raises(AudioError) as caught:
        decode_audio(data, max_bytes=max_bytes, max_seconds=max_seconds)
    return caught.value


def test_empty_body_is_unreadable() -> None:
    error = _problem(b"")
    assert (error.kind, error.field, error.message) == ("unreadable", "audio", "is empty (0 bytes)")


@pytest.mark.parametrize("data", [b"just some text, not audio", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                                  b'{"text": "hello"}', bytes(range(256)) * 4])
def test_non_audio_is_unsupported(data: bytes) -> None:
    assert _problem(data).kind == "unsupported"


@pytest.mark.parametrize("audio_format", ["wav", "mp3", "webm"])
def test_a_file_cut_in_half_is_reported_truncated(audio_format: str) -> None:
    data = recording(audio_format)
    error = _problem(data[: len(data) // 2])
    assert error.kind == "unreadable" and "truncated" in error.message


def test_a_header_without_samples_is_unreadable() -> None:
    data = recording("wav")
    header = data[: data.index(b"data") + 8]
    assert _problem(header).kind == "unreadable"


def test_too_many_bytes_are_refused_before_decoding() -> None:
    data = recording("wav")
    error = _problem(data, max_bytes=len(data) - 1)
    assert error.kind == "too_large" and f"{len(data)} bytes" in error.message


@pytest.mark.parametrize("audio_format", ["wav", "ogg"])
def test_a_recording_over_the_duration_limit_is_refused(audio_format: str) -> None:
    error = _problem(tone(3.0, audio_format), max_seconds=2.0)
    assert error.kind == "too_long" and "2 s limit" in error.message


def test_silence_decodes() -> None:
    assert decode_audio(silence(2.0), max_bytes=MAX_BYTES, max_seconds=MAX_SECONDS).duration_s == pytest.approx(2.0)
