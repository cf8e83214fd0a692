"""`python -m bench.speech`: speech in, emotions out, measured on the offline espeak-ng set (bench.speech_clips).

Per Whisper model (tiny.en, base): word error rate against the spoken text, agreement between the
emotion of the transcript and of the written text (both through emotion_core), real-time factor of
the whole path (decode, VAD, Whisper, classifier) on one thread, and cold start in a fresh process.
For base also: the language it detects and, after translation to English, whether the emotion matches
the English original's. Writes bench/results/<stamp>-speech.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, machine_info, write_report
from bench.speech_clips import DEFAULT_DATA, Clip, build
from emotion_core import Classifier
from emotion_speech import AudioLimits, SpeechClassifier, resolve_model
from emotion_speech.transcribe import Transcriber

MODELS = ("tiny.en", "base")
_COLD_START = """
import json, sys, time
started = time.perf_counter()
from faster_whisper import WhisperModel
imported = time.perf_counter()
model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=1)
loaded = time.perf_counter()
segments, _ = model.transcribe(sys.argv[2], beam_size=1, vad_filter=True)
list(segments)
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "load_s": loaded - imported, "first_transcription_s": done - loaded}))
"""


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance over the reference length, ignoring case and punctuation."""
    def words(text: str) -> list[str]:
        return "".join(c.lower() if c.isalnum() or c.isspace() else " " for c in text).split()

    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(len(ref), 1)


def cold_start(model_path: Path, clip: Path) -> dict[str, float]:
    """A fresh interpreter: import faster-whisper, load the model, transcribe one clip (what Lambda's init
    and first request pay, minus the image pull)."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _COLD_START, str(model_path), str(clip)], capture_output=True,
                         text=True, check=True, timeout=300)
    figures: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    figures["process_wall_s"] = time.perf_counter() - started
    return {key: round(value, 3) for key, value in figures.items()}


def footprint(translate_model: str) -> dict[str, Any]:
    """The audio app's load time and peak RSS in a fresh process (bench.speech_footprint)."""
    run = subprocess.run([sys.executable, "-m", "bench.speech_footprint", translate_model], capture_output=True,
                         text=True, check=True, timeout=600, cwd=REPO_ROOT)
    figures: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return figures


def measure_clip(speech: SpeechClassifier, classifier: Classifier, clip: Clip, translate: bool) -> dict[str, Any]:
    data = Path(clip.path).read_bytes()
    started = time.perf_counter()
    result = speech.analyse(data, translate=translate)
    elapsed = time.perf_counter() - started
    written = classifier.predict_one(clip.reference_en).emotion
    row: dict[str, Any] = {"clip": clip.clip_id, "language": clip.language, "noisy": clip.noisy,
                           "duration_s": result.duration_s, "seconds": round(elapsed, 3),
                           "rtf": round(elapsed / result.duration_s, 4), "detected": result.language,
                           "spoken_emotion": result.overall.emotion, "written_emotion": written}
    if not translate:
        row["wer"] = round(word_error_rate(clip.spoken, result.transcript), 4)
    return row


def _share(rows: list[dict[str, Any]], first: str, second: str) -> float | None:
    """Share of rows whose two fields agree."""
    return round(sum(1 for row in rows if row[first] == row[second]) / len(rows), 3) if rows else None


