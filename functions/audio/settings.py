"""The audio function's settings: the API's (keys, limits, jobs wiring) or the bulk function's, plus the
speech knobs and the audio-job knobs."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from emotion_core.settings import comma_separated
from emotion_speech import SpeechSettings
from functions.api.settings import ApiSettings
from functions.bulk.settings import BulkSettings
from functions.jobs.settings import JobsSettings


class AudioJobSettings(JobsSettings):
    """Which recordings audio jobs may reference, and how many go in one chunk message."""

    audio_s3_buckets: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated buckets audio jobs may read recordings from; "
                                          "empty = audio jobs are refused")
    # One recording takes seconds of CPU (bench.speech): a chunk of 5 stays well inside the audio bulk
    # function's timeout, and a redelivery repeats little work.
    audio_chunk_max_items: int = Field(default=5, ge=1, le=100, description="Recordings per chunk message")
    audio_job_max_items: int = Field(default=10_000, ge=1, description="Most recordings in one audio job")

    @field_validator("audio_s3_buckets", mode="before")
    @classmethod
    def _split_buckets(cls, value: object) -> object:
        return comma_separated(value)


class AudioSettings(ApiSettings, SpeechSettings, AudioJobSettings):
    """The HTTP side: POST /v1/predict-emotion-audio and POST /v1/audio-jobs."""


class AudioBulkSettings(BulkSettings, SpeechSettings, AudioJobSettings):
    """The queue side: audio chunk messages in, result lines in the jobs' S3 layout."""
