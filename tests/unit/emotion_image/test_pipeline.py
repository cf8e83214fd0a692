"""The whole image path on the committed samples: faces, expressions in Ekman labels, reactions."""

from __future__ import annotations

import pytest

from emotion_image import ImageClassifier, ImageError
from tests.helpers.image import ASTRONAUT, COFFEE, HOSTILE, side_by_side, sideways


def test_the_astronaut_smiles(images: ImageClassifier) -> None:
    result = images.analyse(ASTRONAUT.read_bytes())
    assert len(result.faces) == 1
    face = result.faces[0]
    assert face.emotion == "joy" and face.confidence > 0.9
    # The face is in the upper middle of the 300x300 crop.
    assert 60 < face.box.x < 140 and 30 < face.box.y < 110 and 70 < face.box.width < 130
    assert set(face.scores) == set(images.classifier.bundle.heads["ekman"].labels)
    assert abs(sum(face.scores.values()) - 1) < 0.01
    assert result.overall.emotion == "joy" and result.overall.sentiment == "positive"
    assert not result.no_face and result.format == "jpeg" and (result.width, result.height) == (300, 300)


def test_a_smiling_face_gets_the_text_paths_joy_reactions(images: ImageClassifier) -> None:
    result = images.analyse(ASTRONAUT.read_bytes())
    text = images.classifier.predict_one("I am so happy today")
    assert text.emotion == "joy"
    # Same labels, same sentiment, same reactions file: the image's reactions are the text's joy reactions.
    expected = images.reactions.for_text(["joy"], "positive")
    assert list(result.reactions.allowed) == expected["allowed"]
    assert list(result.reactions.blocked) == expected["blocked"]
    assert "😭" in result.reactions.blocked and "😂" not in result.reactions.blocked


def test_a_picture_without_a_face_is_neutral_and_says_so(images: ImageClassifier) -> None:
    result = images.analyse(COFFEE.read_bytes())
    assert result.faces == [] and result.no_face
    assert (result.overall.emotion, result.overall.confidence, result.overall.sentiment) == ("neutral", 1.0, "neutral")
    assert result.reactions.blocked == ()


def test_an_exif_rotated_photo_is_read_upright(images: ImageClassifier) -> None:
    result = images.analyse(sideways(ASTRONAUT))
    assert [face.emotion for face in result.faces] == ["joy"]


def test_every_face_is_reported_left_to_right(images: ImageClassifier) -> None:
    result = images.analyse(side_by_side(COFFEE, ASTRONAUT))
    assert len(result.faces) == 1 and result.faces[0].box.x > 300
    two = images.analyse(side_by_side(ASTRONAUT, ASTRONAUT))
    assert [face.emotion for face in two.faces] == ["joy", "joy"]
    assert two.faces[0].box.x < 300 < two.faces[1].box.x
    assert two.overall.emotion == "joy"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_raise_image_errors(images: ImageClassifier, name: str) -> None:
    with pytest.raises(ImageError):
        images.analyse(HOSTILE[name])


def test_a_post_combines_text_and_image(images: ImageClassifier) -> None:
    post = images.analyse_post("I lost my dog today and I am heartbroken", ASTRONAUT.read_bytes())
    assert post.text.emotion == "sadness" and post.image.overall.emotion == "joy"
    assert post.text.scores is None  # asked for without scores
    # Positive face against a negative text: ambiguous; the blocked emojis of both sides stay blocked.
    assert post.overall.sentiment == "ambiguous"
    assert set(post.text.reactions.blocked) | set(post.image.reactions.blocked) == set(post.reactions.blocked)
    assert not set(post.reactions.allowed) & set(post.reactions.blocked)
    assert post.warning is None


def test_a_post_whose_picture_has_no_face_is_read_from_its_text(images: ImageClassifier) -> None:
    post = images.analyse_post("Best day ever, we won the cup!", COFFEE.read_bytes(), include_scores=True)
    assert post.image.no_face and post.warning is not None
    assert (post.overall.emotion, post.overall.confidence) == (post.text.emotion, post.text.confidence)
    assert post.reactions == post.text.reactions
    assert post.text.scores is not None
