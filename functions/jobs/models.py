"""The served models of both functions: the default classifier plus the custom bundles of MODELS_DIR,
or of MODELS_S3_URI fetched into the function's /tmp at cold start (docs/labelsets.md)."""

import tempfile
from pathlib import Path

from emotion_core import Classifier
from emotion_core.registry import ModelRegistry

from .aws import aws_clients
from .model_fetch import fetch_bundles
from .settings import JobsSettings


def load_models(settings: JobsSettings, default: Classifier) -> ModelRegistry:
    folder = settings.models_dir
    if settings.models_s3_uri:
        s3 = aws_clients(settings.aws_endpoint_url).s3
        # /tmp is the only writable place on Lambda; a fresh folder per process (one per cold start).
        target = Path(tempfile.mkdtemp(prefix="models-"))
        folder = fetch_bundles(s3, settings.models_s3_uri, settings.models_s3_sha256, target)
    return ModelRegistry.from_folder(default, folder, lambda path: Classifier.from_settings(settings, path))
