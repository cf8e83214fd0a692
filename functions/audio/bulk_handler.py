"""Lambda entry point of the audio bulk function (template.yaml: AudioBulkFunction, the audio image with
this command): audio chunk messages from AudioQueue, results in the jobs' S3 layout.

Settings, models and stores are built once, in Lambda's init phase, like functions.bulk.handler.
"""

from emotion_speech import SpeechClassifier
from functions.bulk.sqs_batch import make_handler

from .bulk import build_audio_runtime
from .settings import AudioBulkSettings

settings = AudioBulkSettings()
handler = make_handler(build_audio_runtime(settings, SpeechClassifier.from_settings(settings)))
