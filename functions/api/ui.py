"""The web page (/ui) and Swagger UI (/docs) from files inside the package: no CDN, no build step, so
both work offline and behind API Gateway's stage prefix (every URL in them is relative)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

UI_DIR = Path(__file__).parent / "static" / "ui"
# Swagger UI 5 (OpenAPI 3.1, which FastAPI writes), as the MIT-licensed fastapi-swagger wheel ships it.
SWAGGER_DIR = Path(str(files("fastapi_swagger") / "resources"))


def mount_pages(app: FastAPI) -> None:
    app.mount("/ui", StaticFiles(directory=UI_DIR, html=True), name="ui")
    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_DIR), name="docs-assets")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        # Relative, so /Prod/ leads to /Prod/ui/ on API Gateway.
        return RedirectResponse("ui/")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        # Behind API Gateway's stage the prefix is known (functions.api.stage); elsewhere relative, like
        # every other URL here, so a proxy that adds a prefix needs nothing from the app.
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=f"{root}/openapi.json" if root else "openapi.json",
                                   title=f"{app.title} - docs",
                                   swagger_js_url="docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="docs-assets/swagger-ui.css", swagger_favicon_url="ui/favicon.svg")
