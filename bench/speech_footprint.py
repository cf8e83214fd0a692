"""`python -m bench.speech_footprint [TRANSLATE_MODEL]`: the audio function's memory, as Lambda sizes it.

In this (fresh) process: build the served audio app from the environment (bundle, tiny.en and, when
given, the translation model), then one transcription and one translation of the committed clip;
print load time, per-request seconds and peak RSS as JSON. template.yaml's AudioFunction MemorySize
cites this figure.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from bench.common import REPO_ROOT

CLIP = REPO_ROOT / "tests" / "golden" / "speech" / "two-moods.ogg"


def _peak_rss_mb() -> int:
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across exec, so a child started by a
    # big parent (bench.speech, with both models loaded) would report the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # elsewhere: KiB on Linux


def main() -> int:
    translate_model = sys.argv[1] if len(sys.argv) > 1 else ""
    os.environ.update(MODEL_DIR=str(REPO_ROOT / "layers" / "model"), ORT_THREADS="1", SPEECH_THREADS="1",
                      POWERTOOLS_TRACE_DISABLED="true", TRANSLATE_MODEL=translate_model)
    started = time.perf_counter()
    from functions.audio.served import app  # the model load is the import, as on Lambda

    figures: dict[str, object] = {"translate_model": translate_model or None,
                                  "import_and_load_s": round(time.perf_counter() - started, 2),
                                  "rss_after_load_mb": _peak_rss_mb()}
    data = CLIP.read_bytes()
    for task in ("transcribe", "translate") if translate_model else ("transcribe",):
        started = time.perf_counter()
        app.state.speech.analyse(data, translate=task == "translate")
        figures[f"{task}_clip_s"] = round(time.perf_counter() - started, 2)
    figures["peak_rss_mb"] = _peak_rss_mb()
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
