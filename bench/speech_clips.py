"""The speech test set, built offline: GoEmotions test texts with one clear Ekman label, spoken by
espeak-ng in several voices and speeds (some with noise), plus Spanish, French and German sentences
written for this set with their English originals.

Nothing here is committed but this script: the texts are read from the GoEmotions folder and the
clips are written to a work folder. `python -m bench.speech_clips OUT` writes them and a manifest.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path("../shared/data/goemotions")
PER_LABEL = 5
# (espeak-ng voice, words per minute): US and British English, a female and a male variant, three speeds.
VOICES = (("en-us", 160), ("en", 140), ("en-us+f3", 175), ("en+m3", 190), ("en-us+f2", 130))
NOISE_EVERY = 3  # every third English clip gets white noise
NOISE_SNR_DB = 10.0
# Written for this set (not GoEmotions): (language, espeak-ng voice, sentence, its English original).
FOREIGN = (
    ("es", "es", "Muchas gracias, este regalo me hace muy feliz.", "Thank you so much, this gift makes me very happy."),
    ("es", "es", "Estoy muy triste, mi perro murió ayer.", "I am very sad, my dog died yesterday."),
    ("es", "es", "Tengo mucho miedo de perder mi trabajo.", "I am very afraid of losing my job."),
    ("fr", "fr", "Je suis tellement en colère contre toi, c'est inacceptable.",
     "I am so angry with you, this is unacceptable."),
    ("fr", "fr", "Merci beaucoup, c'est une merveilleuse nouvelle.", "Thank you very much, this is wonderful news."),
    ("fr", "fr", "Je suis vraiment triste depuis son départ.", "I have been really sad since she left."),
    ("de", "de", "Ich habe große Angst vor der Operation morgen.", "I am very scared of the operation tomorrow."),
    ("de", "de", "Wow, das habe ich wirklich nicht erwartet!", "Wow, I really did not expect that!"),
    ("de", "de", "Das ist widerlich, ich hasse diesen Geruch.", "That is disgusting, I hate this smell."),
)
# Plain sentences espeak-ng reads as written: no placeholders ([NAME]), links, digits, emoji or markup.
_SPEAKABLE = re.compile(r"^[A-Za-z ,.!?']+$")


@dataclass(frozen=True)
class Clip:
    clip_id: str
    path: str
    language: str  # what is spoken
    spoken: str  # the text espeak-ng read
    reference_en: str  # the written English text the spoken emotion is compared with
    voice: str
    words_per_minute: int
    noisy: bool
    source_id: str | None = None  # GoEmotions comment id (English clips)
    gold: str | None = None  # GoEmotions Ekman label (English clips)


def clear_texts(data: Path, per_label: int = PER_LABEL) -> list[tuple[str, str, str]]:
    """(comment id, text, label): single-label test comments of 6 to 25 plain words, `per_label` per label."""
    labels = (data / "ekman" / "labels.txt").read_text().split()
    chosen: dict[str, list[tuple[str, str, str]]] = {label: [] for label in labels}
    for line in (data / "ekman" / "test.tsv").read_text(encoding="utf-8").splitlines():
        text, label_ids, comment_id = line.split("\t")
        if "," in label_ids or not _SPEAKABLE.match(text.strip()) or not 6 <= len(text.split()) <= 25:
            continue
        label = labels[int(label_ids)]
        if len(chosen[label]) < per_label:
            chosen[label].append((comment_id, text.strip(), label))
    return [item for label in labels for item in chosen[label]]


def speak(text: str, voice: str, words_per_minute: int, out: Path, noise_seed: int | None = None) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(out), text],
                   check=True, capture_output=True)
    if noise_seed is not None:
        _add_noise(out, noise_seed)


def _add_noise(path: Path, seed: int) -> None:
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
        pcm = np.frombuffer(source.readframes(params.nframes), dtype=np.int16).astype(np.float64)
    signal_power = float(np.mean(pcm**2)) or 1.0
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(signal_power / 10 ** (NOISE_SNR_DB / 10)), pcm.shape)
    with wave.open(str(path), "wb") as target:
        target.setparams(params)
        target.writeframes(np.clip(pcm + noise, -32768, 32767).astype(np.int16).tobytes())


def build(out: Path, data: Path = DEFAULT_DATA, per_label: int = PER_LABEL, foreign: int = len(FOREIGN)) -> list[Clip]:
    out.mkdir(parents=True, exist_ok=True)
    clips: list[Clip] = []
    for index, (comment_id, text, label) in enumerate(clear_texts(data, per_label)):
        voice, wpm = VOICES[index % len(VOICES)]
        noisy = index % NOISE_EVERY == NOISE_EVERY - 1
        path = out / f"en-{index:03d}.wav"
        speak(text, voice, wpm, path, noise_seed=index if noisy else None)
        clips.append(Clip(path.stem, str(path), "en", text, text, voice, wpm, noisy, comment_id, label))
    for index, (language, voice, sentence, english) in enumerate(FOREIGN[:foreign]):
        path = out / f"{language}-{index:03d}.wav"
        speak(sentence, voice, 150, path)
        clips.append(Clip(path.stem, str(path), language, sentence, english, voice, 150, False))
    (out / "manifest.json").write_text(json.dumps([asdict(clip) for clip in clips], indent=1, ensure_ascii=False))
    return clips


def load_manifest(folder: Path) -> list[Clip]:
    return [Clip(**item) for item in json.loads((folder / "manifest.json").read_text())]


if __name__ == "__main__":
    built = build(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_DATA)
    sys.stdout.write(f"{len(built)} clips in {sys.argv[1]}\n")
