"""Student augmentation: seeded noisy copies, counterfactual examples kept away from the challenge set,
and the TrainSet they extend (gold everywhere, soft targets only where the teacher is trusted)."""

from __future__ import annotations

import random

import numpy as np

from training.augment import counterfactual_examples, noisy_copy, too_close
from training.challenge import load_items
from training.config import AugmentConfig
from training.data import Head, Split, taxonomy
from training.objective import TrainSet
from training.stages.augmented import augment_trainset

FINE = ["annoyance", "disappointment", "joy", "neutral", "relief", "approval", "disapproval"]
EKMAN = ["anger", "joy", "neutral", "sadness"]
EKMAN_OF = {"annoyance": "anger", "disapproval": "anger", "disappointment": "sadness", "joy": "joy",
            "relief": "joy", "approval": "joy", "neutral": "neutral"}


def _split() -> Split:
    texts = [f"text {i} {label}" for i, label in enumerate(FINE * 3)]
    fine = np.zeros((len(texts), len(FINE)), np.float32)
    ekman = np.zeros((len(texts), len(EKMAN)), np.float32)
    for row, label in enumerate(FINE * 3):
        fine[row, FINE.index(label)] = 1
        ekman[row, EKMAN.index(EKMAN_OF[label])] = 1
    return Split(texts, [str(i) for i in range(len(texts))], {"fine": fine, "ekman": ekman})


HEADS = {"fine": Head(FINE), "ekman": Head(EKMAN)}


def test_noisy_copies_are_seeded_and_noisy() -> None:
    text = "I'm really happy for you, thanks so much for everything!"
    first = [noisy_copy(text, random.Random(3)) for _ in range(2)]
    assert first[0] == first[1]
    copies = {noisy_copy(text, random.Random(seed)) for seed in range(20)}
    assert text not in copies and len(copies) > 10


def test_counterfactual_examples_stay_away_from_the_challenge_set() -> None:
    held_out = [item.text for item in load_items()]
    examples = counterfactual_examples(2000, 13, held_out)
    assert len(examples) > 1500
    held_tokens = [set(t.lower().split()) for t in held_out]
    assert not any(too_close(e.text, [{w.strip(".,!?") for w in h} for h in held_tokens]) for e in examples[:200])
    assert not {e.text for e in examples} & set(held_out)
    labels = {label for e in examples for label in e.fine}
    assert {"neutral", "annoyance", "disappointment"} <= labels


def test_taxonomy_is_read_off_the_train_split() -> None:
    mapping = taxonomy(_split(), HEADS)["ekman"]
    assert mapping[FINE.index("annoyance")].tolist() == [1, 0, 0, 0]
    assert mapping[FINE.index("relief")].tolist() == [0, 1, 0, 0]


def test_augmented_trainset_marks_where_soft_targets_apply() -> None:
    split = _split()
    n = len(split)
    soft = {h: np.full_like(v, 0.25) for h, v in split.targets.items()}
    base = TrainSet([[1, 2]] * n, dict(split.targets), np.ones(n, bool), soft)
    encode = lambda texts: [[len(t)] for t in texts]  # noqa: E731 - a stand-in tokenizer
    result = augment_trainset(base, split, HEADS, AugmentConfig(noisy_copies=0.5, counterfactual=40), 7, encode, [])
    extra = len(result.encoded) - n
    noisy = round(0.5 * n)
    assert extra == noisy + 40
    assert result.has_soft is not None and result.soft is not None
    assert result.has_soft[: n + noisy].all() and not result.has_soft[n + noisy :].any()
    assert result.has_gold.all()
    # Noisy copies keep their source text's targets; counterfactual ones map fine -> Ekman by the taxonomy.
    assert np.allclose(result.soft["fine"][n : n + noisy], 0.25)
    counterfactual_fine = result.gold["fine"][n + noisy :]
    assert (counterfactual_fine.sum(axis=1) == 1).all()
    for row in range(n + noisy, len(result.encoded)):
        fine_label = FINE[int(result.gold["fine"][row].argmax())]
        assert EKMAN[int(result.gold["ekman"][row].argmax())] == EKMAN_OF[fine_label]


def test_gold_only_students_get_no_soft_targets() -> None:
    split = _split()
    base = TrainSet([[1]] * len(split), dict(split.targets), np.ones(len(split), bool))
    result = augment_trainset(base, split, HEADS, AugmentConfig(noisy_copies=0.3), 1, lambda t: [[1]] * len(t), [])
    assert result.soft is None and result.has_soft is None and len(result.encoded) > len(split)
