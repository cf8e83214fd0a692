from __future__ import annotations

import numpy as np

from training.encoding import bucketed_batches, collate


def test_bucketed_batches_cover_every_example_once_with_similar_lengths() -> None:
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(3, 120, size=1000))
    batches = bucketed_batches(lengths, 32, np.random.default_rng(1))
    seen = np.concatenate(batches)
    assert sorted(seen.tolist()) == list(range(1000))
    spread = np.mean([np.ptp([lengths[i] for i in b]) for b in batches])
    assert spread < 10  # sorted within pools: a batch pads to a length close to its texts


def test_the_same_seed_gives_the_same_batch_order() -> None:
    # A resumed epoch skips the batches done before the interruption: the order must repeat.
    lengths = [i % 17 + 2 for i in range(500)]
    first = bucketed_batches(lengths, 16, np.random.default_rng(7))
    again = bucketed_batches(lengths, 16, np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_collate_pads_and_masks() -> None:
    ids, mask = collate([[5, 6, 7], [8], [9, 10]], np.array([0, 1]), pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]