def summarize(model: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    english = [row for row in rows if row["language"] == "en"]
    foreign = [row for row in rows if row["language"] != "en"]
    summary: dict[str, Any] = {
        "model": model, "clips": len(rows), "english_clips": len(english),
        "wer_mean": round(statistics.mean(r["wer"] for r in english), 4) if english else None,
        "wer_clean": round(statistics.mean([r["wer"] for r in english if not r["noisy"]] or [0]), 4),
        "wer_noisy": round(statistics.mean([r["wer"] for r in english if r["noisy"]] or [0]), 4),
        "emotion_agreement": _share(english, "spoken_emotion", "written_emotion"),
        "seconds_median": round(statistics.median(r["seconds"] for r in rows), 3),
        "seconds_max": round(max(r["seconds"] for r in rows), 3),
        "rtf_median": round(statistics.median(r["rtf"] for r in rows), 4),
        "rtf_p90": round(sorted(r["rtf"] for r in rows)[int(0.9 * (len(rows) - 1))], 4),
        "audio_seconds": round(sum(r["duration_s"] for r in rows), 1),
    }
    if foreign:
        summary["translation_clips"] = len(foreign)
        summary["translation_emotion_agreement"] = _share(foreign, "spoken_emotion", "written_emotion")
        summary["language_detected"] = _share(foreign, "detected", "language")
    return summary


def run(clips: list[Clip], bundle: Path, models: tuple[str, ...]) -> dict[str, Any]:
    classifier = Classifier.load(bundle, threads=1)
    out: dict[str, Any] = {"models": {}, "rows": {}}
    for name in models:
        resolved = resolve_model(name)
        speech = SpeechClassifier(classifier, Transcriber(resolved, threads=1), AudioLimits(50_000_000, 600.0))
        usable = [c for c in clips if resolved.multilingual or c.language == "en"]
        rows = [measure_clip(speech, classifier, c, translate=c.language != "en") for c in usable]
        out["rows"][name] = rows
        out["models"][name] = {**summarize(name, rows), "cold_start": cold_start(resolved.path, Path(usable[0].path)),
                               "model_mb": round((resolved.path / "model.bin").stat().st_size / 1e6, 1)}
    return out


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    where = (f"{machine.get('cpu_model', 'this machine')}, {machine.get('cores')} cores, load "
             f"{machine.get('load_average_1m_at_start')} at start")
    lines = ["## Speech in, emotions out", "",
             f"{results['clips']} espeak-ng clips ({results['english_clips']} GoEmotions test texts with one clear "
             "Ekman label, every 3rd with white noise at 10 dB SNR; "
             f"{results['foreign_clips']} es/fr/de sentences with English originals), `python -m bench.speech`, "
             f"one thread, {where}.", "",
             "| model | size MB | WER (clean / noisy) | emotion agreement spoken vs written | translation: emotion "
             "agreement / language detected | RTF median (p90) | s per clip median (max) "
             "| cold start: load + first clip s |",
             "|---|---|---|---|---|---|---|---|"]
    for name, m in results["models"].items():
        cold = m["cold_start"]
        translation = (f"{m['translation_emotion_agreement']:.2f} / {m['language_detected']:.2f} "
                       f"({m['translation_clips']} clips)" if "translation_clips" in m else "English-only model")
        lines.append(f"| {name} | {m['model_mb']} | {m['wer_mean']:.3f} ({m['wer_clean']:.3f} / {m['wer_noisy']:.3f}) "
                     f"| {m['emotion_agreement']:.2f} ({m['english_clips']} clips) | {translation} "
                     f"| {m['rtf_median']:.3f} ({m['rtf_p90']:.3f}) "
                     f"| {m['seconds_median']:.2f} ({m['seconds_max']:.2f}) "
                     f"| {cold['load_s']:.2f} + {cold['first_transcription_s']:.2f} "
                     f"(process {cold['process_wall_s']:.2f}) |")
    for figures in results.get("footprint", []):
        lines.append(f"Audio app with {' + '.join(['tiny.en', *[m for m in [figures['translate_model']] if m]])}"
                     f": load {figures['import_and_load_s']} s, peak RSS {figures['peak_rss_mb']} MB "
                     "(`python -m bench.speech_footprint`).")
    lines += ["", "RTF: seconds of processing (decode, VAD, Whisper, emotion_core on every sentence and the whole) per "
              "second of audio; Whisper reads 30 s windows, so a short clip pays for a whole window and its RTF is "
              "high (the seconds per clip show it). Emotion agreement: the Ekman emotion of the whole transcript "
              "equals the written text's, both through emotion_core (the written label of a translated clip is its "
              "English original's). "
              "Cold start: a fresh process imports faster-whisper, loads the model and transcribes one clip.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speech", description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/emotion-speech-bench"), help="where clips go")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="GoEmotions folder (ekman/test.tsv)")
    parser.add_argument("--bundle", type=Path, default=REPO_ROOT / "layers" / "model", help="emotion bundle")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated Whisper models")
    parser.add_argument("--quick", action="store_true", help="one text per label, three foreign clips")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results")
    parser.add_argument("--stamp", default=None, help="file name stem (default: the UTC date + '-speech')")
    args = parser.parse_args(argv)
    clips = build(args.work, args.data, per_label=1 if args.quick else 5, foreign=3 if args.quick else 9)
    measured = run(clips, args.bundle, tuple(m for m in args.models.split(",") if m))
    results = {"machine": machine_info(), "clips": len(clips),
               "english_clips": sum(c.language == "en" for c in clips),
               "foreign_clips": sum(c.language != "en" for c in clips), **measured,
               "footprint": [footprint(""), footprint("base")]}
    stamp = args.stamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d") + ("-speech-quick" if args.quick else "-speech")
    write_report(args.out, stamp, results, markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
