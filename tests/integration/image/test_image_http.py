"""POST /v1/predict-emotion-image and /v1/predict-emotion-post on a real uvicorn: formats, raw and
multipart, hostile files, and every refusal naming its problem."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.image import ASTRONAUT, COFFEE, CONTENT_TYPES, HOSTILE, png_bomb, reencode
from tests.integration.image.conftest import MAX_IMAGE_BYTES, ImageServer

IMAGE = "/v1/predict-emotion-image"
POST = "/v1/predict-emotion-post"


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _refused(answer: httpx.Response, status: int, starts: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"].startswith(starts), answer.text


@pytest.mark.parametrize("image_format", sorted(CONTENT_TYPES))
def test_a_raw_image_in_every_format(image_server: ImageServer, image_format: str) -> None:
    body = reencode(ASTRONAUT, image_format, quality=90)
    result = _ok(image_server.post(IMAGE, body=body, content_type=CONTENT_TYPES[image_format]))
    assert set(result) == {"faces", "overall", "reactions", "no_face", "width", "height", "format", "image_model"}
    faces = result["faces"]
    assert [face["emotion"] for face in faces] == ["joy"]
    assert set(faces[0]) == {"box", "emotion", "confidence", "scores"}
    assert result["overall"] == {"emotion": "joy", "confidence": faces[0]["confidence"], "sentiment": "positive"}


def test_a_multipart_upload(image_server: ImageServer) -> None:
    result = _ok(image_server.post(IMAGE, files={"image": ("photo.jpg", ASTRONAUT.read_bytes(), "image/jpeg")}))
    assert result["format"] == "jpeg" and result["no_face"] is False


def test_a_picture_without_a_face_is_200_and_neutral(image_server: ImageServer) -> None:
    result = _ok(image_server.post(IMAGE, body=COFFEE.read_bytes(), content_type="image/jpeg"))
    assert result["faces"] == [] and result["no_face"] is True
    assert result["overall"] == {"emotion": "neutral", "confidence": 1.0, "sentiment": "neutral"}


@pytest.mark.parametrize(("name", "status", "starts"), [
    ("empty", 422, "image: is empty (0 bytes)"),
    ("text named .jpg", 415, "image: is not a jpeg, png, webp image"),
    ("truncated jpeg", 422, "image: is a damaged or truncated jpeg file"),
    ("gif", 415, "image: is not a jpeg, png, webp image")])
def test_hostile_files_are_refused_by_name(image_server: ImageServer, name: str, status: int, starts: str) -> None:
    _refused(image_server.post(IMAGE, body=HOSTILE[name], content_type="image/jpeg"), status, starts)


def test_a_png_bomb_is_413(image_server: ImageServer) -> None:
    _refused(image_server.post(IMAGE, body=png_bomb(), content_type="image/png"), 413,
             "image: is 12000x12000 pixels, over the 25000000-pixel limit")


def test_a_body_over_the_byte_limit_is_413_before_it_is_read(image_server: ImageServer) -> None:
    _refused(image_server.post(IMAGE, body=b"\0" * (MAX_IMAGE_BYTES + 1), content_type="image/png"), 413,
             f"body: {MAX_IMAGE_BYTES + 1} bytes is over the {MAX_IMAGE_BYTES}-byte limit of image")


def test_a_type_that_is_not_an_image_is_415(image_server: ImageServer) -> None:
    _refused(image_server.post(IMAGE, body=ASTRONAUT.read_bytes(), content_type="text/plain"), 415,
             "Content-Type: text/plain is not an image")
    _refused(image_server.post(IMAGE, body=ASTRONAUT.read_bytes()), 415, "Content-Type: missing is not an image")


def test_a_multipart_body_without_the_image_field_is_422(image_server: ImageServer) -> None:
    answer = image_server.post(IMAGE, files={"file": ("a.jpg", ASTRONAUT.read_bytes(), "image/jpeg")})
    _refused(answer, 422, "image: missing")


def test_the_key_is_checked_first(image_server: ImageServer) -> None:
    answer = image_server.post(IMAGE, body=ASTRONAUT.read_bytes(), content_type="image/jpeg", key=None)
    assert answer.status_code == 401


def test_a_post_reads_text_and_image_together(image_server: ImageServer) -> None:
    answer = image_server.post(POST, data={"text": "My grandfather passed away this morning."},
                               files={"image": ("selfie.jpg", ASTRONAUT.read_bytes(), "image/jpeg")})
    result = _ok(answer)
    text, image, reactions = result["text"], result["image"], result["reactions"]
    assert text["emotion"] == "sadness" and image["overall"]["emotion"] == "joy"
    # Blocked on either side stays blocked: the grief text blocks 😂, the smiling face blocks 😭.
    assert set(reactions["blocked"]) == set(text["reactions"]["blocked"]) | set(image["reactions"]["blocked"])
    assert "😂" in reactions["blocked"] and "😭" in reactions["blocked"]
    assert result["overall"]["sentiment"] == "ambiguous"


def test_a_post_needs_both_fields_and_a_form(image_server: ImageServer) -> None:
    _refused(image_server.post(POST, files={"image": ("a.jpg", ASTRONAUT.read_bytes(), "image/jpeg")}), 422,
             "text: missing")
    _refused(image_server.post(POST, data={"text": "hello"}, files={"other": ("a", b"x", "text/plain")}), 422,
             "image: missing")
    _refused(image_server.post(POST, body=b'{"text": "hi"}', content_type="application/json"), 415,
             "Content-Type: application/json is not multipart/form-data")
    _refused(image_server.post(POST, data={"text": "hello"}, files={"image": ("a.jpg", b"", "image/jpeg")}), 422,
             "image: is empty")


def test_user_content_stays_out_of_the_log(image_server: ImageServer) -> None:
    secret = "my secret post text 8472"
    image_server.post(POST, data={"text": secret}, files={"image": ("a.jpg", HOSTILE["text named .jpg"], "image/jpeg")})
    image_server.post(POST, data={"text": secret}, files={"image": ("a.jpg", ASTRONAUT.read_bytes(), "image/jpeg")})
    log = image_server.log.read_text()
    assert "/v1/predict-emotion-post" in log and secret not in log and "this is a text file" not in log
