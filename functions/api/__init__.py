"""The /v1 HTTP API: a FastAPI app served by uvicorn locally and by Mangum on Lambda."""
