"""Recordings for the speech tests: the committed espeak-ng clip, re-encoded with PyAV on the fly."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest

from bench.speech import word_error_rate as word_error_rate  # the bench's WER, re-exported for the tests
from emotion_speech import ModelError, resolve_model
from emotion_speech.decode import SAMPLE_RATE, decode_audio
from emotion_speech.models import ResolvedModel

# espeak-ng 1.51: `espeak-ng -v en-us -s 150 -w rec.wav "Thank you so much, I love this gift. Then the news
# came, and I felt so sad and alone."`, stored as 24 kb/s Opus (tests/helpers/speech.py: encode).
RECORDING = Path(__file__).resolve().parents[1] / "golden" / "speech" / "two-moods.ogg"
SPOKEN = "Thank you so much, I love this gift. Then the news came, and I felt so sad and alone."

# (container, codec, sample rate) per format the service documents.
ENCODINGS = {"wav": ("wav", "pcm_s16le", 16_000), "mp3": ("mp3", "libmp3lame", 16_000),
             "m4a": ("ipod", "aac", 16_000), "ogg": ("ogg", "libopus", 48_000),
             "webm": ("webm", "libopus", 48_000), "flac": ("flac", "flac", 16_000)}
CONTENT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg",
                 "webm": "audio/webm", "flac": "audio/flac"}


def samples_of(data: bytes) -> np.ndarray:
    return decode_audio(data, max_bytes=len(data) + 1, max_seconds=3600).samples


def encode(samples: np.ndarray, audio_format: str, *, bit_rate: int | None = None) -> bytes:
    """16 kHz mono float samples as a file of `audio_format` (a key of ENCODINGS)."""
    container, codec, rate = ENCODINGS[audio_format]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        if bit_rate:
            stream.bit_rate = bit_rate
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        sample_format = stream.codec_context.format
        assert sample_format is not None
        resampler = av.AudioResampler(format=sample_format.name, layout="mono", rate=rate)
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def recording(audio_format: str = "ogg") -> bytes:
    data = RECORDING.read_bytes()
    return data if audio_format == "ogg" else encode(samples_of(data), audio_format)


def silence(seconds: float, audio_format: str = "wav") -> bytes:
    return encode(np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32), audio_format)


def tone(seconds: float, audio_format: str = "wav") -> bytes:
    """A quiet 440 Hz tone: audio without speech, long enough to test duration limits cheaply."""
    t = np.arange(int(seconds * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    return encode(0.1 * np.sin(2 * np.pi * 440 * t).astype(np.float32), audio_format)


@pytest.fixture(scope="session", name="tiny_en")
def tiny_en_fixture() -> ResolvedModel:
    """Whisper tiny.en from the speech cache (`make test` fetches it first); skipped, saying how, without it."""
    try:
        return resolve_model("tiny.en")
    except ModelError as exc:
        pytest.skip(f"Whisper tiny.en unavailable ({exc}); fetch it with `python -m emotion_speech fetch tiny.en`")
