"""Settings objects for tests, built from given values and the defaults only."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def settings_from(settings_cls: type[SettingsT], **values: Any) -> SettingsT:
    """`settings_cls` from `values` and its defaults, never from the environment: a developer's
    API_KEYS or JOBS_TABLE, or Lambda's own variables, must not change what a test sees."""

    class GivenValuesOnly(settings_cls):  # type: ignore[valid-type,misc]
        @classmethod
        def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            **other_sources: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

    return GivenValuesOnly(**values)
