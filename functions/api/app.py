"""The served app: settings read from the environment, once, and the model loaded at import.

`uvicorn functions.api.app:app` serves it locally; functions.api.handler hands it to Mangum on Lambda.
"""

from functions.api.factory import create_app
from functions.api.settings import ApiSettings

app = create_app(ApiSettings())
