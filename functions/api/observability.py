"""Powertools logger, metrics and tracer shared by the app and the Lambda handler.

Texts are user data: nothing here ever receives one. Logs and metrics carry counts,
timings, labels and status codes only.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

# Named here, as the bulk function names its own: the template's POWERTOOLS_SERVICE_NAME and
# POWERTOOLS_METRICS_NAMESPACE hold the same values. Powertools still reads its other variables
# (POWERTOOLS_LOG_LEVEL, POWERTOOLS_TRACE_DISABLED, ...) itself.
SERVICE = "emotion-api"
NAMESPACE = "EmotionService"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)
