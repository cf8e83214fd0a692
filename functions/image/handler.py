"""Lambda entry point of the image function (the image's default CMD)."""

from functions.api.lambda_adapter import lambda_handler
from functions.image.served import app

handler = lambda_handler(app)
