"""The post rule on its own: sentiments, reactions and the face-weighted mix."""

from __future__ import annotations

import pytest

from emotion_core import EmojiReactions
from emotion_image.combine import combined_reactions, combined_sentiment, weighted_scores
from emotion_image.result import Box, Face


@pytest.mark.parametrize(("text", "image", "expected"), [
    ("positive", "positive", "positive"), ("negative", "neutral", "negative"), ("neutral", "positive", "positive"),
    ("positive", "negative", "ambiguous"), ("ambiguous", "negative", "ambiguous")])
def test_sentiments_combine(text: str, image: str, expected: str) -> None:
    assert combined_sentiment(text, image) == expected


def test_blocked_on_either_side_wins_and_keeps_file_order() -> None:
    text = EmojiReactions(allowed=("😊", "🎉"), blocked=("😢",))
    image = EmojiReactions(allowed=("😢", "🙂"), blocked=("🎉",))
    combined = combined_reactions(text, image, order=["🎉", "😊", "🙂", "😢"])
    assert combined.allowed == ("😊", "🙂")
    assert combined.blocked == ("🎉", "😢")


def test_larger_faces_weigh_more() -> None:
    big = Face(box=Box(x=0, y=0, width=30, height=30), emotion="joy", confidence=1.0,
               scores={"joy": 1.0, "sadness": 0.0})
    small = Face(box=Box(x=40, y=0, width=10, height=10), emotion="sadness", confidence=1.0,
                 scores={"joy": 0.0, "sadness": 1.0})
    mixed = weighted_scores([big, small])
    assert mixed["joy"] == pytest.approx(0.9) and mixed["sadness"] == pytest.approx(0.1)
