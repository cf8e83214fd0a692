"""Training-time augmentation for the student: noisy copies and counterfactual examples.

Two faults of model 1.0.0 that GoEmotions alone does not teach away:
- typos and leetspeak ("i am s4d" → neutral 0.98): `noisy_copy` writes a perturbed copy of a
  training text; in distillation the copy keeps the teacher's soft targets of the CLEAN text, so the
  student learns to read the noisy form as the teacher reads the clean one.
- negation and sarcasm ("I am not angry" → anger 0.95, "Thanks a lot for deleting my account" →
  joy 1.00): `counterfactual_examples` generates short texts from templates with gold fine labels
  (a negated negative emotion is neutral; a negated positive one is disappointment or disapproval;
  praise wrapped around a bad event is annoyance). They carry gold labels only, no soft targets,
  because the teacher makes the very mistake they correct.
Everything is seeded; texts too close to any challenge-set item are dropped so the challenge set
stays out of training.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_SHORTHAND = {
    "you": "u", "your": "ur", "you're": "ur", "are": "r", "thanks": "thx", "please": "pls", "really": "rly",
    "great": "gr8", "love": "luv", "sorry": "sry", "because": "cuz", "tonight": "2nite", "people": "ppl",
    "to": "2", "for": "4", "okay": "ok", "what": "wat", "with": "w/", "don't": "dont", "i'm": "im",
    "can't": "cant", "it's": "its", "that's": "thats", "probably": "prob", "something": "smth",
}
_WORD = re.compile(r"[A-Za-z']+")


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # dropped letter
        return word[:i] + word[i + 1 :]
    if kind == 1:  # swapped neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:  # doubled letter
        return word[:i] + word[i] + word[i:]
    # stretched last vowel or letter: "sooo", "happyyy"
    last = max((j for j, c in enumerate(word) if c in "aeiouy"), default=len(word) - 1)
    return word[: last + 1] + word[last] * rng.randrange(2, 5) + word[last + 1 :]


def _leet(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word.lower()) if c in _LEET]
    if not spots:
        return word
    i = rng.choice(spots)
    return word[:i] + _LEET[word[i].lower()] + word[i + 1 :]


def noisy_copy(text: str, rng: random.Random) -> str:
    """A copy with the noise of fast typing: typos, leetspeak, shorthand, no caps, no apostrophes."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if _WORD.fullmatch(w.strip(".,!?")) and len(w) > 1]
    for i in rng.sample(candidates, k=min(len(candidates), rng.randrange(1, 4))):
        word = words[i]
        core = word.rstrip(".,!?")
        tail = word[len(core) :]
        shorthand = _SHORTHAND.get(core.lower())
        roll = rng.random()
        if shorthand and roll < 0.5:
            core = shorthand
        elif roll < 0.8:
            core = _typo(core, rng)
        else:
            core = _leet(core, rng)
        words[i] = core + tail
    noisy = " ".join(words)
    if rng.random() < 0.5:
        noisy = noisy.lower()
    if rng.random() < 0.3:
        noisy = noisy.replace("'", "")
    if noisy == text and candidates:  # every draw missed (short words): stretch the longest word
        longest = max(candidates, key=lambda i: len(words[i]))
        stretched = words[longest] + words[longest][-1] * 2
        noisy = " ".join([*words[:longest], stretched, *words[longest + 1 :]])
    return noisy


@dataclass(frozen=True)
class Example:
    text: str
    fine: tuple[str, ...]  # GoEmotions fine labels; the other heads follow from the taxonomy


