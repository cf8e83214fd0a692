"""Lambda entry point of the bulk function: SQS chunk messages in, JSONL results in S3.

The one place the bulk function reads its settings. Everything here runs once per execution
environment, in Lambda's init phase: bad configuration or a bad bundle fails the cold start
loudly, and the model is loaded before the first record.
"""

from emotion_core import Classifier
from functions.jobs.models import load_models

from .processing import build_runtime
from .settings import BulkSettings
from .sqs_batch import make_handler

settings = BulkSettings()
classifier = Classifier.from_settings(settings)
handler = make_handler(build_runtime(settings, classifier, load_models(settings, classifier)))
