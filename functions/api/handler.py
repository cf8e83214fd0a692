"""Lambda entry point of the API: functions.api.app's app (built at import, in Lambda's init phase)
behind Mangum. The image's CMD names ``functions.api.handler.handler``."""

from functions.api.app import app
from functions.api.lambda_adapter import lambda_handler

handler = lambda_handler(app)
