"""Audio bytes -> 16 kHz mono float32 samples, within limits on size and duration.

PyAV (FFmpeg) reads the container; only the formats the service documents are accepted, whatever
else FFmpeg could open (a PNG, a text file, a video): FFmpeg's probing is generous, and every
extra demuxer is more attack surface on untrusted uploads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from .errors import AudioError

SAMPLE_RATE = 16_000
# FFmpeg demuxer names (container.format.name is a comma-separated list of aliases) -> our name.
ACCEPTED_FORMATS = {"wav": "wav", "mp3": "mp3", "mp4": "m4a", "m4a": "m4a", "ogg": "ogg", "webm": "webm",
                    "matroska": "webm", "flac": "flac"}
_FORMAT_LIST = ", ".join(sorted(set(ACCEPTED_FORMATS.values())))
# A file whose declared length is this much longer than what decodes was cut short (upload or
# recording interrupted): its transcript would silently miss the end.
_TRUNCATION_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    format: str

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def _container_format(container: av.container.InputContainer) -> str | None:
    for alias in container.format.name.split(","):
        if alias in ACCEPTED_FORMATS:
            return ACCEPTED_FORMATS[alias]
    return None


def _declared_seconds(container: av.container.InputContainer) -> float | None:
    if container.duration is None or container.duration <= 0:
        return None
    return float(container.duration) / av.time_base


def _decode_stream(container: av.container.InputContainer, stream: av.AudioStream, max_seconds: float) -> np.ndarray:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    limit = int(max_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    for frame in container.decode(stream):
        for out in resampler.resample(frame):
            chunk = out.to_ndarray().reshape(-1)
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise AudioError("too_long", f"is over the {max_seconds:g} s limit")
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)


def _wav_cut_short(data: bytes) -> bool:
    # FFmpeg estimates a WAV's duration from the file size, so a cut upload looks whole to it; the
    # RIFF header's own size field still says how long the file was (0 / 0xFFFFFFFF: streamed, unknown).
    declared = int.from_bytes(data[4:8], "little")
    return data[:4] == b"RIFF" and 0 < declared < 0xFFFFFFFF and declared + 8 > len(data)


def decode_audio(data: bytes, *, max_bytes: int, max_seconds: float) -> DecodedAudio:
    """The samples of `data`; AudioError (kind too_large, too_long, unsupported, unreadable) otherwise."""
    if not data:
        raise AudioError("unreadable", "is empty (0 bytes)")
    if len(data) > max_bytes:
        raise AudioError("too_large", f"is {len(data)} bytes, over the {max_bytes}-byte limit")
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, OSError, ValueError):
        raise AudioError("unsupported", "cannot be opened as audio in a supported format "
                                        f"({_FORMAT_LIST}); it is another kind of file, or cut short") from None
    with container:
        audio_format = _container_format(container)
        if audio_format is None:
            raise AudioError("unsupported", f"is a {container.format.long_name} file; supported formats are "
                                            f"{_FORMAT_LIST}")
        if not container.streams.audio:
            raise AudioError("unreadable", f"is a {audio_format} file without an audio stream")
        declared = _declared_seconds(container)
        if declared is not None and declared > max_seconds + _TRUNCATION_TOLERANCE_S:
            raise AudioError("too_long", f"lasts {declared:.1f} s, over the {max_seconds:g} s limit")
        try:
            samples = _decode_stream(container, container.streams.audio[0], max_seconds)
        except (av.FFmpegError, ValueError):
            raise AudioError("unreadable", f"is a damaged {audio_format} file (its audio cannot be decoded)") from None
    decoded = DecodedAudio(samples, audio_format)
    if audio_format == "wav" and _wav_cut_short(data):
        raise AudioError("unreadable", f"is truncated: its header announces {int.from_bytes(data[4:8], 'little') + 8} "
                                       f"bytes but {len(data)} arrived")
    if decoded.duration_s == 0:
        raise AudioError("unreadable", f"is a {audio_format} file holding no audio samples")
    if declared is not None and decoded.duration_s + _TRUNCATION_TOLERANCE_S < declared * 0.95:
        raise AudioError("unreadable", f"is truncated: it declares {declared:.1f} s but holds "
                                       f"{decoded.duration_s:.1f} s of audio")
    return decoded
