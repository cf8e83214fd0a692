"""Text normalisation applied before tokenization, identically in training and serving.

The encoders' vocabularies map every emoji to [UNK], so a post of only 😡 or 😭 reached the model
as nothing. Each emoji (and each common ASCII emoticon) is replaced by words that say what it
shows: an emotion word from `data/emoji_words.json` where the Unicode name does not carry the
feeling ("pouting face" → "angry pouting face"), else the Unicode name itself. Training calls
`normalize_text` on every text; serving applies it when the bundle's model.json names it
(`"text_normalization": "emoji-words-1"`), so the model reads the same words it learnt from and
a bundle trained without it keeps reading raw text.
"""

import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

EMOJI_WORDS_FILE = Path(__file__).resolve().parent / "data" / "emoji_words.json"

# One emoji "cluster": a pictographic base, then any variation selectors / skin tones, then
# ZWJ-joined parts ("🤦🏼‍♀️"). Only the base is described; the modifiers add no emotion.
_BASE = (
    "\u2600-\u27bf"  # misc symbols and dingbats (☺ ♥ ✨ ❤)
    "\u2b50\u2b55\u2763\u2764"
    "\U0001f000-\U0001f1e5"
    "\U0001f200-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
)
_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb-\U0001f3ff"
_EMOJI = re.compile(
    f"(?:[\U0001f1e6-\U0001f1ff]{{2}}"  # a flag: two regional indicators
    f"|[{_BASE}][{_MODIFIERS}]*(?:\u200d[{_BASE}\u2640\u2642][{_MODIFIERS}]*)*)"
)
# ASCII emoticons, only as separate tokens so "f(x):(" in code or "8)" in a list stay as they are.
_EMOTICONS = {
    ":)": "slightly smiling face", ":-)": "slightly smiling face", "(:": "slightly smiling face",
    ":(": "frowning sad face", ":-(": "frowning sad face", "):": "frowning sad face",
    ":D": "grinning happy face", ":-D": "grinning happy face", "xD": "laughing face", "XD": "laughing face",
    ";)": "winking face", ";-)": "winking face", ":P": "face with tongue", ":p": "face with tongue",
    ":'(": "crying sad face", ":'-(": "crying sad face", ":/": "confused face", ":-/": "confused face",
    ":O": "surprised face with open mouth", ":o": "surprised face with open mouth",
    "<3": "red heart love", "</3": "broken heart", ">:(": "angry face", ":|": "neutral face",
}
_EMOTICON = re.compile(
    r"(?<!\S)(" + "|".join(re.escape(e) for e in sorted(_EMOTICONS, key=len, reverse=True)) + r")(?!\S)"
)


@lru_cache(maxsize=1)
def _emoji_words() -> dict[str, str]:
    words: dict[str, str] = json.loads(EMOJI_WORDS_FILE.read_text(encoding="utf-8"))["words"]
    return words


def describe_emoji(cluster: str) -> str:
    """Words for one emoji cluster: the curated emotion words, else its Unicode name."""
    base = cluster[0]
    if "\U0001f1e6" <= base <= "\U0001f1ff":
        return "flag"
    curated = _emoji_words().get(base)
    if curated:
        return curated
    try:
        return unicodedata.name(base).lower()
    except ValueError:  # unassigned code point in the range
        return "emoji"


def _replace_emoji(match: re.Match[str]) -> str:
    return f" {describe_emoji(match.group(0))} "


def normalize_text(text: str) -> str:
    """The model's view of `text`: emojis and emoticons as words, whitespace collapsed.

    Texts without any emoji or emoticon come back unchanged except for whitespace runs, so the
    word-piece windows of ordinary text are those of the raw text.
    """
    replaced = _EMOTICON.sub(lambda m: f" {_EMOTICONS[m.group(1)]} ", text)
    replaced = _EMOJI.sub(_replace_emoji, replaced)
    return text if replaced == text else " ".join(replaced.split())


# model.json `text_normalization` names -> the rule. A name pins a rule: changing what a rule does
# (new emoji words, other whitespace handling) needs a new name, or released bundles would read
# texts differently from how they were trained.
TEXT_NORMALIZATIONS: dict[str, Callable[[str], str]] = {"emoji-words-1": normalize_text}
