"""POST /v1/feedback (a person says what the right labels were) and GET /v1/feedback/summary (which
predictions get corrected into what). Labels are checked against the named model's own taxonomies.

No ``from __future__ import annotations``: the request body is local to ``feedback_router`` (its text
limit comes from the app's settings), and FastAPI resolves string annotations in module globals only.
"""

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, create_model

from emotion_core.registry import ModelRegistry
from functions.api.dependencies import ModelsDep
from functions.api.errors import Conflict, NotFound, Unavailable, Unprocessable
from functions.api.guards import require_api_key
from functions.api.job_owner import job_owner
from functions.api.settings import ApiSettings
from functions.feedback.records import FeedbackRecord, label_pairs, text_hmac
from functions.feedback.store import DynamoFeedbackStore, FeedbackStore, SqliteFeedbackStore
from functions.jobs.aws import aws_clients
from functions.jobs.contract import MODEL_NAME_PATTERN


class FeedbackAccepted(BaseModel):
    feedback_id: str
    created: bool = Field(description="False when this client_id was already recorded (the first record stands).")
    text_stored: bool
    expires_at: str


class LabelPair(BaseModel):
    head: str
    predicted: str = Field(description="The labels the model returned for that head, comma-separated.")
    corrected: str = Field(description="The labels the person chose instead.")
    count: int


class FeedbackSummary(BaseModel):
    since: str | None
    records: int
    pairs: list[LabelPair]


def _salt(settings: ApiSettings, store: FeedbackStore) -> bytes:
    if settings.feedback_salt is not None:
        return settings.feedback_salt.get_secret_value().encode("utf-8")
    if isinstance(store, DynamoFeedbackStore):
        return store.salt()
    assert settings.feedback_sqlite_path is not None  # connect_feedback made a SQLite store
    # A local store keeps its own random salt beside it, made once.
    path = Path(f"{settings.feedback_sqlite_path}.salt")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode("utf-8")


def connect_feedback(settings: ApiSettings) -> tuple[FeedbackStore, bytes]:
    if settings.feedback_table:
        store: FeedbackStore = DynamoFeedbackStore(aws_clients(settings.aws_endpoint_url).dynamodb,
                                                   settings.feedback_table)
    elif settings.feedback_sqlite_path:
        store = SqliteFeedbackStore(settings.feedback_sqlite_path)
    else:
        raise Unavailable("feedback is not configured on this server: set FEEDBACK_TABLE or FEEDBACK_SQLITE_PATH")
    return store, _salt(settings, store)


def check_labels(models: ModelRegistry, model: str | None, field: str, labels: dict[str, list[str]]) -> None:
    served = models.get(model) if model else models.get(models.default_name)
    if served is None:
        raise NotFound(f"model: no model named {model!r} on this server; GET /v1/models lists them")
    for head, names in labels.items():
        known = served.classifier.heads.get(head)
        if known is None:
            heads = ", ".join(served.classifier.heads)
            raise Unprocessable(f"{field}.{head}: not a head of {served.name} (its heads: {heads})")
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise Unprocessable(f"{field}.{head}: {', '.join(repr(n[:40]) for n in unknown)} not among {served.name}'s "
                                f"{head} labels (GET /v1/models lists them)")


def _one_of(labels: set[str]) -> Any:
    return Literal.__getitem__(tuple(sorted(labels)))


def labels_model(name: str, models: ModelRegistry, min_labels: int) -> type[BaseModel]:
    """Labels per head, as the served models' taxonomies allow them: the schema lists every head and
    its labels, so a client (and a schema-driven test) sees what is valid before sending it."""
    heads: dict[str, set[str]] = {}
    for served in models.models():
        for head, labels in served.classifier.heads.items():
            heads.setdefault(head, set()).update(labels)
    # Optional but not nullable: a head is named with its labels or left out.
    fields: dict[str, Any] = {
        head: (list.__class_getitem__(_one_of(labels)), Field(None, min_length=min_labels, max_length=len(labels)))
        for head, labels in sorted(heads.items())}
    extra: Any = {"minProperties": 1} if min_labels else {}
    return create_model(name, __config__=ConfigDict(extra="forbid", json_schema_extra=extra), **fields)


