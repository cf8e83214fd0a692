"""The API function's settings: the model knobs, request limits and keys, the bulk-job wiring, and
whether the app runs on Lambda. Read once, by functions.api.app; everything else receives them."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from emotion_core.settings import comma_separated
from functions.jobs.settings import JobsSettings


class ApiSettings(JobsSettings):
    """Everything the API reads from its environment (names = environment variables, no prefix)."""

    aws_lambda_function_name: str | None = Field(
        default=None, description="Set by the Lambda runtime itself; its presence means the app runs on Lambda"
    )

    max_request_windows: int = Field(
        default=512, ge=1,
        description="Most model windows one /v1/predict request may need, all its texts together: the bound "
                    "on a request's work (512 windows ≈ 6 s on one vCPU; docs/api.md, Limits)")

    body_read_timeout_s: float = Field(
        default=10.0, gt=0,
        description="Seconds a request body may take to arrive in full; a stalled body gets 408")

    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins (or *) browsers may call from; empty = no CORS headers")

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        return comma_separated(value)

    @property
    def running_on_lambda(self) -> bool:
        """On Lambda the handler flushes EMF metrics once per invocation; elsewhere nothing would."""
        return bool(self.aws_lambda_function_name)
