"""Powertools logger, metrics and tracer shared by the app and the Lambda handler.

Texts are user data: nothing here ever receives one. Logs and metrics carry counts,
timings, labels and status codes only.
"""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "emotion-api")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "EmotionService")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)