_SUBJECTS = (
    ("I", "am", "'m", "was"), ("We", "are", "'re", "were"), ("She", "is", "'s", "was"),
    ("He", "is", "'s", "was"), ("They", "are", "'re", "were"), ("My sister", "is", " is", "was"),
    ("The team", "is", " is", "was"), ("My boss", "is", " is", "was"),
)
# Negating a negative feeling leaves no feeling to report.
_NEGATIVE_STATES = {
    "anger": ("angry", "mad", "furious", "irritated"), "annoyance": ("annoyed", "bothered", "frustrated"),
    "fear": ("scared", "afraid", "frightened"), "nervousness": ("nervous", "anxious", "worried"),
    "sadness": ("sad", "upset", "depressed", "down"), "disgust": ("disgusted", "grossed out"),
    "embarrassment": ("embarrassed", "ashamed"),
}
_CALM_TAILS = (
    "", " about it", " at all", " anymore", ", just tired", ", just busy", " about the change",
    " with the plan", ", only asking", " about the move", " of the dark", ", just a bit surprised",
)
# Negating a positive feeling is a complaint.
_POSITIVE_STATES = ("happy", "pleased", "satisfied", "impressed", "excited", "thrilled", "glad", "content")
_POSITIVE_TAILS = (
    " with the result", " with this purchase", " about the new rules", " with how it went", " with the food",
    " about the schedule", " with the repair", "",
)
_NOT_GOOD = (
    ("This {thing} is not good.", "disapproval"), ("The {thing} wasn't worth it.", "disappointment"),
    ("I don't like the {thing}.", "disapproval"), ("The {thing} is not what I hoped for.", "disappointment"),
    ("Not a fan of the {thing}.", "disapproval"), ("The {thing} did not work well.", "disappointment"),
)
_NOT_BAD = (
    ("The {thing} is not bad at all.", "approval"), ("Can't complain about the {thing}.", "approval"),
    ("The {thing} wasn't as bad as I feared.", "relief"), ("No problems with the {thing} so far.", "approval"),
)
_THINGS = (
    "hotel", "meal", "update", "movie", "course", "phone", "service", "book", "game", "car", "concert",
    "design", "printer", "coffee", "class",
)
_PRAISE = (
    "Oh great", "Wonderful", "Just perfect", "Lovely", "Splendid", "Oh fantastic", "Marvelous", "Awesome",
)
_BAD_EVENTS = (
    "the bus left without me", "my order came in pieces", "the wifi is down again", "they raised the rent",
    "my bag got soaked", "the meeting ran two hours over", "my phone fell in the sink",
    "the shop closed early", "the heating broke in January", "my card got declined",
    "the parcel went to the wrong city", "the game froze before the final level",
)
_SARCASTIC = (
    "{praise}, {event}.", "{praise}. {event_cap}. Just what I needed.", "Well isn't this nice, {event}.",
    "{event_cap}. Thanks so much, really.", "So glad {event}, what a day.", "{praise}! {event_cap} again.",
)


def _negation_examples() -> Iterable[Example]:
    for (subject, be, short, was), (label, words), tail in itertools.product(
        _SUBJECTS, _NEGATIVE_STATES.items(), _CALM_TAILS
    ):
        del label
        for word in words:
            yield Example(f"{subject} {be} not {word}{tail}.", ("neutral",))
            yield Example(f"{subject}{short} not {word}{tail}.", ("neutral",))
            yield Example(f"{subject} {was}n't {word}{tail}.", ("neutral",))
    for (subject, be, _short, was), word, tail in itertools.product(_SUBJECTS, _POSITIVE_STATES, _POSITIVE_TAILS):
        yield Example(f"{subject} {be} not {word}{tail}.", ("disappointment",))
        yield Example(f"{subject} {was}n't {word}{tail}.", ("disappointment",))
    for (template, label), thing in itertools.product(_NOT_GOOD + _NOT_BAD, _THINGS):
        yield Example(template.format(thing=thing), (label,))


def _sarcasm_examples() -> Iterable[Example]:
    for template, praise, event in itertools.product(_SARCASTIC, _PRAISE, _BAD_EVENTS):
        text = template.format(praise=praise, event=event, event_cap=event[0].upper() + event[1:])
        yield Example(text, ("annoyance",))


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def too_close(text: str, held_out: list[set[str]], limit: float = 0.5) -> bool:
    """True when `text` shares at least `limit` of its words (Jaccard) with a held-out item."""
    words = _tokens(text)
    return any(len(words & other) / max(1, len(words | other)) >= limit for other in held_out)


def counterfactual_examples(count: int, seed: int, held_out_texts: list[str]) -> list[Example]:
    """`count` templated examples, half negation and half sarcasm, none close to a held-out text."""
    rng = random.Random(seed)
    held_out = [_tokens(text) for text in held_out_texts]
    pools = [list(_negation_examples()), list(_sarcasm_examples())]
    chosen: list[Example] = []
    for pool, share in zip(pools, (count - count // 2, count // 2), strict=True):
        rng.shuffle(pool)
        chosen.extend([example for example in pool if not too_close(example.text, held_out)][:share])
    return chosen
