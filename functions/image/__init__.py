"""The image function: POST /v1/predict-emotion-image and /v1/predict-emotion-post (docs/image.md)."""
