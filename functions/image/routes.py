"""POST /v1/predict-emotion-image (raw image body or multipart field `image`) and POST
/v1/predict-emotion-post (multipart: `text` and `image`).

Like the audio route, not a GuardedRoute (that guard reads every body as JSON): the API key is
checked before any byte of the body is read, and the body is read under the image limit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from emotion_image import ImageClassifier, ImageError, ImageResult, PostResult
from functions.api.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from functions.api.guards import read_limited, require_api_key
from functions.api.uploads import MULTIPART_OVERHEAD, form_file, media_type, read_form

# The decoder decides what the bytes are; these are only the labels a client may put on them.
RAW_TYPES = ("image/jpeg", "image/png", "image/webp", "application/octet-stream")
_STATUS_OF = {"too_large": PayloadTooLarge, "unsupported": UnsupportedMediaType, "unreadable": Unprocessable}
_IMAGE_HELP = ("send the image as the raw body with its Content-Type (image/jpeg, image/png, image/webp), or as "
               "the file field `image` of a multipart/form-data body")
_BINARY = {"type": "string", "format": "binary"}
_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "Body or image over the limits (bytes, pixels)"},
    415: {"description": "Not a JPEG, PNG or WebP image"},
    422: {"description": "Empty, damaged or truncated image; a missing form field"}}


def images_of(request: Request) -> ImageClassifier:
    images: ImageClassifier = request.app.state.images
    return images


async def _analyse(images: ImageClassifier, data: bytes, text: str | None, include_scores: bool) -> Any:
    try:
        if text is None:
            return await run_in_threadpool(images.analyse, data)
        return await run_in_threadpool(images.analyse_post, text, data, include_scores=include_scores)
    except ImageError as exc:
        raise _STATUS_OF[exc.kind](f"{exc.field}: {exc.message}") from None


def image_router(max_image_bytes: int) -> APIRouter:
    """The two routes, reading bodies of up to `max_image_bytes` (plus a multipart envelope)."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], tags=["emotions"])
    multipart_limit = max_image_bytes + MULTIPART_OVERHEAD

    @router.post(
        "/predict-emotion-image", response_model=ImageResult, summary="Faces, their emotions and emoji reactions",
        openapi_extra={"requestBody": {"required": True, "content": {
            **{media: {"schema": _BINARY} for media in RAW_TYPES[:3]},
            "multipart/form-data": {"schema": {"type": "object", "required": ["image"],
                                               "properties": {"image": _BINARY}}}}}},
        responses=_ERRORS)
    async def predict_emotion_image(
            request: Request, images: Annotated[ImageClassifier, Depends(images_of)]) -> ImageResult:
        content_type = media_type(request)
        if content_type == "multipart/form-data":
            body = await read_limited(request, multipart_limit, limit_of="image")
            data = await form_file(await read_form(request, body, max_fields=2), "image")
        elif content_type in RAW_TYPES:
            data = await read_limited(request, max_image_bytes, limit_of="image")
        else:
            raise UnsupportedMediaType(f"Content-Type: {content_type or 'missing'} is not an image; {_IMAGE_HELP}")
        result: ImageResult = await _analyse(images, data, None, False)
        return result

    @router.post(
        "/predict-emotion-post", response_model=PostResult, response_model_exclude_none=True,
        summary="A post's text and image, read together (blocked reactions from either side win)",
        openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["text", "image"],
            "properties": {"text": {"type": "string"}, "image": _BINARY}}}}}},
        responses=_ERRORS)
    async def predict_emotion_post(
            request: Request, images: Annotated[ImageClassifier, Depends(images_of)],
            include_scores: Annotated[bool, Query(description="Add every label's score to `text`")] = False,
    ) -> PostResult:
        content_type = media_type(request)
        if content_type != "multipart/form-data":
            raise UnsupportedMediaType(f"Content-Type: {content_type or 'missing'} is not multipart/form-data; "
                                       "send the post as the form fields `text` and `image` (a file)")
        body = await read_limited(request, multipart_limit, limit_of="image")
        form = await read_form(request, body, max_fields=3)
        text = form.get("text")
        if not isinstance(text, str):
            raise Unprocessable("text: missing; the multipart body needs a text field named `text`")
        result: PostResult = await _analyse(images, await form_file(form, "image"), text, include_scores)
        return result

    return router
