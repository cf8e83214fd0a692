"""JobsSettings: the knobs both functions share, checked together at start-up."""

import pytest
from pydantic import ValidationError

from functions.jobs.settings import JobsSettings
from tests.helpers.settings import settings_from


def test_a_text_at_the_limit_must_fit_in_one_chunk_message() -> None:
    with pytest.raises(ValidationError, match="CHUNK_MAX_BYTES=20000 cannot hold one text of MAX_TEXT_CHARS=10000"):
        settings_from(JobsSettings, chunk_max_bytes=20_000)
    assert settings_from(JobsSettings, chunk_max_bytes=20_000, max_text_chars=3_000).chunk_max_bytes == 20_000


def test_missing_names_the_environment_variables() -> None:
    settings = settings_from(JobsSettings, results_bucket="results")
    assert settings.missing("jobs_queue_url", "results_bucket", "jobs_table") == ["JOBS_QUEUE_URL", "JOBS_TABLE"]


def test_an_empty_endpoint_is_no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    # template.yaml declares AWS_ENDPOINT_URL empty by default, for `sam local invoke --env-vars`.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "")
    assert JobsSettings().aws_endpoint_url is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    assert JobsSettings().aws_endpoint_url == "http://127.0.0.1:5000"
