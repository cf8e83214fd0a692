"""POST /v1/predict-emotion-audio: a recording as the raw body (audio/*) or a multipart field `audio`.

Not a GuardedRoute: that guard reads every body as JSON under MAX_BODY_BYTES, while this route reads
binary bodies under the audio limit. The API key is still checked (a dependency) before any byte of
the body is read.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from emotion_speech import AudioError, SpeechClassifier, SpeechResult
from functions.api.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from functions.api.guards import read_limited, require_api_key
from functions.api.uploads import MULTIPART_OVERHEAD, form_file, media_type, read_form

# Browsers and recorders label the same files many ways; the decoder decides what the bytes are.
RAW_TYPES = ("audio/", "video/webm", "video/mp4", "video/ogg", "application/octet-stream")
_STATUS_OF = {"too_large": PayloadTooLarge, "too_long": PayloadTooLarge, "unsupported": UnsupportedMediaType,
              "unreadable": Unprocessable, "not_offered": Unprocessable}
_TYPE_HELP = ("send the recording as the raw body with its audio/* Content-Type, or as the field `audio` of a "
              "multipart/form-data body")


def speech_of(request: Request) -> SpeechClassifier:
    speech: SpeechClassifier = request.app.state.speech
    return speech


async def _multipart_audio(request: Request, body: bytes, form_flags: dict[str, bool]) -> bytes:
    form = await read_form(request, body, max_fields=4)
    for name in form_flags:
        value = form.get(name)
        if isinstance(value, str):
            if value.lower() not in ("true", "false"):
                raise Unprocessable(f"{name}: must be true or false")
            form_flags[name] = value.lower() == "true"
    return await form_file(form, "audio")


def _as_http_error(exc: AudioError) -> Exception:
    return _STATUS_OF[exc.kind](f"{exc.field}: {exc.message}")


def audio_router(max_audio_bytes: int) -> APIRouter:
    """The route, reading bodies of up to `max_audio_bytes` (plus a multipart envelope)."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], tags=["emotions"])

    @router.post(
        "/predict-emotion-audio", response_model=SpeechResult, response_model_exclude_none=True,
        summary="Emotions of a recording, per spoken segment and overall",
        openapi_extra={"requestBody": {"required": True, "content": {
            "audio/*": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["audio"], "properties": {
                "audio": {"type": "string", "format": "binary"},
                "translate": {"type": "boolean"}, "include_scores": {"type": "boolean"}}}}}}},
        responses={413: {"description": "Body or recording over the limits"},
                   415: {"description": "Not a supported audio format"},
                   422: {"description": "Empty, damaged or truncated audio; translation not offered"}},
    )
    async def predict_emotion_audio(
        request: Request, speech: Annotated[SpeechClassifier, Depends(speech_of)],
        translate: Annotated[bool, Query(description="Translate to English first (multilingual model)")] = False,
        include_scores: Annotated[bool, Query(description="Add every label's score")] = False,
    ) -> SpeechResult:
        content_type = media_type(request)
        multipart = content_type == "multipart/form-data"
        if not multipart and not content_type.startswith(RAW_TYPES):
            raise UnsupportedMediaType(f"Content-Type: {content_type or 'missing'} is not audio; {_TYPE_HELP}")
        limit = max_audio_bytes + (MULTIPART_OVERHEAD if multipart else 0)
        body = await read_limited(request, limit, limit_of="audio")
        flags = {"translate": translate, "include_scores": include_scores}
        audio = await _multipart_audio(request, body, flags) if multipart else body
        try:
            result = await run_in_threadpool(speech.analyse, audio, translate=flags["translate"],
                                             include_scores=flags["include_scores"])
        except AudioError as exc:
            raise _as_http_error(exc) from None
        return result

    return router
