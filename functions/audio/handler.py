"""Lambda entry point of the audio function's HTTP route (the image's default CMD)."""

from functions.api.lambda_adapter import lambda_handler
from functions.audio.served import app

handler = lambda_handler(app)
