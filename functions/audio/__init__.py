"""The audio function: POST /v1/predict-emotion-audio (and audio bulk chunks) on an image of its own."""
