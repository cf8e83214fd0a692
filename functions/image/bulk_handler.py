"""Lambda entry point of the image bulk function (template.yaml: ImageBulkFunction, the image function's
image with this command): image chunk messages from ImageQueue, results in the jobs' S3 layout.

Settings, models and stores are built once, in Lambda's init phase, like functions.bulk.handler.
"""

from emotion_image import ImageClassifier
from functions.bulk.sqs_batch import make_handler

from .bulk import build_image_runtime
from .settings import ImageBulkSettings

settings = ImageBulkSettings()
handler = make_handler(build_image_runtime(settings, ImageClassifier.from_settings(settings)))