def feedback_router(settings: ApiSettings, models: ModelRegistry) -> APIRouter:
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], tags=["feedback"])
    predicted_labels = labels_model("PredictedLabels", models, 0)
    corrected_labels = labels_model("CorrectedLabels", models, 1)
    connect: Callable[[], tuple[FeedbackStore, bytes]] = cache(lambda: connect_feedback(settings))

    class FeedbackRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
            "client_id": "web-5f1c2e", "text": "Thanks a lot for deleting my account", "store_text": False,
            "model_version": "2.0.0", "predicted": {"ekman": ["joy"], "fine": ["gratitude"]},
            "corrected": {"ekman": ["anger"], "fine": ["annoyance"]}}]})

        client_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,128}$",
                               description="Your id for this correction: sending it again changes nothing.")
        text: Annotated[str, StringConstraints(min_length=1, max_length=settings.max_text_chars)] = Field(
            description="The text that was classified; kept only with store_text, otherwise only a salted hash.")
        store_text: StrictBool = Field(False, description="Consent to keep the text itself (to train on it).")
        model: str | None = Field(None, pattern=MODEL_NAME_PATTERN, description="The model that answered "
                                  "(GET /v1/models); absent: the default model.")
        model_version: str | None = Field(None, max_length=64, description="The answer's model version.")
        predicted: predicted_labels = Field(  # type: ignore[valid-type]
            default_factory=predicted_labels, description="The labels returned, per head.")
        corrected: corrected_labels = Field(  # type: ignore[valid-type]
            description="The labels that are right, per head (at least one).")
        comment: str | None = Field(None, max_length=1_000)

    @router.post("/feedback", status_code=201, response_model=FeedbackAccepted,
                 responses={200: {"model": FeedbackAccepted, "description": "This client_id was already recorded"}},
                 summary="Say which labels were right for a prediction")
    def post_feedback(body: FeedbackRequest, request: Request, response: Response, models: ModelsDep) -> dict[str, Any]:
        predicted = cast(BaseModel, body.predicted).model_dump(exclude_none=True)
        corrected = cast(BaseModel, body.corrected).model_dump(exclude_none=True)
        check_labels(models, body.model, "predicted", predicted)
        check_labels(models, body.model, "corrected", corrected)
        if not corrected:
            raise Unprocessable("corrected: name at least one head's labels")
        store, salt = connect()
        now = datetime.now(UTC)
        served = models.get(body.model or models.default_name)
        assert served is not None  # checked by check_labels
        record = FeedbackRecord(
            owner=job_owner(request), client_id=body.client_id, feedback_id=uuid.uuid4().hex,
            created_at=now.isoformat(timespec="seconds"),
            expires_at=int((now + timedelta(days=settings.feedback_ttl_days)).timestamp()),
            model_name=served.name, model_version=body.model_version or str(served.classifier.metadata.get("version")),
            predicted=predicted, corrected=corrected, comment=body.comment,
            text=body.text if body.store_text else None, text_hmac=text_hmac(body.text, salt),
            request_sha256=hashlib.sha256(body.model_dump_json().encode("utf-8")).hexdigest())
        kept, created = store.put(record)
        if not created and kept.request_sha256 != record.request_sha256:
            raise Conflict(f"client_id: {body.client_id} was already used for another correction")
        response.status_code = 201 if created else 200
        return {"feedback_id": kept.feedback_id, "created": created, "text_stored": kept.text is not None,
                "expires_at": datetime.fromtimestamp(kept.expires_at, UTC).isoformat(timespec="seconds")}

    @router.get("/feedback/summary", response_model=FeedbackSummary,
                summary="Your corrections counted per label pair (predicted → corrected)")
    def feedback_summary(
        request: Request,
        since: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"},
                                           description="Only feedback from this day on (UTC), YYYY-MM-DD")] = None,
    ) -> dict[str, Any]:
        try:
            day = date.fromisoformat(since) if since else None
        except ValueError:
            raise Unprocessable("since: not a date (YYYY-MM-DD)") from None
        store, _ = connect()
        records = list(store.records(job_owner(request), day.isoformat() if day else None))
        return {"since": since, "records": len(records), "pairs": label_pairs(records)}

    return router
