"""Write the service's OpenAPI document for the default settings: ``python -m devtools.openapi``
rewrites docs/openapi.json (tests/unit/functions/api/test_openapi_doc.py checks it matches the app)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT / "docs" / "openapi.json"


def default_document(model_dir: Path = REPO_ROOT / "layers" / "model") -> dict[str, Any]:
    """The app's document with every setting at its default (the environment is not read)."""
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

    from functions.api.factory import create_app
    from functions.api.settings import ApiSettings

    class Defaults(ApiSettings):
        @classmethod
        def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

    return create_app(Defaults(model_dir=model_dir)).openapi()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    SPEC.write_text(render(default_document()), encoding="utf-8")
    sys.stderr.write(f"wrote {SPEC.relative_to(REPO_ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
