"""Command line: `python -m emotion_core predict "text"` and `python -m emotion_core batch IN -o OUT`."""

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from tqdm import tqdm

from .batch import classify_stream, open_items, write_jsonl
from .classifier import Classifier
from .errors import EmotionCoreError, InputError
from .settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emotion_core",
                                     description="Emotions, sentiment and emoji reactions for texts.")
    parser.add_argument("--model-dir", type=Path,
                        help="model bundle folder (default: MODEL_DIR or layers/model)")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict", help="classify one text, print its prediction as JSON")
    predict.add_argument("text")
    predict.add_argument("--scores", action="store_true", help="include every label's score")
    batch = commands.add_parser("batch", help="classify a .csv or .jsonl file into a JSONL file")
    batch.add_argument("input", type=Path)
    batch.add_argument("-o", "--output", type=Path, required=True)
    batch.add_argument("--text-column", default="text", help="CSV column holding the text (default: text)")
    batch.add_argument("--id-column", default="id", help="CSV column holding the id, if any (default: id)")
    batch.add_argument("--scores", action="store_true", help="include every label's score")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def _count_items(path: Path, text_column: str, id_column: str) -> int | None:
    """Items in the file, for the progress bar's total; a file we cannot pre-read just gets no total."""
    stack: list[IO[Any]] = []
    try:
        return sum(1 for _ in open_items(path, stack, text_column=text_column, id_column=id_column))
    except (EmotionCoreError, OSError, UnicodeDecodeError):
        return None
    finally:
        for stream in stack:
            stream.close()


def _check_output(input_path: Path, output: Path) -> None:
    """Refuse an output that is the input under any spelling (symlink, relative path, hard link)."""
    same = output.resolve() == input_path.resolve()
    if not same and output.exists():
        same = os.path.samefile(output, input_path)
    if same:
        raise InputError("output", f"{output} is the input file; writing it would destroy the input")


def _write_atomically(output: Path, write: Callable[[TextIO], dict[str, int]]) -> dict[str, int]:
    """Write through a temporary file in the output's folder, renamed over `output` only on success,
    so a failed or interrupted run leaves the previous file (or none), never a partial one."""
    descriptor, temporary = tempfile.mkstemp(dir=output.resolve().parent, prefix=f".{output.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            counts = write(handle)
        # mkstemp makes the file 0600; give the result the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return counts


def _run_batch(classifier: Classifier, args: argparse.Namespace) -> int:
    if not args.input.is_file():
        raise InputError("input", f"{args.input} does not exist")
    _check_output(args.input, args.output)
    total = None if args.no_progress else _count_items(args.input, args.text_column, args.id_column)
    stack: list[IO[Any]] = []
    try:
        items = open_items(args.input, stack, text_column=args.text_column, id_column=args.id_column)
        lines = classify_stream(classifier, items, include_scores=args.scores)
        progress = tqdm(lines, total=total, unit="text", file=sys.stderr, disable=args.no_progress)
        counts = _write_atomically(args.output, lambda out: write_jsonl(progress, out))
    finally:
        for stream in stack:
            stream.close()
    sys.stderr.write(f"wrote {counts['lines']} lines to {args.output} ({counts['errors']} errors)\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings(model_dir=args.model_dir) if args.model_dir else Settings()
        classifier = Classifier.from_settings(settings)
        if args.command == "predict":
            prediction = classifier.predict_one(args.text, include_scores=args.scores)
            sys.stdout.write(json.dumps(prediction.to_dict(), ensure_ascii=False) + "\n")
            return 0
        return _run_batch(classifier, args)
    except EmotionCoreError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except UnicodeDecodeError as exc:
        sys.stderr.write(f"error: {args.input} is not UTF-8 text ({exc.reason} at byte {exc.start})\n")
        return 2
