"""`python -m bench.image_child APP [IMAGE]`: one cold start in this fresh process, as Lambda's init sees it.

APP `text`: the text API (functions.api.app); `image`: the image function's app (functions.image.served),
then one analysis of IMAGE. Prints import-and-load seconds, the first image's seconds and peak RSS as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _peak_rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def main() -> int:
    which = sys.argv[1]
    started = time.perf_counter()
    if which == "text":
        import functions.api.app  # noqa: F401 - the model load is the import, as on Lambda

        figures: dict[str, object] = {"import_and_load_s": round(time.perf_counter() - started, 3)}
    else:
        from functions.image.served import app

        figures = {"import_and_load_s": round(time.perf_counter() - started, 3),
                   "rss_after_load_mb": _peak_rss_mb()}
        data = Path(sys.argv[2]).read_bytes()
        first = time.perf_counter()
        app.state.images.analyse(data)
        figures["first_image_s"] = round(time.perf_counter() - first, 3)
    figures["peak_rss_mb"] = _peak_rss_mb()
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
