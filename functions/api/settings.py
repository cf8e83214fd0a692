"""The API function's settings: the model knobs, request limits and keys, the bulk-job wiring, and
whether the app runs on Lambda. Read once, by functions.api.app; everything else receives them."""

from pydantic import Field

from functions.jobs.settings import JobsSettings


class ApiSettings(JobsSettings):
    """Everything the API reads from its environment (names = environment variables, no prefix)."""

    aws_lambda_function_name: str | None = Field(
        default=None, description="Set by the Lambda runtime itself; its presence means the app runs on Lambda"
    )

    @property
    def running_on_lambda(self) -> bool:
        """On Lambda the handler flushes EMF metrics once per invocation; elsewhere nothing would."""
        return bool(self.aws_lambda_function_name)
