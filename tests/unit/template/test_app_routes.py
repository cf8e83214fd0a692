"""API Gateway only forwards the routes the template declares: every route of the API app must have
its event on ApiFunction (or it answers 403 on AWS while working locally), and no event may point at
a route the app does not have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from functions.api.factory import create_app
from functions.api.settings import ApiSettings
from tests.helpers.settings import settings_from
from tests.unit.template.test_template import api_events, template  # noqa: F401 - the template fixture

# Pages and their files: outside the OpenAPI document, served by functions.api.ui.
DOCUMENTATION = {("/docs", "get"), ("/openapi.json", "get"), ("/", "get"), ("/ui", "get"), ("/ui/{proxy+}", "get"),
                 ("/docs-assets/{proxy+}", "get")}


def test_every_app_route_is_routed_to_the_api_function(template: dict[str, Any],  # noqa: F811
                                                        tiny_bundle_dir: Path) -> None:
    app = create_app(settings_from(ApiSettings, model_dir=tiny_bundle_dir))
    in_app = {(path, method) for path, operations in app.openapi()["paths"].items() for method in operations}
    declared = {(path, method) for function, path, method, _ in api_events(template) if function == "ApiFunction"}
    assert in_app - declared == set(), "routes missing from template.yaml"
    assert declared - in_app - DOCUMENTATION == set(), "template events without a route in the app"
